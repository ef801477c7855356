"""gunicorn settings for a production host (docs/deploy.md): ``gunicorn -c deploy/gunicorn.conf.py
wsgi:app``. With ``PROMETHEUS_MULTIPROC_DIR`` set, a worker that exits has its metrics files
marked dead, so ``/metrics`` sums the live workers and keeps the counts of the dead ones."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count() * 2))
timeout = 30
graceful_timeout = 30
accesslog = None  # the portal logs what matters as JSON (helpdesk.observability)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
