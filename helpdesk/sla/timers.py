"""The status timers' sweep and the policy preview, one piece of code for both (FLOW-3).

``upcoming`` walks what a vendor's timers will do to a case from its clock: the step due next,
the steps after it, and on into the status a step moves the case to. The case page shows that
walk as the policy preview; the sweep acts on its steps that are due.

The sweep (``sweep``, run every minute by ``helpdesk.sla.tasks``) reads due clocks by the
``timer_due_at`` index in batches, holding their cases (``_drain_timers``), and claims them
with a conditional UPDATE (still due): of two workers, or a retried task, only one changes
a row, and it acts in the same transaction, so a reminder goes out once or not at all.

Catching up after downtime: when several steps of a status are overdue at once, a reminder
with a later step also due is skipped (nobody needs a reminder for a case that closes in the
same minute), and a move's mail is left out when the status it moves to is itself already
due to act. Moves count the next status from the instant the step was due, so a worker
stopped for days closes what the rules would have closed, without a burst of stale mail.
The same sweep sends the SLA warnings (``alerts``): before a response is due to the assignee,
at the breach to the assignee and the team's managers.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from helpdesk.accounts.models import User
from helpdesk.cases import changes, service
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Case
from helpdesk.db import db, is_postgres
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.mail import notify, outbox
from helpdesk.policy import Category, current_policy
from helpdesk.sla import clocks
from helpdesk.sla import policy as sla
from helpdesk.sla.models import CaseClock
from helpdesk.sla.policy import Action, Timer
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

#: How far the preview walks, in steps.
PREVIEW_STEPS = 6


@dataclass(frozen=True)
class Step:
    """One thing the rules will do: ``timer`` of ``status`` at ``when``."""

    when: datetime
    status: str
    index: int
    timer: Timer

    @property
    def target_status(self) -> str | None:
        if self.timer.action in (Action.MOVE, Action.RESUBMIT):
            return self.timer.to_status
        if self.timer.action == Action.CLOSE:
            return closed_status()
        return None


def closed_status() -> str:
    return next(s.key for s in current_policy().statuses if s.category == Category.CLOSED)


def upcoming(clock: CaseClock, calendar, follow: bool = True, limit: int = PREVIEW_STEPS):
    """The steps the timers will take from ``clock``'s state, in order, at most ``limit``.

    With ``follow`` the walk continues into the status a step moves to, counted from that
    step's instant; without, it stays in the current status (what the sweep acts on).
    """
    status, index, base = clock.timer_status, clock.timer_step, clock.timer_base_at
    steps: list[Step] = []
    while status and base is not None and len(steps) < limit:
        timers = sla.status_timers(status)
        if index >= len(timers):
            break
        timer = timers[index]
        when = clocks.step_due(timer, clock, calendar, base)
        if when is None:
            break
        step = Step(when, status, index, timer)
        steps.append(step)
        if step.target_status is None:
            index, base = index + 1, when
            continue
        if not follow:
            break
        status, index, base = step.target_status, 0, when
    return steps


# -- the sweep ----------------------------------------------------------------------------


def sweep(now: datetime | None = None, batch: int | None = None) -> int:
    """Act on every due timer and SLA alert; returns how many cases were acted on."""
    now = now or utcnow()
    batch = batch or current_app.config["SLA_TIMER_BATCH"]
    return _drain_timers(now, batch) + _drain(CaseClock.alert_at, now, batch, _alert)


def _drain_timers(now: datetime, batch: int) -> int:
    """The due status timers, a batch per transaction until none is left.

    A batch is read and claimed in one transaction that holds its rows: PostgreSQL locks its
    cases (``FOR UPDATE OF case SKIP LOCKED``: a second worker takes the next cases instead
    of waiting, and so does a sweep meeting a case that a person's change holds), SQLite's
    transaction holds the write lock from its start. So one UPDATE claims the whole batch and
    returns its clocks, nobody else changes its cases until it commits, and the cases and
    their requesters are read in two queries. The batch writes its timeline entries and its
    mail in one multi-row INSERT each, and its hooks hear it once.

    Why this cannot deadlock on PostgreSQL: every change locks a case's row before its clock
    (the clock is locked by the hook ``clocks`` after the change wrote the case), so a
    change waits for a clock only of a case whose row it holds (the SLA alerts and a
    resubmission date lock a clock alone, and then add to no counter); the sweep takes case rows
    without waiting, then their clocks, then the counters its hooks add to (in the keys'
    order, as every change does). A change that meets a case of the batch waits at the
    case's row, before it holds any counter. As in ``_drain``, a row read again in a state
    already tried ends the run.
    """
    done, tried = 0, set()
    while True:
        with db.atomic():
            query = (
                CaseClock.select(CaseClock.case, CaseClock.timer_due_at, CaseClock.timer_step)
                .join(Case, on=(Case.id == CaseClock.case))
                .where(CaseClock.timer_due_at <= now)
                .order_by(CaseClock.timer_due_at)
                .limit(batch)
            )
            if is_postgres():
                query = query.for_update(of=Case, skip_locked=True)
            rows = [row for row in query if _state(row, CaseClock.timer_due_at) not in tried]
            if not rows:
                return done
            tried.update(_state(row, CaseClock.timer_due_at) for row in rows)
            done += _act_on_batch(rows, now)


def _act_on_batch(rows: list[CaseClock], now: datetime) -> int:
    # Claimed as they are now: a worker that acted on one of these cases after this
    # transaction's read (and before its lock) has taken it out of the due set, or moved it
    # on to a step that is due now (which this worker then takes).
    claimed = (
        CaseClock.update(timer_due_at=None, timer_step=CaseClock.timer_step + 1)
        .where(CaseClock.case.in_([row.case_id for row in rows]) & (CaseClock.timer_due_at <= now))
        .returning(*CaseClock._meta.sorted_fields)
        .execute()
    )
    clocks_by_case = {clock.case_id: clock for clock in claimed}
    ids = list(clocks_by_case)
    due = {row.case_id: row.timer_due_at for row in rows}
    cases = {c.id: c for c in Case.select().where(Case.id.in_(ids))}
    people = {c.requester_id for c in cases.values()} | {
        c.assignee_id for c in cases.values() if c.assignee_id
    }
    users = {u.id: u for u in User.select().where(User.id.in_(people))}
    for case in cases.values():
        case.requester = users[case.requester_id]
        if case.assignee_id:
            case.assignee = users[case.assignee_id]
    calendar, done = sla.calendar(), 0
    # The batch is one change: the hooks (clocks, reports, webhooks) hear its timeline
    # entries once, at its end, and read what they need for all its cases at once.
    # Its timeline entries go into the database in one INSERT at its end (``deferred``),
    # its mail in another (``outbox.batched``), each template prepared once per language.
    # No case acts in a savepoint of its own: its cases are held (see ``_drain_timers``), so
    # a status move's compare-and-set cannot fail, and a case that failed anyway would have
    # written nothing but its claim (its entries and mail wait in the lists until the end).
    with (
        sla.timers_kept(),
        notify.rendering_once(),
        outbox.batched() as mails,
        clocks.effective_times(),
        changes.deferred() as moves,
        changes.changing() as events,
    ):
        for case_id in ids:
            written, recorded, moved = len(mails), len(events), len(moves)
            clock = clocks_by_case[case_id]
            clock.timer_step -= 1  # walk from the claimed step
            try:
                done += _take(cases[case_id], clock, now, calendar)
            except CaseError as error:
                del mails[written:]
                del events[recorded:]
                del moves[moved:]
                _unclaim(clock, due[case_id], error)
        # The batch's status moves, in one UPDATE: a case whose status was not the one read
        # (which its held row rules out) takes back its entries and mail, as above.
        failed = changes.write_moves()
        if failed:
            mails[:] = [m for m in mails if m["case"] is None or m["case"].id not in failed]
            events[:] = [e for e in events if e.case_id not in failed]
            for case_id in failed:
                _unclaim(clocks_by_case[case_id], due[case_id], "its status changed")
            done -= len(failed)
    return done


def _unclaim(clock: CaseClock, due_at: datetime, error) -> None:
    """Give back the claim of a case the batch could not act on."""
    CaseClock.update(timer_due_at=due_at, timer_step=clock.timer_step).where(
        CaseClock.case == clock.case_id
    ).execute()
    log.warning("sweep: case %s changed under the batch (%s)", clock.case_id, error)


def _drain(column, now, batch, act) -> int:
    """Take due rows by ``column`` in batches until none is left. Acting takes a row out of
    the due set, or puts it back in a new state (a move into a status that is itself overdue);
    a row read again in a state already tried ends the run, so a stuck row cannot loop."""
    done, tried = 0, set()
    while True:
        query = (
            CaseClock.select(CaseClock.case, column, CaseClock.timer_step, CaseClock.alert_stage)
            .where(column <= now)
            .order_by(column)
            .limit(batch)
        )
        rows = [row for row in query if _state(row, column) not in tried]
        if not rows:
            return done
        for row in rows:
            tried.add(_state(row, column))
            try:
                done += bool(act(row, now))
            except CaseError as error:
                # As in ``_act_on_batch``: the claim is rolled back with the move.
                log.info("sweep: case %s changed meanwhile (%s)", row.case_id, error)


def _state(row, column) -> tuple:
    return (row.case_id, getattr(row, column.name), row.timer_step, row.alert_stage)


def _fire(row: CaseClock, now: datetime) -> bool:
    """Claim one case's due step, as read in ``row``, and take it (a sweep of one case)."""
    with db.atomic():
        claimed = (
            CaseClock.update(timer_due_at=None, timer_step=CaseClock.timer_step + 1)
            .where(
                (CaseClock.case == row.case_id)
                & (CaseClock.timer_due_at == row.timer_due_at)
                & (CaseClock.timer_step == row.timer_step)
            )
            .execute()
        )
        if not claimed:
            return False
        clock = CaseClock.get(CaseClock.case == row.case_id)
        clock.timer_step -= 1  # walk from the claimed step
        return _take(Case.get_by_id(row.case_id), clock, now, sla.calendar())


def _take(case: Case, clock: CaseClock, now: datetime, calendar) -> bool:
    """Take the claimed step of ``clock``, with what else of its status is overdue."""
    if clock.timer_status != case.status:  # stale: re-plan from the case as it is
        _replan(clock, case, calendar)
        return False
    due = [s for s in upcoming(clock, calendar, follow=False, limit=50) if s.when <= now]
    for position, step in enumerate(due):
        later_due = position + 1 < len(due)
        if step.timer.action == Action.REMIND:
            if not later_due:
                _remind(case, step)
            continue
        _move(case, step, clock, calendar, now)
        return True
    last = due[-1] if due else None
    fresh = CaseClock.get(CaseClock.case == case.id)
    fresh.timer_step = (last.index + 1) if last else clock.timer_step
    fresh.timer_base_at = last.when if last else clock.timer_base_at
    clocks.schedule_timer(fresh, calendar)
    fresh.save()
    return True


def _replan(clock, case, calendar) -> None:
    clock.timer_status, clock.timer_step, clock.timer_base_at = case.status, 0, utcnow()
    clocks.schedule_timer(clock, calendar)
    clock.save()


def _remind(case: Case, step: Step) -> None:
    notify.send(step.timer.mail or "timer_reminder", case.requester, case=case, step=step)
    service.system_note(case, str(_reason(step, _l("Reminder sent to the requester"))))


def _move(case: Case, step: Step, clock, calendar, now) -> None:
    """Take a moving step at its due instant; its mail only if still news."""
    target = step.target_status
    after = CaseClock(
        timer_status=target, timer_step=0, timer_base_at=step.when, resubmit_at=clock.resubmit_at
    )
    next_steps = upcoming(after, calendar, follow=False, limit=1)
    stale = bool(next_steps) and next_steps[0].when <= now
    label = {
        Action.MOVE: _l("Moved by the status timer"),
        Action.CLOSE: _l("Closed by the status timer"),
        Action.RESUBMIT: _l("Resubmission date reached"),
    }[step.timer.action]
    with clocks.effective_times() as effective:
        effective[case.id] = step.when
        service.system_move(case, target, str(_reason(step, label)))
    if step.timer.mail and not stale:
        notify.send(
            step.timer.mail,
            case.requester,
            case=case,
            step=step,
            next_step=next_steps[0] if next_steps else None,
        )
    if step.timer.action == Action.RESUBMIT and case.assignee_id:
        notify.send("timer_resubmission", case.assignee, case=case, step=step)


def _reason(step: Step, label) -> str:
    return _l(
        "%(label)s: %(after)s %(unit)s in %(status)s.",
        label=label,
        after=step.timer.after,
        unit=unit_label(step.timer.unit),
        status=current_policy().label("status", step.status),
    )


def unit_label(unit) -> str:
    return str(
        {
            "days": _l("days"),
            "hours": _l("hours"),
            "business_days": _l("business days"),
            "business_hours": _l("business hours"),
            "business_minutes": _l("business minutes"),
        }[unit]
    )


# -- SLA alerts ---------------------------------------------------------------------------


def _alert(row: CaseClock, now: datetime) -> bool:
    """Warn before a response is due (stage 0) and at its breach (stage 1), each once."""
    with db.atomic():
        claimed = (
            CaseClock.update(alert_stage=row.alert_stage + 1, alert_at=None)
            .where((CaseClock.case == row.case_id) & (CaseClock.alert_stage == row.alert_stage))
            .where(CaseClock.alert_at <= now)
            .execute()
        )
        if not claimed:
            return False
        clock = CaseClock.get(CaseClock.case == row.case_id)
        case = Case.get_by_id(row.case_id)
        breach = row.alert_stage >= 1 or clock.response_due_at <= now
        if breach:
            clock.alert_stage = 2
            clock.breached_at = clock.response_due_at
        clock.alert_at = clocks.alert_time(clock)
        clock.save()
        recipients = [case.assignee] if case.assignee_id else []
        if (breach or not recipients) and case.team_id:
            recipients.extend(
                User.select().where((User.team == case.team_id) & User.is_manager & User.active)
            )
        template = "sla_breach" if breach else "sla_warning"
        for user in {u.id: u for u in recipients}.values():
            notify.send(template, user, case=case, clock=clock)
    return True
