"""Time statements (DOC-3): grouped by call id, free and billable totals and units that add up
(summed here independently from the rows), as a page, an xlsx and a PDF; customers see their
own organisation's, agents any."""

import io
from datetime import date, timedelta

import lxml.html
import pytest
from openpyxl import load_workbook

from helpdesk.contracts import billing, service, statements
from helpdesk.contracts.billing_models import TimeRecord
from helpdesk.testing.cases import person
from tests.contracts.conftest import text_of

TODAY = date.today()


@pytest.fixture
def recorded(app, demo_people, open_case):
    """Two cases of Muster with records (one corrected) and one record outside the period."""
    erik = demo_people["erik.first"]
    with app.app_context():
        service.add_contract(
            erik,
            demo_people["mia.member"].organisation,
            kind="units",
            title="Units",
            starts_on=TODAY - timedelta(days=30),
            units_bought=20,
        )
        first = open_case("mia.member", case_type="fault", subject='=HYPERLINK("x")')
        second = open_case("mia.member", case_type="question")
        a = billing.record_time(erik, first, minutes=45, activity="Analysis")
        billing.record_time(erik, second, minutes=90, activity="Training")
        billing.record_time(
            erik, second, minutes=30, activity="Call", billable=False, reason="Goodwill"
        )
        billing.correct(erik, a, -15, "Break")
        billing.record_time(
            erik, second, minutes=60, activity="Old", worked_on=TODAY - timedelta(days=40)
        )
    return first, second


def _period():
    return {"from": (TODAY - timedelta(days=7)).isoformat(), "to": TODAY.isoformat()}


def test_statements_add_up(app, demo_people, recorded):
    first, second = recorded
    organisation = demo_people["mia.member"].organisation
    with app.app_context():
        found = statements.statement(organisation, TODAY - timedelta(days=7), TODAY)
        rows = list(TimeRecord.select().where(TimeRecord.worked_on >= TODAY - timedelta(days=7)))
    # Summed independently, straight from the rows.
    assert found.free == sum(r.minutes for r in rows if not r.billable) == 30 + 30
    assert found.billable == sum(r.minutes for r in rows if r.billable) == 90
    assert found.units == 1.5  # only billable time draws units
    assert [c.case.call_id for c in found.cases] == sorted([first.call_id, second.call_id])
    assert sum(c.free + c.billable for c in found.cases) == sum(r.minutes for r in rows)


def test_page_xlsx_and_pdf_for_the_customer(app, demo_people, recorded):
    first, second = recorded
    organisation_id = demo_people["mia.member"].organisation_id
    customer = app.test_client().sign_in_as(demo_people["paula.portal"])
    url = f"/organisations/{organisation_id}/statement"
    page = customer.get(url, query_string=_period())
    assert page.status_code == 200
    assert first.call_id in page.text and second.call_id in page.text and "Old" not in page.text
    book = load_workbook(io.BytesIO(customer.get(url + ".xlsx", query_string=_period()).data))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert first.call_id in cells and "Training" in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)  # never a formula
    text = text_of(customer.get(url + ".pdf", query_string=_period()).data)
    assert first.call_id in text and "Muster GmbH" in text
    assert customer.get(url, query_string={"from": "x"}).status_code == 422


def test_other_organisations_never_see_a_statement(app, demo_people, recorded, foreigner):
    url = f"/organisations/{demo_people['mia.member'].organisation_id}/statement"
    stranger = app.test_client().sign_in_as(foreigner)
    for suffix in ("", ".xlsx", ".pdf"):
        assert stranger.get(url + suffix).status_code == 404
    agent = app.test_client().sign_in_as(demo_people["erik.first"])
    assert agent.get(url, query_string=_period()).status_code == 200


def test_the_monthly_job_prepares_last_months_statements(app, demo_people, open_case):
    from helpdesk.contracts import tasks
    from helpdesk.mail.models import OutboxMessage

    erik = demo_people["erik.first"]
    with app.app_context():
        case = open_case("mia.member", case_type="question")
        billing.record_time(erik, case, minutes=30, activity="Call", worked_on=date(2026, 10, 5))
        before = OutboxMessage.select().count()
        assert tasks.prepare_statements(today=date(2026, 11, 1)) == 1
        mails = list(OutboxMessage.select().order_by(OutboxMessage.id))[before:]
        assert [m.subject for m in mails] == [
            "Your time statement for 1 Oct 2026 – 31 Oct 2026"
        ] * len(mails)
        assert "martin.main@muster.example" in mails[0].recipients
        assert tasks.prepare_statements(today=date(2026, 12, 1)) == 0  # nothing in November


