"""The Swiss web-hosting policy through the real portal: enabled by its entry point, targets by
priority in business time across a weekend and Swiss holidays, billing routed to the billing
team, the maintenance status pausing the clock, the waiting timers, resolved to closed.

Times in the comments are Zurich wall-clock time (CET, UTC+1, in winter); the portal stores
naive UTC, so each expectation is written in UTC.
"""

import json
from datetime import UTC, datetime
from importlib.metadata import entry_points

import helpdesk_swiss_hosting
import pytest
import time_machine

from helpdesk.accounts.models import Organisation
from helpdesk.cases import service
from helpdesk.cases.models import Case
from helpdesk.mail.models import OutboxMessage
from helpdesk.policy import current_policy
from helpdesk.products.models import Product
from helpdesk.sla import timers
from helpdesk.sla.models import CaseClock


@pytest.fixture
def portal(app, demo_people):
    """An app context of the Swiss portal with its demo data, the customer under Premium."""
    with app.app_context():
        Organisation.update(contract_class="premium").execute()
        yield demo_people


@pytest.fixture
def clock():
    """The clock, stopped; ``clock.move_to(datetime)`` moves it."""
    with time_machine.travel(datetime(2026, 11, 30, 7, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def at(clock, *args) -> datetime:
    """Move the clock to the naive UTC instant ``datetime(*args)``."""
    moment = datetime(*args)
    clock.move_to(moment.replace(tzinfo=UTC))
    return moment


def open_case(people, case_type, requester="mia.member") -> Case:
    return service.open_case(
        service.NewCase(
            requester=people[requester],
            product=Product.select().first(),
            subject=f"A {case_type} case",
            description="Details.",
            case_type=case_type,
            severity="normal",
        )
    )


def due(case) -> datetime | None:
    return CaseClock.get(CaseClock.case == case.id).response_due_at


def status(case) -> str:
    return Case.get_by_id(case.id).status


def mails_to(person) -> list[str]:
    return [
        row.subject
        for row in OutboxMessage.select().order_by(OutboxMessage.id)
        if person.email in json.loads(row.recipients)
    ]


def test_the_plugin_is_enabled_by_its_entry_point(app):
    [entry_point] = entry_points(group="helpdesk", name="swiss_hosting")
    assert entry_point.value == "helpdesk_swiss_hosting"
    assert app.extensions["plugins"].get_plugin("swiss_hosting") is helpdesk_swiss_hosting
    with app.app_context():
        policy = current_policy()
    assert [c.key for c in policy.contract_classes] == ["premium", "standard"]
    assert [t.key for t in policy.case_types] == [
        "outage",
        "degraded",
        "configuration",
        "billing",
        "feature_request",
    ]


@pytest.mark.parametrize(
    ("case_type", "premium", "standard"),
    [
        ("outage", "p1", "p2"),
        ("degraded", "p2", "p3"),
        ("configuration", "p3", "p4"),
        ("billing", "p3", "p3"),
        ("feature_request", "p4", "p4"),
    ],
)
def test_priority_by_type_and_contract_class(app, case_type, premium, standard):
    policy = app.extensions["policy"]
    assert policy.priority_for(case_type, "normal", "premium") == premium
    assert policy.priority_for(case_type, "critical", "standard") == standard
    assert policy.priority_for(case_type, "low", None) == standard  # no contract: Standard


def test_first_response_targets_by_priority_across_weekend_and_holidays(portal, clock):
    # P1, 30 business minutes: Friday 2026-12-18 17:45, 15 minutes left that day; Monday
    # 07:30 + 15 min = 07:45
    at(clock, 2026, 12, 18, 16, 45)
    outage = open_case(portal, "outage")
    assert outage.priority == "p1" and due(outage) == datetime(2026, 12, 21, 6, 45)
    # P2, 2 business hours: Thursday 2026-12-24 17:00, 1 h that day; Christmas (Friday 25),
    # Stephanstag (Saturday 26), Sunday; Monday 28 07:30 + 1 h = 08:30
    at(clock, 2026, 12, 24, 16, 0)
    degraded = open_case(portal, "degraded")
    assert degraded.priority == "p2" and due(degraded) == datetime(2026, 12, 28, 7, 30)
    # P3, 1 business day (10.5 h): Wednesday 2025-12-31 12:00, 6 h that day; New Year's Day,
    # Berchtoldstag (Friday 2 January, closed though Zurich does not list it), the weekend;
    # Monday 5 January 07:30 + 4.5 h = 12:00
    at(clock, 2025, 12, 31, 11, 0)
    billing = open_case(portal, "billing")
    assert billing.priority == "p3" and due(billing) == datetime(2026, 1, 5, 11, 0)
    # P4, 3 business days: Monday 2026-11-30 10:00 -> Thursday 3 December 10:00
    at(clock, 2026, 11, 30, 9, 0)
    feature = open_case(portal, "feature_request")
    assert feature.priority == "p4" and due(feature) == datetime(2026, 12, 3, 9, 0)
    # ... and opened on a Saturday: from Monday's opening, the end of Wednesday (18:00)
    at(clock, 2026, 11, 28, 9, 0)
    weekend = open_case(portal, "feature_request")
    assert due(weekend) == datetime(2026, 12, 2, 17, 0)


def test_a_standard_contract_gets_the_lower_priority_and_its_target(portal, clock):
    Organisation.update(contract_class="standard").execute()
    at(clock, 2026, 11, 30, 9, 0)  # Monday 10:00
    outage = open_case(portal, "outage")
    assert outage.priority == "p2" and due(outage) == datetime(2026, 11, 30, 11, 0)  # 12:00


def test_the_case_page_shows_the_target_by_priority(app, portal, clock, agent_client):
    at(clock, 2026, 11, 30, 9, 0)
    case = open_case(portal, "feature_request")
    page = agent_client.get(f"/cases/{case.call_id}").get_data(as_text=True)
    assert "3 business days" in page and "P4 – low" in page


def test_billing_is_routed_to_the_billing_team(portal, clock):
    at(clock, 2026, 11, 30, 9, 0)
    assert open_case(portal, "billing").team.key == "billing"
    assert open_case(portal, "outage").team.key == "support"
    assert open_case(portal, "configuration").team.key == "support"


def test_maintenance_on_hold_pauses_the_response_clock(portal, clock):
    agent = portal["erik.first"]
    at(clock, 2026, 11, 30, 8, 0)  # Monday 09:00, P2: due 11:00
    case = open_case(portal, "degraded")
    assert due(case) == datetime(2026, 11, 30, 10, 0)
    at(clock, 2026, 11, 30, 9, 0)  # an hour used
    service.move_status(case, agent, "maintenance")
    assert due(case) is None
    at(clock, 2026, 12, 1, 9, 0)  # Tuesday 10:00: back to work, one hour left
    service.move_status(Case.get_by_id(case.id), agent, "in_progress")
    assert due(case) == datetime(2026, 12, 1, 10, 0)


def test_waiting_reminds_after_two_business_days_and_closes_after_three_more(portal, clock):
    agent, customer = portal["erik.first"], portal["mia.member"]
    at(clock, 2026, 11, 27, 9, 0)  # Friday 10:00
    case = open_case(portal, "configuration")
    service.add_message(case, agent, "Which PHP version do you run?")
    service.move_status(Case.get_by_id(case.id), agent, "waiting")
    # 2 business days: Tuesday 1 December 10:00
    at(clock, 2026, 12, 1, 8, 59)
    assert timers.sweep() == 0
    at(clock, 2026, 12, 1, 9, 0)
    assert timers.sweep() == 1
    assert status(case) == "waiting"
    assert mails_to(customer)[-1] == f"[#{case.call_id}] Reminder: we are waiting for your answer"
    # 3 business days more: Friday 4 December 10:00
    at(clock, 2026, 12, 4, 8, 59)
    assert timers.sweep() == 0
    at(clock, 2026, 12, 4, 9, 0)
    assert timers.sweep() == 1
    assert status(case) == "closed"
    assert mails_to(customer)[-2:] == [  # the notice, then the survey it asks for
        f"[#{case.call_id}] Your case was closed without your answer",
        f"[#{case.call_id}] How satisfied were you with our support? A configuration case",
    ]


def test_resolved_closes_after_seven_days(portal, clock):
    agent = portal["erik.first"]
    at(clock, 2026, 12, 4, 16, 0)  # Friday 17:00
    case = open_case(portal, "outage")
    service.move_status(case, agent, "resolved")
    at(clock, 2026, 12, 11, 15, 59)  # seven calendar days, not business days
    assert timers.sweep() == 0
    at(clock, 2026, 12, 11, 16, 0)
    assert timers.sweep() == 1
    assert status(case) == "closed"
