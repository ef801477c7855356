"""The outbox (MAIL-2): mail written in the caller's transaction, delivered once after commit.

How a mail gets out
-------------------
1. ``enqueue`` builds the complete message and inserts a ``pending`` row inside the caller's
   transaction (``db.atomic()`` nests), so the mail exists exactly when the change that caused
   it is committed. It remembers the row's id in the app context (``flask.g``).
2. Peewee has no on-commit hook, so nothing goes to the job queue yet: a task queued now could
   run before the commit and find nothing, or (in immediate mode) send a mail whose
   transaction is rolled back afterwards. ``tasks.flush_after_commit`` hands the remembered rows
   that really exist to the ``deliver`` task once no transaction is open. It runs by itself
   when a request, a job or any other app context ends; a long job may call it earlier.
3. ``sweep`` (a periodic task, every minute) delivers whatever is due and was not handed
   over: retries after failures, rows of a process that died between commit and flush, and
   rows of crashed workers once their lease has expired. The sweep alone guarantees delivery;
   the flush only makes it prompt.

Sent once
---------
``deliver`` claims a row with one conditional UPDATE (pending or failed, and due, becomes
``sending``); the database lets exactly one worker change it, every other one sees a row
count of 0 and leaves. A claim is a lease: a row still ``sending`` after
``MAIL_LEASE_SECONDS`` is taken for a crashed worker's and released to ``pending``.

The window that remains: the mail server accepted the message, and the process died (or the
database failed) before the row was marked ``sent``. The lease expires and the mail goes out
a second time. SMTP cannot ask a server whether it already has a message and MTAs
deduplicate nothing, so the alternative would be to risk losing mail; we take a rare,
recognisable duplicate instead: both copies carry the same Message-ID, so mail clients
thread (and many collapse) them, and the outbox's error column says the lease expired.
"""

import json
import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from email.utils import getaddresses, make_msgid, parseaddr
from enum import StrEnum
from functools import lru_cache

from flask import current_app, g, has_app_context

from helpdesk import request_id
from helpdesk.db import db, insert_rows
from helpdesk.mail import transport
from helpdesk.mail.models import CLAIMABLE, OutboxMessage, State
from helpdesk.permissions import ensure_admin
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

#: Minutes to wait after the first, second, ... failed try; the last one repeats.
RETRY_MINUTES = (1, 5, 15, 60)

LEASE_EXPIRED = "the worker sending it stopped before finishing; sent again (may arrive twice)"

_PENDING = "outbox_pending"  # ids enqueued in this app context, not yet handed to the queue

#: The rows of the batch being held (``held``), or None.
_batch: ContextVar[list[dict] | None] = ContextVar("outbox_batch", default=None)


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # failed; tried again at next_try_at
    UNREACHABLE = "unreachable"  # the server could not be reached; tried again later
    DEAD = "dead"  # failed for good
    SKIPPED = "skipped"  # not ours: sent already, claimed by another worker, not due, absent


# -- Writing ------------------------------------------------------------------------------


def enqueue(
    to: str | Iterable[str],
    subject: str,
    text: str,
    html: str | None = None,
    *,
    case=None,
    in_reply_to: str | None = None,
    references: Iterable[str] = (),
    automatic: bool = True,
    sender: str | None = None,
    reply_to: str | None = None,
    id_tag: str | None = None,
) -> OutboxMessage:
    """Write a mail to the outbox inside the caller's transaction; it is sent after commit.

    ``to`` is one address or several (``Name <addr>`` allowed); ``case`` links the mail to its
    case; ``in_reply_to`` and ``references`` are Message-IDs that thread it; ``automatic``
    marks it ``Auto-Submitted`` so that auto-responders stay quiet; ``sender`` (From) defaults
    to ``MAIL_DEFAULT_SENDER``; ``reply_to`` adds a Reply-To; ``id_tag`` ends the left-hand
    side of its Message-ID (an agent's reply token, ``agent_tokens``). Needs an app context.
    """
    config = current_app.config
    sender = sender or config["MAIL_DEFAULT_SENDER"]
    to = [to] if isinstance(to, str) else list(to)
    envelope = list(_envelope(tuple(to)))
    if not envelope or not all("@" in address for address in envelope):
        raise ValueError(f"not a list of mail addresses: {to!r}")
    message_id = make_msgid(idstring=id_tag, domain=_domain(config, sender))
    raw = transport.build_message(
        message_id=message_id,
        sender=sender,
        to=to,
        subject=subject,
        text=text,
        html=html,
        in_reply_to=in_reply_to,
        references=references,
        automatic=automatic,
        reply_to=reply_to,
        request_id=request_id.current(),  # which request wrote it, for the logs
    )
    values = {
        "message_id": message_id,
        "sender": _address(sender),
        "recipients": json.dumps(envelope),
        "subject": subject,
        "raw": raw,
        "case": case,
    }
    buffer = _batch.get()
    if buffer is not None:  # written with the rest of the batch (``held``)
        buffer.append(values)
        return OutboxMessage(**values)
    with db.atomic():
        row = OutboxMessage.create(**values)
    _remember(row.id)
    return row


