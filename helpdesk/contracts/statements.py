"""Time statements (DOC-3, seed 004: "a time statement grouped by call id ... whether it was a
free fix or billable support"): an organisation's time records of a period, grouped by case,
with free and billable totals and the support units drawn. Built from two queries whatever
the number of cases; the page, the xlsx and the PDF all show this one object.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from peewee import JOIN

from helpdesk.accounts.models import Organisation, User
from helpdesk.cases.models import Case
from helpdesk.contracts.billing_models import TimeRecord, UnitDraw
from helpdesk.contracts.models import Contract


@dataclass
class CaseLines:
    case: Case
    records: list = field(default_factory=list)
    free: int = 0  # minutes
    billable: int = 0
    units: Decimal = Decimal("0.00")


@dataclass
class Statement:
    organisation: Organisation
    starts_on: date
    ends_on: date  # inclusive
    cases: list[CaseLines]

    @property
    def free(self) -> int:
        return sum(c.free for c in self.cases)

    @property
    def billable(self) -> int:
        return sum(c.billable for c in self.cases)

    @property
    def units(self) -> Decimal:
        return sum((c.units for c in self.cases), Decimal("0.00"))


def duration(minutes: int) -> str:
    """Minutes as hours:minutes."""
    sign = "-" if minutes < 0 else ""
    return f"{sign}{abs(minutes) // 60}:{abs(minutes) % 60:02d}"


def last_month(today: date) -> tuple[date, date]:
    """The first and last day of the month before ``today``'s."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def recent_months(today: date, count: int = 3) -> list[tuple[date, date]]:
    """This month so far and the ``count - 1`` months before, newest first."""
    months = [(today.replace(day=1), today)]
    while len(months) < count:
        months.append(last_month(months[-1][0]))
    return months


def statement(organisation: Organisation, starts_on: date, ends_on: date) -> Statement:
    """The organisation's records worked from ``starts_on`` to ``ends_on`` (both included),
    by call id, each case's records in the order they were made."""
    rows = (
        TimeRecord.select(TimeRecord, Case, User)
        .join(Case, on=(TimeRecord.case == Case.id))
        .switch(TimeRecord)
        .join(User, JOIN.LEFT_OUTER, on=(TimeRecord.agent == User.id))
        .where(
            (TimeRecord.organisation == organisation.id)
            & (TimeRecord.worked_on >= starts_on)
            & (TimeRecord.worked_on <= ends_on)
        )
        .order_by(Case.call_id, TimeRecord.id)
    )
    records = list(rows)
    draws = {
        record_id: Decimal(minutes) / unit_minutes
        for record_id, minutes, unit_minutes in UnitDraw.select(
            UnitDraw.record, UnitDraw.minutes, Contract.unit_minutes
        )
        .join(Contract)
        .where(UnitDraw.record.in_([r.id for r in records]))
        .tuples()
    }
    by_case: dict[int, CaseLines] = {}
    for record in records:
        lines = by_case.setdefault(record.case_id, CaseLines(record.case))
        lines.records.append(record)
        if record.billable:
            lines.billable += record.minutes
        else:
            lines.free += record.minutes
        lines.units += draws.get(record.id, Decimal(0))
    for lines in by_case.values():
        lines.units = lines.units.quantize(Decimal("0.01"))
    return Statement(organisation, starts_on, ends_on, list(by_case.values()))


def organisations_with_records(starts_on: date, ends_on: date) -> list[int]:
    """Ids of the organisations with time records in the period (for the monthly job)."""
    query = (
        TimeRecord.select(TimeRecord.organisation)
        .where((TimeRecord.worked_on >= starts_on) & (TimeRecord.worked_on <= ends_on))
        .distinct()
    )
    return sorted(row.organisation_id for row in query)
