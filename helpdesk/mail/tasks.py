"""The outbox's jobs: deliver one message, and sweep up everything due every minute.

Both return nothing, so huey keeps no results for them.
"""

from huey import crontab

from helpdesk.jobs import huey
from helpdesk.mail import outbox


@huey.task()
def deliver(pk: int) -> None:
    """Send outbox row ``pk`` unless it is sent, taken by another worker or not due."""
    outbox.deliver(pk)


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    """Send what is due (retries, and rows no request handed over) and release stale leases."""
    outbox.sweep()
