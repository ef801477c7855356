"""The change API of cases: every module that changes a case (the case service, closing,
escalation, development, the status timers, mail) goes through these, so each change is one
transaction whose timeline entries the plugins hear about (``helpdesk_case_changed``).

``changing`` opens the change; ``record_event`` writes a timeline entry; ``set_status``,
``touch`` and ``claim`` write the case row; ``recipients`` names who a public entry is for.
Nothing outside these functions writes ``Case`` rows.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from peewee import Field

from helpdesk.accounts.models import User
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Case, Event, EventKind, EventRecipient, Follower
from helpdesk.db import INSERT_ROWS, db, insert_rows, is_postgres, update_from_values
from helpdesk.hooks import plugin_manager
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.policy import Category

#: The timeline entries written by the change in progress (see ``changing``).
_recording: ContextVar[list[Event] | None] = ContextVar("recording", default=None)
#: Set by ``prepared``: entries are written by its batch, all in one INSERT.
_deferring: ContextVar[bool] = ContextVar("deferring", default=False)
#: Set by ``prepared``: the status moves waiting for ``write_moves`` (case, status read, time).
_moves: ContextVar[list[tuple] | None] = ContextVar("moves", default=None)


@contextmanager
def changing() -> Iterator[list[Event]]:
    """One change of one or more cases: a transaction whose timeline entries are handed to
    ``helpdesk_case_changed`` before it commits, so what the change causes (mail in the
    outbox, timers, SLA clocks) is written with it or not at all. A change started inside
    another (a follow-up opened from a case) joins it and is announced with it."""
    if _recording.get() is not None:
        if _deferring.get():  # no savepoint: the batch takes back a failed part (``prepared``)
            yield _recording.get()
            return
        with db.atomic():
            yield _recording.get()
        return
    events: list[Event] = []
    token = _recording.set(events)
    try:
        with db.atomic():
            yield events
            if write_moves():  # the caller did not take back the cases that failed
                raise CaseError(_l("The case was changed meanwhile; please look at it again."))
            _write_deferred(events)
            if events:
                plugin_manager().hook.helpdesk_case_changed(events=events)
    finally:
        _recording.reset(token)


class Batch:
    """A change of many cases worked out before its transaction (``prepared``): its
    timeline entries (``events``) and status moves (``moves``: case, status read, time)
    wait in memory until ``write`` runs inside the caller's transaction."""

    def __init__(self):
        self.events: list[Event] = []
        self.moves: list[tuple] = []

    def mark(self) -> tuple[int, int]:
        """Where the batch stands, for ``take_back_to``."""
        return len(self.events), len(self.moves)

    def take_back_to(self, mark: tuple[int, int]) -> None:
        """Forget what was added since ``mark`` (a case of the batch that failed)."""
        del self.events[mark[0] :]
        del self.moves[mark[1] :]

    def take_back(self, case_ids: set[int]) -> None:
        """Forget what the batch holds for the cases ``case_ids`` (lost to another writer)."""
        self.events[:] = [e for e in self.events if e.case_id not in case_ids]
        self.moves[:] = [m for m in self.moves if m[0].id not in case_ids]

    def write(self) -> set[int]:
        """Inside the caller's transaction: the status moves in one UPDATE, the entries in
        one INSERT, and then the hooks hear the entries, as at the end of ``changing``. A
        case whose status was no longer the one its move read is not moved, and what the
        batch holds for it is dropped: their ids are returned (the caller takes back the
        rest of what it did for them)."""
        failed = write_moves()
        self.take_back(failed)
        _write_deferred(self.events)
        if self.events:
            plugin_manager().hook.helpdesk_case_changed(events=self.events)
        return failed


