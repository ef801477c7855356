"""The status timers' sweep and the policy preview, one piece of code for both (FLOW-3).

``upcoming`` walks what a vendor's timers will do to a case from its clock: the step due next,
the steps after it, and on into the status a step moves the case to. The case page shows that
walk as the policy preview; the sweep acts on its steps that are due.

The sweep (``sweep``, run every minute by ``helpdesk.sla.tasks``, a job per lane of cases)
reads due clocks by the ``timer_due_at`` index in batches, works out what each case's due
step does without writing (``_act_on_batch``), and then claims the cases with a conditional
UPDATE (their clocks still as read): of two workers, or a retried task, only one changes a
row, and it writes what it worked out in the same transaction, so a reminder goes out once
or not at all.

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
from helpdesk.db import db, is_postgres, reads_only, remainder, update_from_values
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


def sweep(
    now: datetime | None = None, batch: int | None = None, lane: int = 0, lanes: int = 1
) -> int:
    """Act on every due timer and SLA alert of the cases in ``lane`` of ``lanes`` (a case's
    lane is its id modulo ``lanes``: consumers that sweep different lanes at once never
    prepare the same case); returns how many cases were acted on."""
    now = now or utcnow()
    batch = batch or current_app.config["SLA_TIMER_BATCH"]
    in_lane = remainder(CaseClock.case, lanes) == lane if lanes > 1 else None
    done = _drain(CaseClock.timer_due_at, now, batch, _act_on_batch, in_lane)
    return done + _drain(CaseClock.alert_at, now, batch, _alert_each, in_lane)


def _act_on_batch(rows: list[CaseClock], now: datetime) -> int:
    """Act on the due clocks ``rows`` as they were read: first work out, without writing,
    what each case's due step does (its entries, status move and mail, rendered); then, in
    one short transaction, claim the cases whose clocks are still in the state read and
    write what was worked out for them. Only the claim and the writes hold SQLite's one
    write lock, so one consumer works out its next batch while another writes (at 1,000,000
    cases working out is a fifth of a batch's time, writing the rest); on PostgreSQL the
    transaction first takes the cases' rows (``FOR UPDATE SKIP LOCKED``: a case that another
    sweep or a person's change holds is left for the next sweep) and then claims their
    clocks, so every change locks a case before its clock (the clock is locked by the hook
    ``clocks`` after the change wrote the case) and none of them can deadlock with the sweep.
    A reminder or move goes out once or not at all: it is written with its claim, and a
    claim made by another sweep first (or a person's change, which plans the clock anew)
    leaves it out.

    The batch is one change: its status moves are written in one UPDATE, its timeline
    entries in one INSERT, its mail in another, each template prepared once per language
    (``notify.rendering_once``), and its hooks (clocks, reports, webhooks) hear its entries
    once and read what they need for all its cases at once."""
    cases = {c.id: c for c in Case.select().where(Case.id.in_([row.case_id for row in rows]))}
    people = {c.requester_id for c in cases.values()} | {
        c.assignee_id for c in cases.values() if c.assignee_id
    }
    users = {u.id: u for u in User.select().where(User.id.in_(people))}
    for case in cases.values():
        case.requester = users[case.requester_id]
        if case.assignee_id:
            case.assignee = users[case.assignee_id]
    calendar = sla.calendar()
    acted: dict[int, bool] = {}  # by case: whether taking its step counts as acting
    replanned: list[CaseClock] = []  # clocks whose next step is written with the claim
    with (
        sla.timers_kept(),
        notify.rendering_once(),
        outbox.held() as mails,
        clocks.effective_times(),
        changes.prepared() as batch,
    ):
        with reads_only():
            for row in rows:
                if row.case_id not in cases:
                    continue  # deleted since it was read
                mark, written = batch.mark(), len(mails)
                try:
                    acted[row.case_id], planned = _take(cases[row.case_id], row, now, calendar)
                except CaseError as error:
                    batch.take_back_to(mark)
                    del mails[written:]
                    log.warning("sweep: case %s left for later (%s)", row.case_id, error)
                    continue
                if planned:
                    replanned.append(planned)
        with db.atomic():
            claimed = _claim([row for row in rows if row.case_id in acted])
            batch.take_back(set(acted) - claimed)
            for clock in replanned:
                if clock.case_id in claimed:
                    _write_timer(clock)
            failed = batch.write()
            for row in rows:
                if row.case_id in failed:  # its status changed: given back
                    _unclaim(row, "its status changed")
            taken = claimed - failed
            outbox.write([m for m in mails if m["case"] is None or m["case"].id in taken])
    return sum(done for case_id, done in acted.items() if case_id in taken)


def _claim(rows: list[CaseClock]) -> set[int]:
    """Claim the due steps of ``rows`` whose clocks are still in the state read (their
    step taken: ``timer_step`` one on, nothing due until the step's work plans the next);
    on PostgreSQL only of the cases whose rows this transaction could lock at once. The
    ids of the cases claimed."""
    ids = [row.case_id for row in rows]
    if not ids:
        return set()
    if is_postgres():
        held = Case.select(Case.id).where(Case.id.in_(ids)).for_update(skip_locked=True)
        ids = [case.id for case in held]
        if not ids:
            return set()
    wanted = {row.case_id: row for row in rows}
    due = CaseClock._meta.fields["timer_due_at"].db_value
    values = [
        (
            case_id,
            due(wanted[case_id].timer_due_at),
            wanted[case_id].timer_step,
            wanted[case_id].timer_status,
        )
        for case_id in ids
    ]
    table = f'"{CaseClock._meta.table_name}"'
    return update_from_values(
        CaseClock,
        ("case_id", "due", "step", "status"),
        ("integer", "timestamp", "integer", "varchar"),
        values,
        f'"timer_due_at" = NULL, "timer_step" = {table}."timer_step" + 1',
        f'{table}."timer_due_at" = v.due AND {table}."timer_step" = v.step '
        f'AND {table}."timer_status" = v.status',
    )


def _write_timer(clock: CaseClock) -> None:
    """Write the timer columns that taking the claimed step planned anew (a reminder's next
    step, or a clock planned again from its case's status)."""
    CaseClock.update(
        timer_status=clock.timer_status,
        timer_step=clock.timer_step,
        timer_base_at=clock.timer_base_at,
        timer_due_at=clock.timer_due_at,
    ).where(CaseClock.case == clock.case_id).execute()


def _unclaim(row: CaseClock, error) -> None:
    """Give back the claim of a case the batch could not act on: its clock as read."""
    CaseClock.update(timer_due_at=row.timer_due_at, timer_step=row.timer_step).where(
        CaseClock.case == row.case_id
    ).execute()
    log.warning("sweep: case %s changed under the batch (%s)", row.case_id, error)


def _drain(column, now, batch, act, in_lane=None) -> int:
    """Take due rows by ``column`` in batches and ``act`` on each batch (it returns how many
    cases it acted on) until none is left. Acting takes a row out of the due set, or puts
    it back in a new state (a move into a status that is itself overdue); a row read again
    in a state already tried ends the run, so a stuck row cannot loop."""
    done, tried = 0, set()
    while True:
        query = CaseClock.select().where(column <= now).order_by(column).limit(batch)
        if in_lane is not None:
            query = query.where(in_lane)
        rows = [row for row in query if _state(row, column) not in tried]
        if not rows:
            return done
        tried.update(_state(row, column) for row in rows)
        done += act(rows, now)


def _alert_each(rows: list[CaseClock], now: datetime) -> int:
    """The due SLA alerts, each case in its own transaction (``_alert``)."""
    done = 0
    for row in rows:
        try:
            done += bool(_alert(row, now))
        except CaseError as error:
            # As in ``_act_on_batch``: the claim is rolled back with the move.
            log.info("sweep: case %s changed meanwhile (%s)", row.case_id, error)
    return done


def _state(row, column) -> tuple:
    return (row.case_id, getattr(row, column.name), row.timer_step, row.alert_stage)


def _take(case: Case, clock: CaseClock, now: datetime, calendar) -> tuple[bool, CaseClock | None]:
    """Work out taking the due step of ``clock`` (as read), with what else of its status is
    overdue: whether that counts as acting, and the clock's timer planned anew when no
    status move plans it (written with the claim), else None."""
    if clock.timer_status != case.status:  # stale: plan again from the case as it is
        return False, _planned(clock, calendar, case.status, 0, utcnow())
    due = [s for s in upcoming(clock, calendar, follow=False, limit=50) if s.when <= now]
    for position, step in enumerate(due):
        later_due = position + 1 < len(due)
        if step.timer.action == Action.REMIND:
            if not later_due:
                _remind(case, step)
            continue
        _move(case, step, clock, calendar, now)
        return True, None
    if not due:  # no step is due by now after all: planned again as it is
        return True, _planned(
            clock, calendar, clock.timer_status, clock.timer_step, clock.timer_base_at
        )
    return True, _planned(clock, calendar, clock.timer_status, due[-1].index + 1, due[-1].when)


def _planned(clock: CaseClock, calendar, status: str, step: int, base) -> CaseClock:
    """A copy of ``clock`` with its timer planned from ``step`` of ``status`` at ``base``
    (the clock as read stays as it was: the claim compares with it)."""
    planned = CaseClock(**clock.__data__)
    planned.timer_status, planned.timer_step, planned.timer_base_at = status, step, base
    clocks.schedule_timer(planned, calendar)
    return planned


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
