"""Instructions per API payment (``valgrind --tool=callgrind``), for A/B of Python-side changes on a
busy machine: instruction counts do not depend on what else the machine runs, unlike CPU time.

    DJANGO_ENV=test python tools/devstack.py exec -- valgrind --tool=callgrind --instr-atstart=no \\
        --callgrind-out-file=/tmp/cg.%p .venv/bin/python -m tools.bench_instructions

Builds a small world, warms the path, then switches instrumentation on (``callgrind_control -i on``)
for ``INSTR_REQUESTS`` in-process ``POST /api/v1/transfers`` through ``wallet_site.wsgi`` (the
lanes gunicorn serves) and prints nothing but the count of requests: read the total with
``callgrind_annotate /tmp/cg.<pid> | head``. PostgreSQL's own work is not counted (another process).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys

from tools import bench_world, loadlib
from tools.bench_profile import wsgi_transfer

REQUESTS = int(os.environ.get("INSTR_REQUESTS", "100"))


def main() -> int:
    db_name = bench_world.provision_database("instr")
    loadlib.setup_django()
    try:
        from wallet_site.wsgi import application

        world = bench_world.build_world(40, merchants=1)
        rng = random.Random(1)

        def one_api() -> int:
            return wsgi_transfer(application, world, rng)

        for _ in range(30):
            assert one_api() == 201
        subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=False, capture_output=True)
        codes = [one_api() for _ in range(REQUESTS)]
        subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=False, capture_output=True)
        print(f"instructions: {REQUESTS} requests, statuses {sorted(set(codes))}")
    finally:
        bench_world.drop_database(db_name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
