"""Every figure of the dashboard against numbers counted by hand from a small fixed dataset,
and the customer's view of it: their own organisation's cases only, nothing internal."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from helpdesk.accounts.models import Organisation, User
from helpdesk.audit import AuditLog
from helpdesk.cases import service
from helpdesk.escalation import service as escalation
from helpdesk.reports import service as reports
from helpdesk.survey import service as survey
from helpdesk.survey.models import SurveyResponse

#: The dataset, day by day (UTC), as ``dataset`` builds it:
#:   2 March: A (web, critical), B (mail, high), C (phone, low) opened; D (web, low) of Fremd AG
#:   3 March: A solved; B waiting for the customer, assigned to Erik, escalated to level 1
#:   4 March: A closed and rated 4 ("Quick help"); E (web, low) opened
#: Open now: B waiting, C new, E new; D new at Fremd AG.


@pytest.fixture
def dataset(world, open_case, clock):
    erik = world["erik.first"]
    fremd = Organisation.create(name="Fremd AG", case_visibility="everyone")
    frida = User.create(
        email="frida@fremd.example",
        name="Frida Fremd",
        kind="customer",
        organisation=fremd,
        customer_role="portal_admin",
        support_authorised=True,
    )
    clock.at("2026-03-02T09:00:00")
    a = open_case("mia.member", severity="critical", channel="web", subject="Alpha")
    b = open_case("mia.member", severity="high", channel="mail", subject="Beta")
    c = open_case("martin.main", severity="low", channel="phone", subject="Gamma")
    d = open_case(frida, severity="low", channel="web", subject="Delta of Fremd")
    clock.at("2026-03-03T10:00:00")
    service.move_status(a, erik, "solved")
    service.move_status(b, erik, "waiting")
    service.assign(b, erik, erik)
    escalation.request_escalation(b, world["mia.member"], "We cannot invoice.")
    clock.at("2026-03-04T11:00:00")
    service.move_status(a, erik, "closed")
    survey.answer(SurveyResponse.get(SurveyResponse.case == a.id), 4, "Quick help")  # mailed
    e = open_case("mia.member", severity="low", channel="web", subject="Epsilon")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "frida": frida, "fremd": fremd}


def _figures(user, **values):
    filters = reports.filters_for(user, {"start": "2026-03-01", "end": "2026-03-05", **values})
    return {f.key: f for f in reports.dashboard(user, filters)}


def _table(figure):
    return {row[0]: row[1:] for row in figure.chart.rows}


def test_agents_figures_equal_the_numbers_counted_by_hand(world, dataset):
    figures = _figures(world["erik.first"])
    assert list(figures) == [
        "open_by_status",
        "open_by_severity",
        "open_trend_status",
        "open_trend_severity",
        "volume",
        "channels",
        "response_times",
        "resolution_times",
        "sla_compliance",
        "backlog_age",
        "satisfaction",
        "satisfaction_trend",
        "escalations",
        "self_service",
        "workload_agents",
        "workload_teams",
    ]

    by_status = _table(figures["open_by_status"])
    assert by_status == {
        "New": [3],
        "In progress": [0],
        "Waiting for the customer": [1],
        "On hold": [0],
        "In development": [0],
    }
    by_severity = _table(figures["open_by_severity"])
    assert by_severity == {"Critical": [0], "High": [1], "Normal": [0], "Low": [3]}

    volume = _table(figures["volume"])  # opened, solved, closed
    assert volume["01.03."] == [0, 0, 0]
    assert volume["02.03."] == [4, 0, 0]
    assert volume["03.03."] == [0, 1, 0]
    assert volume["04.03."] == [1, 0, 1]
    channels = _table(figures["channels"])  # web, mail, phone
    assert channels["02.03."] == [2, 1, 1]
    assert channels["04.03."] == [1, 0, 0]

    age = _table(figures["backlog_age"])  # per status: new, in progress, waiting, hold, dev
    # the clock stands at 4 March, 11:00: E is hours old, B, C and D two days
    assert age == {
        "under 1 day": [1, 0, 0, 0, 0],
        "1–7 days": [2, 0, 1, 0, 0],
        "8–30 days": [0, 0, 0, 0, 0],
        "over 30 days": [0, 0, 0, 0, 0],
    }

    assert _table(figures["satisfaction"]) == {"1": [0], "2": [0], "3": [0], "4": [1], "5": [0]}
    assert _table(figures["satisfaction_trend"])["04.03."] == [4]
    assert figures["satisfaction"].items == [(dataset["a"].call_id, "4: Quick help")]

    assert _table(figures["workload_agents"]) == {"Erik First": [1], "Nobody": [3]}
    assert _table(figures["workload_teams"]) == {"Support": [4], "No team": [0]}
    assert _table(figures["escalations"]) == {"Team manager": [1]}


def test_the_team_and_product_filters_narrow_every_figure(world, dataset):
    figures = _figures(world["erik.first"], team=str(dataset["a"].team_id or ""))
    assert sum(v[0] for v in _table(figures["open_by_status"]).values()) <= 4
    with pytest.raises(reports.ReportError):
        reports.filters_for(world["erik.first"], {"team": "999999"})
    with pytest.raises(reports.ReportError):
        reports.filters_for(world["erik.first"], {"start": "2026-03-05", "end": "2026-03-01"})
    with pytest.raises(reports.ReportError):
        reports.filters_for(world["erik.first"], {"start": "März"})
    with pytest.raises(reports.ReportError):
        reports.filters_for(world["erik.first"], {"start": "9999-12-01", "end": "9999-12-31"})


def test_a_customer_sees_their_organisations_figures_only_and_nothing_internal(world, dataset):
    martin = world["martin.main"]
    figures = _figures(martin)
    assert sum(v[0] for v in _table(figures["open_by_status"]).values()) == 3  # not Fremd's D
    assert _table(figures["volume"])["02.03."] == [3, 0, 0]
    assert "workload_agents" not in figures and "workload_teams" not in figures
    assert figures["satisfaction"].items == []  # comments are internal
    fremd = _figures(dataset["frida"])
    assert sum(v[0] for v in _table(fremd["open_by_status"]).values()) == 1
    assert _table(fremd["volume"])["02.03."] == [1, 0, 0]
    # a member who sees only their own cases reads no reports at all
    assert not reports.may_read_reports(world["mia.member"])


def test_the_pages_show_accessible_pictures_in_both_languages(app, world, dataset):
    client = app.test_client().sign_in_as(world["erik.first"])
    page = client.get("/reports/?start=2026-03-01&end=2026-03-05")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('role="img"') >= 10
    assert "<details" in html and "Opened by channel per day" in html
    assert "<script" not in html.split('id="reports"')[1].split("</main>")[0]
    # the pictures are valid SVG
    for chunk in html.split("<svg")[1:]:
        ET.fromstring("<svg" + chunk.split("</svg>")[0] + "</svg>")
    client.post("/language", data={"language": "de"})
    german = client.get("/reports/?start=2026-03-01&end=2026-03-05").get_data(as_text=True)
    assert "Berichte" in german
    printable = client.get("/reports/print?start=2026-03-01&end=2026-03-05")
    assert printable.status_code == 200 and "<details open" in printable.get_data(as_text=True)
    bad = client.get("/reports/?start=nonsense")
    assert bad.status_code == 422 and 'id="report-problems"' in bad.get_data(as_text=True)


def test_exports_hold_the_figures_numbers_and_are_logged(app, world, dataset):
    client = app.test_client().sign_in_as(world["martin.main"])
    period = {"start": "2026-03-01", "end": "2026-03-05"}
    answer = client.post("/reports/volume/export", data={"fmt": "csv", **period})
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith("attachment")
    rows = list(
        csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert rows[0] == ["", "Opened", "Solved", "Closed"]
    assert ["02.03.", "3", "0", "0"] in rows
    xlsx = client.post("/reports/open_by_status/export", data={"fmt": "xlsx", **period})
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["New", 2] in values and ["Waiting for the customer", 1] in values
    # internal figures are not the customer's to download
    assert client.post("/reports/workload_agents/export", data={"fmt": "csv"}).status_code == 404
    with app.app_context():
        logged = [
            r.after_values
            for r in AuditLog.select()
            .where(AuditLog.action == "report.exported")
            .order_by(AuditLog.id)
        ]
    assert [(r["figure"], r["format"]) for r in logged] == [
        ("volume", "csv"),
        ("open_by_status", "xlsx"),
    ]
    assert logged[0]["organisation"] == world["martin.main"].organisation_id


def test_the_reports_link_shows_to_agents_and_customers_with_the_right(app, world):
    def navigation(who):
        client = app.test_client().sign_in_as(world[who])
        return client.get("/account/profile").get_data(as_text=True).split("</nav>")[0]

    assert 'href="/reports/"' in navigation("erik.first")
    assert 'href="/reports/"' in navigation("martin.main")
    assert 'href="/reports/"' not in navigation("mia.member")
    assert app.test_client().sign_in_as(world["mia.member"]).get("/reports/").status_code == 404


def test_the_dashboard_as_pdf_holds_the_readers_figures_and_is_logged(app, world, dataset):
    period = {"start": "2026-03-01", "end": "2026-03-05"}

    def pdf_text(who):
        client = app.test_client().sign_in_as(who)
        answer = client.post("/reports/pdf", data=period)
        assert answer.status_code == 200 and answer.content_type == "application/pdf"
        assert answer.headers["Content-Disposition"].startswith("attachment")
        document = PdfReader(io.BytesIO(answer.data))
        return "\n".join(page.extract_text() for page in document.pages)

    agents = pdf_text(world["erik.first"])
    assert "Open cases by status, now" in agents and "Open cases per agent" in agents
    assert "Erik First" in agents and "Quick help" in agents
    customers = pdf_text(world["martin.main"])
    assert "Opened by channel per day" in customers
    assert "Open cases per agent" not in customers and "Erik First" not in customers
    assert "Quick help" not in customers  # survey comments are internal
    with app.app_context():
        logged = [
            (r.actor_id, r.after_values["figure"], r.after_values["format"])
            for r in AuditLog.select().where(AuditLog.action == "report.exported")
        ]
    assert logged == [
        (world["erik.first"].id, "dashboard", "pdf"),
        (world["martin.main"].id, "dashboard", "pdf"),
    ]
    client = app.test_client().sign_in_as(world["martin.main"])
    assert client.post("/reports/pdf", data={"start": "nonsense"}).status_code == 400
    page = client.get("/reports/?start=2026-03-01&end=2026-03-05").get_data(as_text=True)
    assert 'action="/reports/pdf"' in page