@contextmanager
def held() -> Iterator[list[dict]]:
    """Mail enqueued inside is kept as rows in the list yielded, to be written by ``write``
    in the caller's transaction: the timer sweep renders a batch's mail before it claims
    the batch, and writes it in one INSERT with the claim. A caller that takes back part of
    its work removes its rows. ``enqueue`` then returns unsaved rows (without an id)."""
    rows: list[dict] = []
    token = _batch.set(rows)
    try:
        yield rows
    finally:
        _batch.reset(token)


def write(rows: list[dict]) -> None:
    """Write the rows ``held`` kept, in one INSERT (inside the caller's transaction, like
    ``enqueue``); they are handed to the queue after commit."""
    if rows:
        names = list(rows[0])
        values = [tuple(row.values()) for row in rows]
        for pk in insert_rows(OutboxMessage, names, values, returning_id=True):
            _remember(pk)


def _domain(config, sender: str) -> str:
    return config["MAIL_DOMAIN"] or _address(sender).rpartition("@")[2] or "localhost"


# The addresses of a mail, parsed once per process for each sender and list of recipients
# (the timer sweep writes thousands of mails from one sender, many to the same people).


@lru_cache(maxsize=64)
def _address(sender: str) -> str:
    return parseaddr(sender)[1]


@lru_cache(maxsize=4096)
def _envelope(to: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(address for _name, address in getaddresses(to))


def requeue(pk: int, actor) -> bool:
    """A vendor admin puts a failed or dead message back to pending, due now, with a fresh
    count of tries.

    It is handed to the queue after commit like a new one; False when it was not failed or dead.
    """
    ensure_admin(actor)
    changed = (
        OutboxMessage.update(state=State.PENDING, tries=0, next_try_at=utcnow())
        .where((OutboxMessage.id == pk) & OutboxMessage.state.in_((State.FAILED, State.DEAD)))
        .execute()
    )
    if changed:
        _remember(pk)
    return bool(changed)


# -- Handing over after commit -------------------------------------------------------------


def _remember(pk: int) -> None:
    g.setdefault(_PENDING, {})[pk] = None  # a dict: ordered, each id once, found at once


def take_committed() -> list[int]:
    """The ids enqueued in this app context whose transaction committed, forgotten here once
    taken (``helpdesk.mail.tasks.flush_after_commit`` queues them).

    Rows of rolled-back transactions no longer exist and are forgotten; inside an open
    transaction nothing is taken yet.
    """
    if not has_app_context() or db.in_transaction() or not g.get(_PENDING):
        return []
    ids = list(g.pop(_PENDING))
    return [
        row.id
        for row in OutboxMessage.select(OutboxMessage.id)
        .where(OutboxMessage.id.in_(ids) & (OutboxMessage.state == State.PENDING))
        .order_by(OutboxMessage.id)  # in the order they were written
    ]


# -- Delivering ---------------------------------------------------------------------------


def deliver(pk: int) -> Outcome:
    """Send one outbox row when it is due and no other worker has it; record what happened."""
    if db.in_transaction():
        raise RuntimeError("deliver() runs outside transactions: its claim must commit at once")
    claimed_at = _claim(pk)
    if claimed_at is None:
        return Outcome.SKIPPED
    row = OutboxMessage.get_by_id(pk)
    try:
        refused = transport.send(
            current_app.config, row.sender, json.loads(row.recipients), row.raw
        )
    except Exception as error:
        return _record_failure(row, error)
    _mark_sent(row, claimed_at, refused)
    return Outcome.SENT


def _claim(pk: int) -> datetime | None:
    """One UPDATE that only one worker can win; returns the claim's time, or None.

    A pending row is always due (new, sent again, or released): comparing its next_try_at
    with this host's clock would only let a clock a second behind the web host's skip it.
    """
    now = utcnow()
    due = (OutboxMessage.state == State.PENDING) | (
        (OutboxMessage.state == State.FAILED) & (OutboxMessage.next_try_at <= now)
    )
    won = (
        OutboxMessage.update(state=State.SENDING, claimed_at=now, tries=OutboxMessage.tries + 1)
        .where((OutboxMessage.id == pk) & due)
        .execute()
    )
    return now if won == 1 else None


def _mark_sent(row: OutboxMessage, claimed_at: datetime, refused: dict) -> None:
    # If this fails (database gone), the row stays "sending" and is sent again after its
    # lease: the duplicate window described at the top of this module. An earlier error
    # stays visible: a sent mail that needed retries (or a lease) is worth knowing about.
    changes = {"state": State.SENT, "sent_at": utcnow()}
    if refused:
        changes["last_error"] = "recipients refused: " + transport.describe_refused(refused)
    marked = (
        OutboxMessage.update(changes)
        .where(
            (OutboxMessage.id == row.id)
            & (OutboxMessage.state == State.SENDING)
            & (OutboxMessage.claimed_at == claimed_at)
        )
        .execute()
    )
    if not marked:
        log.warning("outbox: %s was sent after its lease expired", row.message_id)


def _record_failure(row: OutboxMessage, error: Exception) -> Outcome:
    dead = transport.is_permanent(error) or row.tries >= current_app.config["MAIL_MAX_TRIES"]
    now = utcnow()
    (
        OutboxMessage.update(
            state=State.DEAD if dead else State.FAILED,
            last_error=transport.describe(error)[:2000],
            next_try_at=now if dead else now + retry_delay(row.tries),
        )
        .where((OutboxMessage.id == row.id) & (OutboxMessage.state == State.SENDING))
        .execute()
    )
    log.warning(
        "outbox: %s try %d failed: %s", row.message_id, row.tries, transport.describe(error)
    )
    if dead:
        return Outcome.DEAD
    return Outcome.UNREACHABLE if transport.is_unreachable(error) else Outcome.RETRY


def retry_delay(tries: int) -> timedelta:
    """How long to wait after the ``tries``-th failed try (``MAIL_RETRY_MINUTES``)."""
    minutes = current_app.config["MAIL_RETRY_MINUTES"] if has_app_context() else RETRY_MINUTES
    return timedelta(minutes=minutes[min(tries, len(minutes)) - 1])


# -- The sweep ----------------------------------------------------------------------------


def release_stale_leases() -> int:
    """Rows left ``sending`` longer than the lease (a worker died): back to pending, or dead
    when they have used up their tries (a mail that kills its worker must not loop)."""
    config = current_app.config
    now = utcnow()
    stale = (OutboxMessage.state == State.SENDING) & (
        OutboxMessage.claimed_at < now - timedelta(seconds=config["MAIL_LEASE_SECONDS"])
    )
    used_up = OutboxMessage.tries >= config["MAIL_MAX_TRIES"]
    released = 0
    for state, condition in ((State.DEAD, used_up), (State.PENDING, ~used_up)):
        released += (
            OutboxMessage.update(state=state, next_try_at=now, last_error=LEASE_EXPIRED)
            .where(stale & condition)
            .execute()
        )
    return released


def due(limit: int, now: datetime | None = None):
    """The ids of the rows due for a try, longest waiting first (index state, next_try_at)."""
    return (
        OutboxMessage.select(OutboxMessage.id)
        .where(
            OutboxMessage.state.in_(CLAIMABLE) & (OutboxMessage.next_try_at <= (now or utcnow()))
        )
        .order_by(OutboxMessage.next_try_at, OutboxMessage.id)
        .limit(limit)
    )


def sweep() -> Counter:
    """Release stale leases, then deliver what is due, ``MAIL_SWEEP_BATCH`` rows at a time,
    until nothing is due or ``MAIL_SWEEP_SECONDS`` have passed.

    One batch a minute drained a backlog too slowly: after the mail server was away for
    30 s under load (``make cluster-test``), hundreds of mails waited for minutes. The time
    limit keeps one sweep within its minute; sweeps of several consumers share the rows, as
    each row is claimed once. Stops at the first row whose server cannot be reached: the
    others would only wait for the same timeout. Returns how many rows ended how.
    """
    outcomes = Counter(released=release_stale_leases())
    size = current_app.config["MAIL_SWEEP_BATCH"]
    until = time.monotonic() + current_app.config["MAIL_SWEEP_SECONDS"]
    while time.monotonic() < until:
        batch = list(due(size))
        for row in batch:
            outcome = deliver(row.id)
            outcomes[outcome.value] += 1
            if outcome is Outcome.UNREACHABLE:
                return outcomes
        if len(batch) < size:
            break
    return outcomes
