"""Support units (DOC-3): billable records draw them down exactly once, corrections too; free
fixes draw nothing; the balance may go below zero with a warning; a low balance mails the main
contacts once (real SMTP); the customer's start page and the case page show what is left."""

from datetime import date, timedelta

import pytest
from peewee import IntegrityError

from helpdesk.contracts import billing, service, units
from helpdesk.contracts.billing_models import TimeRecord, UnitDraw
from helpdesk.db import db

TODAY = date.today()


@pytest.fixture
def app(make_app, smtp_server):
    return make_app(**smtp_server.settings)


@pytest.fixture
def units_contract(app, demo_people):
    with app.app_context():
        contract = service.add_contract(
            demo_people["erik.first"],
            demo_people["mia.member"].organisation,
            kind="units",
            title="Supportpaket 10",
            starts_on=TODAY - timedelta(days=10),
            ends_on=TODAY + timedelta(days=355),
            units_bought=10,
        )
        return contract


def _left(app, organisation_id):
    with app.app_context():
        return units.balances(organisation_id)[0].left


def test_billable_time_draws_units_exactly_once(
    app, demo_people, units_contract, open_case, smtp_server
):
    erik, mia = demo_people["erik.first"], demo_people["mia.member"]
    with app.app_context():
        question = open_case(mia, case_type="question")  # billable by default
        fault = open_case(mia, case_type="fault")  # a free fix
        record = billing.record_time(erik, question, minutes=90, activity="Training")
        billing.record_time(erik, fault, minutes=120, activity="Fix")
        assert units.balances(mia.organisation_id)[0].used == 1.5
        # The database holds a record to one draw.
        with pytest.raises(IntegrityError), db.atomic():
            UnitDraw.create(record=record, contract=units_contract, minutes=90)
        billing.correct(erik, record, -30, "Counted the break")
        assert UnitDraw.select().count() == 2
    assert _left(app, mia.organisation_id) == 9
    page = app.test_client().sign_in_as(mia).get("/portal")
    assert "Supportpaket 10" in page.text and "9.00" in page.text
    case_page = app.test_client().sign_in_as(erik).get(f"/cases/{question.call_id}")
    assert "9.00" in case_page.text
    assert not smtp_server.messages_to("martin.main@muster.example")  # not low yet


def test_a_low_balance_mails_the_main_contacts_once_and_may_go_below_zero(
    app, demo_people, units_contract, open_case, smtp_server
):
    erik, mia = demo_people["erik.first"], demo_people["mia.member"]
    with app.app_context():
        case = open_case(mia, case_type="question")
        billing.record_time(erik, case, minutes=8 * 60 + 30, activity="Migration")
        billing.record_time(erik, case, minutes=60, activity="More")
        billing.record_time(erik, case, minutes=120, activity="Even more")
        assert TimeRecord.select().count() == 3
    assert _left(app, mia.organisation_id) == -1.5
    told = smtp_server.messages_to("martin.main@muster.example")
    assert len(told) == 1 and "Supportpaket 10" in told[0]["Subject"]
    page = app.test_client().sign_in_as(erik).get(f"/cases/{case.call_id}")
    assert "exceeded" in page.text
    assert 'id="units-warning"' in page.text and "-1.50 left" in page.text


def test_the_agent_is_told_what_is_left_and_warned_below_zero(
    app, demo_people, units_contract, open_case
):
    """Recording billable time that takes the units below zero is not refused, but the time
    panel the agent gets back (htmx or a full page) warns; before, it says what is left."""
    erik, mia = demo_people["erik.first"], demo_people["mia.member"]
    with app.app_context():
        case = open_case(mia, case_type="question")
        billing.record_time(erik, case, minutes=9 * 60 + 30, activity="Migration")
    agent = app.test_client().sign_in_as(erik)
    before = agent.get(f"/cases/{case.call_id}").text
    assert 'id="units-hint"' in before and "0.50 units left" in before
    assert 'id="units-warning"' not in before
    answer = agent.post(
        f"/cases/{case.call_id}/time",
        data={"minutes": "60", "activity": "Go-live"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert 'id="units-warning"' in answer.text and "-0.50 left" in answer.text
    assert _left(app, mia.organisation_id) == -0.5


def test_the_customers_case_page_shows_what_is_left_never_to_another_organisation(
    app, demo_people, units_contract, open_case, foreigner
):
    erik, mia = demo_people["erik.first"], demo_people["mia.member"]
    with app.app_context():
        question = open_case(mia, case_type="question")
        billing.record_time(erik, question, minutes=120, activity="Training")
        own = open_case(foreigner, case_type="question")
        # The service asks whose units they are, not only whether a case page is shown.
        assert units.for_customer_of(foreigner, mia.organisation_id) == []
        assert units.for_customer_of(erik, mia.organisation_id) == []  # agents: billing panel
    page = app.test_client().sign_in_as(mia).get(f"/cases/{question.call_id}")
    assert 'class="units-left">8.00<' in page.text and "Supportpaket 10" in page.text
    stranger = app.test_client().sign_in_as(foreigner)
    assert stranger.get(f"/cases/{question.call_id}").status_code == 404
    for url in (f"/cases/{own.call_id}", "/portal"):
        shown = stranger.get(url)
        assert shown.status_code == 200
        assert "Supportpaket 10" not in shown.text and 'class="units-left"' not in shown.text
