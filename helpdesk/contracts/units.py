"""Support units (DOC-3, seed 001: "remaining support units"): a contract of kind ``units``
has units bought (each ``unit_minutes`` long) and an expiry (its end). Every billable time
record, and every correction of one, draws its minutes from the organisation's active units
contract that expires first, exactly once (``UnitDraw.record`` is unique). A draw may take the
balance below zero: support is not refused, the agent is warned. When what is left first falls
to a fifth of what was bought, the organisation's main contacts (else its portal admins) are
mailed, once per contract.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from peewee import fn

from helpdesk.accounts.models import CustomerRole
from helpdesk.contracts.billing_models import TimeRecord, UnitDraw
from helpdesk.contracts.models import Contract
from helpdesk.contracts.service import people_of
from helpdesk.db import Prepared
from helpdesk.mail import notify
from helpdesk.permissions import is_customer
from helpdesk.timeutil import utcnow

#: What is left, as a share of what was bought, when the main contacts are told.
LOW_SHARE = Decimal("0.2")


@dataclass(frozen=True)
class Balance:
    contract: Contract
    bought: Decimal
    used: Decimal
    expires_on: date | None

    @property
    def left(self) -> Decimal:
        return self.bought - self.used

    @property
    def low(self) -> bool:
        return self.left <= self.bought * LOW_SHARE


def _active(organisation_id: int, today: date | None = None, today_again: date | None = None):
    today = today or utcnow().date()
    return (
        Contract.select()
        .where(
            (Contract.organisation == organisation_id)
            & (Contract.kind == "units")
            & Contract.units_bought.is_null(False)
            & (Contract.starts_on <= today)
            & (Contract.ends_on.is_null() | (Contract.ends_on >= (today_again or today)))
        )
        .order_by(Contract.ends_on.is_null(), Contract.ends_on, Contract.id)
    )


def _active_on(organisation_id: int, today: date, today_again: date):
    return _active(organisation_id, today, today_again)


#: The same query compiled once: a customer's case page asks it on every view, and building
#: it cost more than the case page's own query (``Prepared``).
_ACTIVE = Prepared(_active_on, -7_000_001, date(1901, 2, 3), date(1901, 4, 5))


def balances(organisation_id: int) -> list[Balance]:
    """The organisation's active units contracts with what is left (one query without such
    a contract, two with)."""
    today = utcnow().date()
    contracts = _ACTIVE(organisation_id, today, today)
    if not contracts:
        return []
    used = dict(
        UnitDraw.select(UnitDraw.contract, fn.SUM(UnitDraw.minutes))
        .where(UnitDraw.contract.in_([c.id for c in contracts]))
        .group_by(UnitDraw.contract)
        .tuples()
    )
    return [
        Balance(
            contract=c,
            bought=Decimal(c.units_bought),
            used=(Decimal(used.get(c.id) or 0) / c.unit_minutes).quantize(Decimal("0.01")),
            expires_on=c.ends_on,
        )
        for c in contracts
    ]


def for_customer_of(user, organisation_id: int) -> list[Balance]:
    """What is left of ``organisation_id``'s units as a customer's case page shows it: only to
    a customer of that organisation (agents see it in the case's billing panel)."""
    if not is_customer(user) or user.organisation_id != organisation_id:
        return []
    return balances(organisation_id)


def draw(record: TimeRecord) -> Balance | None:
    """Draw ``record``'s minutes from the units contract (inside the caller's transaction);
    the balance after it, or None when nothing is drawn (free fix, no units contract)."""
    if not record.billable:
        return None
    contract = _active(record.organisation_id).first()
    if contract is None:
        return None
    UnitDraw.create(record=record, contract=contract, minutes=record.minutes)
    balance = next(b for b in balances(record.organisation_id) if b.contract.id == contract.id)
    if balance.low and contract.low_balance_mailed_at is None:
        _tell_low(contract, balance)
    return balance


def _tell_low(contract: Contract, balance: Balance) -> None:
    marked = (
        Contract.update(low_balance_mailed_at=utcnow())
        .where((Contract.id == contract.id) & Contract.low_balance_mailed_at.is_null())
        .execute()
    )
    if not marked:  # another request told them already
        return
    organisation_id = contract.organisation_id
    people = people_of(organisation_id, CustomerRole.MAIN_CONTACT) or people_of(
        organisation_id, CustomerRole.PORTAL_ADMIN
    )
    for person in people:
        notify.send("units_low", person, contract=contract, balance=balance)
