"""The request id: one per web request (``X-Request-ID``, taken from the proxy when it sends a
sane one), carried into the jobs the request queues and into the headers of the mail it
writes, and put on every log record (``helpdesk.observability``)."""

import re
import uuid
from contextvars import ContextVar

#: The id of the request (or of the request that queued the running job), or None.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)

SANE = re.compile(r"[A-Za-z0-9_-]{8,64}")


def new(offered: str | None = None) -> str:
    """``offered`` (a proxy's id) when it is one we can log and pass on, else a fresh one."""
    if offered and SANE.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def current() -> str | None:
    return REQUEST_ID.get()