def test_a_seed_004_customer_gets_the_statement_by_call_id_free_fix_and_billable(
    make_app, open_case
):
    """Seed 004 bills support by call id: an error is fixed free, help is billable (the
    agent may make a billable record free with a reason); the customer's statement, in
    German, groups the records under each call id with its free and billable totals."""
    from helpdesk import demo
    from helpdesk.testing import DEMO_PASSWORD

    app = make_app("small_vendor")
    with app.app_context():
        demo.load(password=DEMO_PASSWORD)
        erik = person("erik.first")
        error = open_case("mia.member", case_type="error", subject="Absturz beim Drucken")
        help_case = open_case("mia.member", case_type="help", subject="Einrichtung Drucker")
        billing.record_time(erik, error, minutes=20, activity="Fehler behoben")
        billing.record_time(erik, help_case, minutes=45, activity="Telefonat")
        billing.record_time(
            erik, help_case, minutes=10, activity="Nachfrage", billable=False, reason="Kulanz"
        )
        organisation_id = error.organisation_id
        paula = person("paula.portal")
    customer = app.test_client().sign_in_as(paula)
    url = f"/organisations/{organisation_id}/statement"
    page = customer.get(url, query_string=_period(), headers={"Accept-Language": "de"})
    assert page.status_code == 200 and "<h1>Zeitnachweis</h1>" in page.text
    document = lxml.html.fromstring(page.text)
    lines = {
        group.xpath(".//th")[0].text_content().split(" · ")[0]: [
            [cell.text_content() for cell in row.xpath("./td")] for row in group.xpath("./tr")[1:]
        ]
        for group in document.xpath("//tbody[@class='statement-case']")
    }
    assert list(lines) == sorted([error.call_id, help_case.call_id])
    assert [row[1:4] for row in lines[error.call_id][:-1]] == [
        ["Fehler behoben", "kostenlose Fehlerbehebung", "0:20"]
    ]
    assert [row[1:4] for row in lines[help_case.call_id][:-1]] == [
        ["Telefonat", "kostenpflichtig", "0:45"],
        ["Nachfrage", "kostenlose Fehlerbehebung", "0:10"],
    ]
    assert lines[error.call_id][-1][0] == "Kostenlos: 0:20 · kostenpflichtig: 0:00"
    assert lines[help_case.call_id][-1][0] == "Kostenlos: 0:10 · kostenpflichtig: 0:45"
    total = document.get_element_by_id("statement-total")
    assert "Kostenlos: 0:30 · kostenpflichtig: 0:45" in total.text_content()


def test_the_agents_organisation_page_shows_open_cases_and_recent_statements(
    app, demo_people, recorded, foreigner, open_case
):
    """Item 8: an agent's organisation page lists the organisation's open cases (not its
    closed ones, not another organisation's) and links this month's and the two months
    before's statements, the current one showing the recorded cases."""
    from helpdesk.cases import service as cases
    from helpdesk.policy import Category, current_policy

    first, second = recorded
    erik = demo_people["erik.first"]
    with app.app_context():
        closed = next(s for s in current_policy().statuses if s.category == Category.CLOSED)
        done = open_case("mia.member", subject="Already done")
        cases.move_status(done, erik, closed.key)
        elsewhere = open_case(foreigner, subject="Somebody else's")
    organisation_id = demo_people["mia.member"].organisation_id
    agent = app.test_client().sign_in_as(erik)
    page = agent.get(f"/organisations/{organisation_id}/contracts")
    document = lxml.html.fromstring(page.text)
    [section] = document.xpath("//section[@aria-labelledby='open-cases-title']")
    listed = [link.text_content() for link in section.xpath(".//a")]
    assert sorted(listed) == sorted([first.call_id, second.call_id])
    assert done.call_id not in listed and elsewhere.call_id not in listed
    [statements_section] = document.xpath("//section[@aria-labelledby='statements-title']")
    links = [link.get("href") for link in statements_section.xpath(".//a")]
    month_start = TODAY.replace(day=1)
    assert len(links) == 3
    assert links[0] == (
        f"/organisations/{organisation_id}/statement?from={month_start.isoformat()}"
        f"&to={TODAY.isoformat()}"
    )
    statement = agent.get(links[0])  # the records were made today
    assert first.call_id in statement.text and second.call_id in statement.text
    assert all(agent.get(link).status_code == 200 for link in links)
