import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wallet_site.settings")

app = Celery("wallet_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _db_connections_recycle(task: object = None, **_: object) -> None:
    """Between tasks, what Django does between requests: close a connection that errored or outlived
    CONN_MAX_AGE (kept otherwise: ``CELERY_DB_REUSE_MAX`` stops the fixup closing it every task).
    Not for eager tasks, which run inside the caller's transaction."""
    from django.db import close_old_connections

    if getattr(getattr(task, "request", None), "is_eager", False):
        return
    close_old_connections()
