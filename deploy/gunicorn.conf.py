"""gunicorn settings shared by every way Tongbao's web process runs: docker-compose (`web`),
`make run` and `make bench` all start `gunicorn -c deploy/gunicorn.conf.py wallet_site.wsgi`, so
the bench measures the server as deployed.

Sizing (docs/scaling.md): the API is CPU-bound and Python holds the GIL, so on N cores one
single-threaded worker per half-core (2 x N processes) serves at least as much as fewer processes
with threads (measured: -w4 --threads1 >= -w3 --threads4 on 2 cores). Every worker process holds a
bounded database pool (settings DATABASES OPTIONS["pool"]), so the connection count is
workers x pool max_size, whatever the load. Override with WEB_CONCURRENCY / WEB_THREADS / PORT.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("WEB_THREADS", "1"))
worker_class = "gthread"  # keep-alive and a bounded thread count even with threads = 1
keepalive = 5
timeout = 60
graceful_timeout = 10
max_requests = 20000  # recycle a worker now and then (memory), staggered by the jitter
max_requests_jitter = 2000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