@contextmanager
def prepared() -> Iterator[Batch]:
    """Inside, changes of cases are worked out without writing: their timeline entries
    without recipients and their status moves wait in the yielded ``Batch`` until its
    ``write`` (the timer sweep renders a batch's mail and entries while other writers go on,
    then claims its cases and writes the lot in one short transaction). A change started
    inside (``changing``) joins the batch without a transaction or savepoint of its own (and
    hundreds of savepoints cost as much as their work): a caller that goes on after a part
    failed takes it back (``Batch.take_back_to``). Moves are written in one UPDATE, a
    compare-and-set on the status each read (one UPDATE per case cost a round trip each on
    PostgreSQL, and peewee's overhead on both)."""
    batch = Batch()
    tokens = _recording.set(batch.events), _deferring.set(True), _moves.set(batch.moves)
    try:
        yield batch
    finally:
        _moves.reset(tokens[2])
        _deferring.reset(tokens[1])
        _recording.reset(tokens[0])


def write_moves() -> set[int]:
    """Write the status moves that ``prepared`` holds back, one statement for the lot;
    returns the ids of the cases whose status was no longer the one their move read (none
    moved): the caller takes back what those cases wrote, or the change fails."""
    moves = _moves.get()
    if not moves:
        return set()
    waiting, moves[:] = list(moves), []
    failed: set[int] = set()
    for touched in (False, True):  # the cases with and without a time of change
        group = [(case, read, at) for case, read, at in waiting if (at is not None) == touched]
        for start in range(0, len(group), INSERT_ROWS):
            failed |= _move_rows(group[start : start + INSERT_ROWS], touched)
    return failed


def _write_deferred(events: list[Event]) -> None:
    waiting = [event for event in events if event.id is None]
    if not waiting:
        return
    names = [f.name for f in Event._meta.sorted_fields if f.name != "id"]
    rows = [tuple(event.__data__.get(name) for name in names) for event in waiting]
    for event, pk in zip(waiting, insert_rows(Event, names, rows, returning_id=True), strict=True):
        event.id = pk


def record_event(case: Case, author: User | None, kind: EventKind, *, at, **values) -> Event:
    """Append a timeline entry to ``case`` (inside ``changing``, which announces it), with
    its recipients as rows too when ``values`` names them (``recipients``). Inside
    ``prepared`` an entry without recipients is written with the change's others at its end."""
    recording = _recording.get()
    if recording is not None and _deferring.get() and not values.get("recipients"):
        event = Event(case=case, author=author, kind=kind, created_at=at, **values)
        recording.append(event)
        return event
    event = Event.create(case=case, author=author, kind=kind, created_at=at, **values)
    # the same people as rows, for the correspondence rule's indexed lookup (PERM-3)
    rows = [(event.id, user_id) for user_id in json.loads(values.get("recipients") or "[]")]
    if rows:
        EventRecipient.insert_many(
            rows, fields=[EventRecipient.event, EventRecipient.user]
        ).execute()
    recording = _recording.get()
    if recording is not None:
        recording.append(event)
    return event


def recipients(case: Case, author: User) -> str:
    """Who a public message is addressed to: the requester and the followers (without the
    author), as ``record_event`` takes them."""
    ids = {case.requester_id}
    ids.update(f.user_id for f in Follower.select(Follower.user).where(Follower.case == case))
    ids.discard(author.id)
    return json.dumps(sorted(ids))


def set_status(
    case: Case, actor: User | None, status, now, waiting_for=None, touched: bool = False
) -> Event:
    """Move ``case`` to the policy status ``status`` and record it (inside ``changing``),
    without asking anyone's permission: the callers decide who may (``None``: the system).
    ``touched`` also marks the case changed at ``now`` (as ``touch``, in the same UPDATE).

    A compare-and-set on the status ``case`` was read with: of two people who move the same
    case at once (both confirming its solution, say) one wins and the other is told the case
    was changed meanwhile; the caller's transaction, with this entry, is rolled back."""
    read = case.status
    event = record_event(
        case,
        actor,
        EventKind.STATUS,
        at=now,
        field="status",
        old_value=case.status,
        new_value=status.key,
        body=waiting_for or None,
    )
    case.status = status.key
    case.status_category = status.category
    case.is_open = status.category.is_open
    case.waiting_for = (
        (waiting_for or "").strip() or None if status.category == Category.WAITING else None
    )
    moves = _moves.get()
    if moves is not None:  # written by ``write_moves``
        moves.append((case, read, now if touched else None))
        return event
    if not _move_row(case, read, now if touched else None):
        raise CaseError(_l("The case was changed meanwhile; please look at it again."), "status")
    return event


