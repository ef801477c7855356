"""The metrics the processes count themselves (``helpdesk.observability`` serves them)."""

from prometheus_client import Histogram

REQUEST_SECONDS = Histogram(
    "helpdesk_request_seconds",
    "Time to answer a web request, by route",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SWEEP_SECONDS = Histogram(
    "helpdesk_timer_sweep_seconds",
    "Duration of one timer sweep",
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
