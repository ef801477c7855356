"""The timer sweep's jobs: every minute, in the worker's app context (see ``helpdesk.jobs``)."""

from flask import current_app
from huey import crontab

from helpdesk.jobs import AHEAD, huey
from helpdesk.metrics import SWEEP_SECONDS
from helpdesk.sla import timers


@huey.periodic_task(crontab(minute="*"))
def sweep_timers() -> None:
    """Act on due status timers and SLA alerts: the cases of lane 0 here, the other lanes
    (``SLA_SWEEP_LANES``) as jobs of their own, which other workers take at the same time;
    several workers sweeping the same lane at once still act once."""
    lanes = current_app.config["SLA_SWEEP_LANES"]
    for lane in range(1, lanes):
        sweep_lane(lane, lanes)
    sweep_lane.call_local(0, lanes)


@huey.task(priority=AHEAD)
def sweep_lane(lane: int, lanes: int) -> None:
    """The sweep of the cases whose id modulo ``lanes`` is ``lane``."""
    with SWEEP_SECONDS.time():
        timers.sweep(lane=lane, lanes=lanes)
