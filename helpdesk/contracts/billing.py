"""Time records on cases (DOC-3, seed 004): agents record what support cost, free fix or
billable; the case type decides the default (``helpdesk_billable_by_default``) and another
choice needs a reason. Records are never edited: a correction is a new record with the minutes
to add (negative to take time off) and a reason, audited like every record. A timer runs on
the server (``RunningTimer``), so a reload or another device finds it still running; stopping
it records the time. Closing, the agent settles the case as free fix or billable, and the
closing mail says which.
"""

import math
from datetime import date

from peewee import JOIN, fn

from helpdesk import audit
from helpdesk.accounts.models import User
from helpdesk.cases.models import Case
from helpdesk.contracts import units
from helpdesk.contracts.billing_models import RunningTimer, Settlement, TimeRecord
from helpdesk.contracts.service import ContractError
from helpdesk.db import Prepared, db
from helpdesk.hooks import plugin_manager
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.permissions import ensure_agent
from helpdesk.timeutil import utcnow

#: The longest record: a day. Longer work is recorded day by day.
MOST_MINUTES = 24 * 60


def default_billable(case: Case) -> bool:
    """Whether time on ``case`` is billable unless the agent says otherwise."""
    return bool(plugin_manager().hook.helpdesk_billable_by_default(case=case))


# The agent's case page asks these three on every view: compiled once (``Prepared``), as
# building each query cost more than running it.
_RECORDS = Prepared(
    lambda case_id: (
        TimeRecord.select(TimeRecord, User)
        .join(User, JOIN.LEFT_OUTER, on=(TimeRecord.agent == User.id))
        .where(TimeRecord.case == case_id)
        .order_by(TimeRecord.id)
    ),
    -7_000_011,
)
_RUNNING = Prepared(
    lambda case_id, agent_id: RunningTimer.select().where(
        (RunningTimer.case == case_id) & (RunningTimer.agent == agent_id)
    ),
    -7_000_012,
    -7_000_013,
)
_SETTLEMENT = Prepared(
    lambda case_id: Settlement.select().where(Settlement.case == case_id), -7_000_014
)


def records_of(case: Case) -> list[TimeRecord]:
    """The case's records, oldest first, with their agents (one query)."""
    return _RECORDS(case.id)


def record_time(agent: User, case: Case, **values) -> TimeRecord:
    """Record ``minutes`` worked on ``worked_on`` (a date), with ``activity``, ``note``,
    ``billable`` (None: the type's default) and ``reason`` (needed when billable differs from
    the default). Agents only; audited."""
    ensure_agent(agent, _l("Only agents record time."))
    minutes = _minutes(values.get("minutes"))
    if not 0 < minutes <= MOST_MINUTES:
        raise ContractError(_l("Please give between 1 and 1440 minutes."), "minutes")
    activity = (values.get("activity") or "").strip()
    if not activity:
        raise ContractError(_l("Please say what was done."), "activity")
    worked_on = values.get("worked_on") or utcnow().date()
    if not isinstance(worked_on, date) or worked_on > utcnow().date():
        raise ContractError(_l("Time cannot be recorded for a future day."), "worked_on")
    default = default_billable(case)
    billable = default if values.get("billable") is None else bool(values["billable"])
    reason = (values.get("reason") or "").strip() or None
    if billable != default and reason is None:
        raise ContractError(
            _l("Please give a reason for settling this time differently from the case type."),
            "reason",
        )
    with db.atomic():
        record = TimeRecord.create(
            case=case,
            organisation=case.organisation_id,
            agent=agent,
            worked_on=worked_on,
            minutes=minutes,
            activity=activity[:100],
            note=(values.get("note") or "").strip() or None,
            billable=billable,
            reason=reason,
        )
        audit.record(agent, "time.recorded", record, None, _logged(record))
        units.draw(record)
    return record


def correct(agent: User, original: TimeRecord, minutes, reason: str) -> TimeRecord:
    """A correction of ``original``: ``minutes`` more (negative: fewer), with a reason; the
    corrected total never goes below zero. Agents only; audited."""
    ensure_agent(agent, _l("Only agents correct time records."))
    if original.corrects_id is not None:
        raise ContractError(_l("Please correct the original record."), "minutes")
    delta = _minutes(minutes)
    if delta == 0 or abs(delta) > MOST_MINUTES:
        raise ContractError(_l("Please give the minutes to add or take off."), "minutes")
    reason = (reason or "").strip()
    if not reason:
        raise ContractError(_l("Please give the reason for the correction."), "reason")
    with db.atomic():
        so_far = (
            TimeRecord.select(fn.SUM(TimeRecord.minutes))
            .where((TimeRecord.id == original.id) | (TimeRecord.corrects == original.id))
            .scalar()
        )
        if so_far + delta < 0:
            raise ContractError(_l("A correction cannot take off more than was recorded."))
        record = TimeRecord.create(
            case=original.case_id,
            organisation=original.organisation_id,
            agent=agent,
            worked_on=original.worked_on,
            minutes=delta,
            activity=original.activity,
            billable=original.billable,
            reason=reason,
            corrects=original,
        )
        audit.record(
            agent, "time.corrected", record, {"minutes": so_far}, {"minutes": so_far + delta}
        )
        units.draw(record)
    return record


