"""The timer sweep's job: every minute, in the worker's app context (see ``helpdesk.jobs``)."""

from huey import crontab

from helpdesk.jobs import huey
from helpdesk.metrics import SWEEP_SECONDS
from helpdesk.sla import timers


@huey.periodic_task(crontab(minute="*"))
def sweep_timers() -> None:
    """Act on due status timers and SLA alerts; several workers at once act once."""
    with SWEEP_SECONDS.time():
        timers.sweep()