#: The columns a status move writes, and with ``touched`` the time of the change.
_MOVED = ("status", "status_category", "is_open", "waiting_for")


def _move_row(case: Case, read: str, touched_at) -> int:
    """The compare-and-set of ``set_status`` (1: moved, 0: the status was no longer
    ``read``), its SQL written here: a timer sweep's batch moves hundreds of cases,
    and building peewee's query for each cost more than running it."""
    names = _MOVED + (("updated_at",) if touched_at is not None else ())
    fields = Case._meta.fields
    values = [fields[name].db_value(getattr(case, name)) for name in _MOVED]
    if touched_at is not None:
        values.append(fields["updated_at"].db_value(touched_at))
    columns = ", ".join(f'"{fields[name].column_name}" = {db.param}' for name in names)
    sql = f'UPDATE "{Case._meta.table_name}" SET {columns} WHERE "id" = {db.param}'
    sql += f' AND "status" = {db.param}'
    return db.execute_sql(sql, [*values, case.id, read]).rowcount


#: PostgreSQL's types of the columns a batch of moves writes (its VALUES list's parameters
#: need them; SQLite takes the column's own).
_TYPES = {
    "id": "integer",
    "status": "varchar",
    "status_category": "varchar",
    "is_open": "boolean",
    "waiting_for": "text",
    "updated_at": "timestamp",
}


def _move_rows(moves: list[tuple], touched: bool) -> set[int]:
    """``_move_row`` for several cases in one UPDATE from a list of values; the ids of the
    cases it did not move."""
    names = _MOVED + (("updated_at",) if touched else ())
    fields = Case._meta.fields
    rows = []
    for case, read, at in moves:
        row = [case.id, read, *(fields[name].db_value(getattr(case, name)) for name in _MOVED)]
        if touched:
            row.append(fields["updated_at"].db_value(at))
        rows.append(row)
    types = (_TYPES["id"], _TYPES["status"], *(_TYPES[name] for name in names))
    assigned = ", ".join(f'"{fields[name].column_name}" = v.{name}' for name in names)
    matched = f'"{Case._meta.table_name}"."status" = v.was'
    moved = update_from_values(Case, ("id", "was", *names), types, rows, assigned, matched)
    return {case.id for case, _read, _at in moves} - moved


def reread_status(case: Case) -> None:
    """Read ``case``'s status again inside the change (PostgreSQL holds the row until the
    change commits; on SQLite the change holds the write lock): for a move that follows
    from what the change does rather than from what a person chose on the page, as a
    customer's reply handing the ball back. Two replies at once then move the case once,
    and the second is no conflict. ``FOR NO KEY UPDATE``, the lock an UPDATE of the row
    takes, since the entries already written hold a key-share lock on it."""
    query = Case.select(*(Case._meta.fields[name] for name in _MOVED)).where(Case.id == case.id)
    if is_postgres():
        query = query.for_update("FOR NO KEY UPDATE")
    fresh = query.get()
    for name in _MOVED:
        setattr(case, name, getattr(fresh, name))


def touch(case: Case, at: datetime, activity: bool = False) -> None:
    """Mark ``case`` as changed at ``at``; with ``activity`` also as active (a public entry
    that the lists sort and the customer's "last activity" show)."""
    changes = {Case.updated_at: at}
    if activity:
        changes[Case.last_activity_at] = at
    Case.update(changes).where(Case.id == case.id).execute()


def claim(case: Case, column: Field, value, **changes) -> None:
    """Move ``case``'s ``column`` from the value it was read with to ``value`` (with
    ``changes``), unless another request moved it first: the UPDATE is conditional on the
    value read, so two requests from the same page raise the case one step, not twice to the
    same one (the second is refused)."""
    moved = (
        Case.update({column: value, **changes})
        .where((Case.id == case.id) & (column == getattr(case, column.name)))
        .execute()
    )
    if not moved:
        raise CaseError(_l("Someone changed the case meanwhile. Please look at it again."))