def running(agent: User, case: Case) -> RunningTimer | None:
    return _RUNNING.first(case.id, agent.id)


def start_timer(agent: User, case: Case) -> RunningTimer:
    """Start the agent's timer on the case (one per agent and case)."""
    ensure_agent(agent, _l("Only agents record time."))
    if running(agent, case) is not None:
        raise ContractError(_l("Your timer on this case is already running."))
    return RunningTimer.create(case=case, agent=agent, started_at=utcnow())


def stop_timer(agent: User, case: Case, **values) -> TimeRecord:
    """Stop the agent's timer and record the minutes it ran (begun minutes count)."""
    timer = running(agent, case)
    if timer is None:
        raise ContractError(_l("Your timer on this case is not running."))
    seconds = (utcnow() - timer.started_at).total_seconds()
    minutes = min(max(1, math.ceil(seconds / 60)), MOST_MINUTES)
    with db.atomic():
        record = record_time(
            agent, case, **(values | {"minutes": minutes, "worked_on": timer.started_at.date()})
        )
        RunningTimer.delete().where(
            (RunningTimer.case == case.id) & (RunningTimer.agent == agent.id)
        ).execute()
    return record


def settle(agent: User, case: Case, billable: bool | None) -> Settlement:
    """Settle the case as billable support or a free fix (asked when closing); audited."""
    ensure_agent(agent, _l("Only agents settle cases."))
    if billable is None:
        raise ContractError(_l("Please choose free fix or billable."), "billable")
    with db.atomic():
        before = settlement_of(case)
        Settlement.delete().where(Settlement.case == case.id).execute()
        settled = Settlement.create(case=case, billable=billable, settled_by=agent)
        audit.record(
            agent,
            "case.settled",
            case,
            {"billable": before.billable} if before else None,
            {"billable": billable},
        )
    return settled


def settlement_of(case: Case) -> Settlement | None:
    return _SETTLEMENT.first(case.id)


def ensure_settled(case: Case) -> None:
    """Refuse to close ``case`` while it has recorded time but no settlement (the closing
    step of DOC-3): the agent settles it as free fix or billable first. Cases without time
    (or whose corrections took it all off) close as before."""
    minutes = TimeRecord.select(fn.SUM(TimeRecord.minutes)).where(TimeRecord.case == case.id)
    if (minutes.scalar() or 0) > 0 and settlement_of(case) is None:
        raise ContractError(
            _l(
                "This case has recorded time but is not settled yet. Please settle it as "
                "free fix or billable before you set it to solved or closed."
            ),
            "status",
        )


def totals(records: list[TimeRecord]) -> dict[str, int]:
    """Free and billable minutes of ``records`` (corrections included)."""
    billable = sum(r.minutes for r in records if r.billable)
    return {"billable": billable, "free": sum(r.minutes for r in records) - billable}


def _minutes(value) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise ContractError(_l("Please give the minutes as a whole number."), "minutes") from None


def _logged(record: TimeRecord) -> dict:
    return {
        "minutes": record.minutes,
        "billable": record.billable,
        "worked_on": record.worked_on,
        "activity": record.activity,
    }


def panel(
    case: Case,
    agent: User,
    records: bool = True,
    timer: bool = True,
    settlement: bool = True,
    balances: bool = True,
) -> dict:
    """What the case page shows an agent: records, totals, the timer, the settlement, the
    units left. ``records``, ``timer``, ``settlement``, ``balances`` False: the case is known
    to have none (the case page reads that with the case), so they are not asked for."""
    found = records_of(case) if records else []
    left = units.balances(case.organisation_id) if balances else []
    return {
        "records": found,
        "totals": totals(found),
        "default_billable": default_billable(case),
        "timer": running(agent, case) if timer else None,
        "settlement": settlement_of(case) if settlement else None,
        "balances": left,
        # the contract billable time draws from next (``units.draw``): the agent is told
        # what is left, and warned once it is below zero (recording is never refused)
        "drawing": left[0] if left else None,
    }
