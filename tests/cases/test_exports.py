"""Exports of the visible cases as CSV and Excel (CASE-8, PERM-1, PERM-4)."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from playhouse.test_utils import count_queries

from helpdesk.accounts.models import User
from helpdesk.cases import service
from helpdesk.cases.models import Case
from helpdesk.cases.spreadsheet import neutralise, printable
from tests.cases.test_lists import Browser

CUSTOMER_HEADING = [
    "Call ID",
    "Subject",
    "Status",
    "Severity",
    "Priority",
    "Type",
    "Product",
    "Requester",
    "Updated (Europe/Vienna)",
    "Created (Europe/Vienna)",
]


@pytest.fixture
def browse(app, ctx):
    return lambda who: Browser(app, ctx[who] if isinstance(who, str) else who)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel needs
    text = response.data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]


@pytest.fixture
def cases(ctx, open_case):
    critical = open_case(subject="Everything is down", severity="critical", impact="All of us")
    normal = open_case(requester="paula.portal", subject="Printing is slow")
    closed = open_case(subject="An old one")
    service.move_status(closed, ctx["erik.first"], "closed")
    service.assign(normal, ctx["erik.first"], ctx["sara.second"])
    service.add_message(normal, ctx["erik.first"], "Geheime Notiz Zebrafisch", internal=True)
    return {"critical": critical, "normal": normal, "closed": closed}


def test_csv_is_the_filtered_list(ctx, browse, cases):
    paula = browse("paula.portal")
    response = paula.get("/cases/export.csv?severity=critical")
    today = datetime.now(ZoneInfo("Europe/Vienna")).date().isoformat()
    assert response.headers["Content-Disposition"] == f"attachment; filename=cases-{today}.csv"
    rows = csv_rows(response)
    assert rows[0] == CUSTOMER_HEADING
    assert [row[0] for row in rows[1:]] == [cases["critical"].call_id]
    assert rows[1][1:8] == [
        "Everything is down",
        "New",
        "Critical",
        "High",
        "Fault",
        "Business Suite",
        "Mia Member",
    ]

    every = csv_rows(paula.get("/cases/export.csv?status=all&sort=call_id&dir=asc"))
    assert [row[0] for row in every[1:]] == sorted(c.call_id for c in cases.values())


def test_xlsx_is_the_filtered_list_and_opens(ctx, browse, cases):
    response = browse("paula.portal").get("/cases/export.xlsx?status=open&sort=call_id&dir=asc")
    today = datetime.now(ZoneInfo("Europe/Vienna")).date().isoformat()
    assert response.headers["Content-Disposition"] == f"attachment; filename=cases-{today}.xlsx"
    rows = xlsx_rows(response)
    assert list(rows[0]) == CUSTOMER_HEADING
    assert [row[0] for row in rows[1:]] == [cases["critical"].call_id, cases["normal"].call_id]
    assert isinstance(rows[1][8], datetime)


def test_exports_hold_only_the_customers_visible_cases(ctx, browse, cases, foreign):
    mia = browse("mia.member")  # a member: her own cases, not Paula's
    for fmt in ("csv", "xlsx"):
        response = mia.get(f"/cases/export.{fmt}?status=all&requester={foreign['admin'].id}")
        data = response.data.decode("utf-8", "replace") if fmt == "csv" else ""
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
        shown = {row[0] for row in rows[1:]}
        assert shown == {cases["critical"].call_id, cases["closed"].call_id}
        assert "Fremd" not in data and "Frida" not in data
    searched = csv_rows(browse("paula.portal").get("/cases/export.csv?q=Fremder&status=all"))
    assert searched == [CUSTOMER_HEADING]


def test_customer_exports_hold_no_internal_data(ctx, browse, cases):
    for fmt in ("csv", "xlsx"):
        response = browse("paula.portal").get(f"/cases/export.{fmt}?status=all")
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
        assert list(rows[0]) == CUSTOMER_HEADING  # no assignee, no organisation
        flat = " ".join(str(cell) for row in rows for cell in row)
        assert "Zebrafisch" not in flat and "Sara Second" not in flat
    assert csv_rows(browse("paula.portal").get("/cases/export.csv?q=Zebrafisch")) == [
        CUSTOMER_HEADING
    ]


def test_agents_export_the_queue_with_its_filters(ctx, browse, cases, foreign):
    erik = browse("erik.first")
    rows = csv_rows(erik.get("/cases/export.csv?view=all&sort=call_id&dir=asc"))
    assert "Assignee" in rows[0] and "Organisation" in rows[0]
    shown = [row[0] for row in rows[1:]]
    assert shown == sorted(
        [cases["critical"].call_id, cases["normal"].call_id, foreign["case"].call_id]
    )
    assigned = csv_rows(erik.get(f"/cases/export.csv?view=all&assignee={ctx['sara.second'].id}"))
    assert [row[0] for row in assigned[1:]] == [cases["normal"].call_id]
    assert assigned[1][rows[0].index("Assignee")] == "Sara Second"
    assert assigned[1][rows[0].index("Organisation")] == "Muster GmbH"
    unassigned = csv_rows(erik.get("/cases/export.csv?view=new"))
    assert cases["normal"].call_id not in {row[0] for row in unassigned[1:]}


FORMULAS = ["=1+2", "+SUM(A1:A9)", "-2+3", "@cmd", '=HYPERLINK("http://x")']


def test_formulas_are_neutralised_in_both_formats(ctx, browse, open_case):
    sly = User.create(
        email="sly@muster.example",
        name="=cmd|' /C calc'!A0",
        kind="customer",
        organisation=ctx["paula.portal"].organisation_id,
        customer_role="member",
        support_authorised=True,
    )
    ctx["sly"] = sly
    for formula in FORMULAS:
        open_case(subject=formula, requester="sly")
    paula = browse("paula.portal")
    csv_table = csv_rows(paula.get("/cases/export.csv?sort=call_id&dir=asc"))
    xlsx_table = xlsx_rows(paula.get("/cases/export.xlsx?sort=call_id&dir=asc"))
    for table in (csv_table, xlsx_table):
        assert [row[1] for row in table[1:]] == ["'" + f for f in FORMULAS]
        assert {row[7] for row in table[1:]} == {"'=cmd|' /C calc'!A0"}


def test_exports_write_control_characters_as_visible_marks(ctx, browse, open_case):
    """A text XML may not carry (``\\x07``, ``\\x1b``...) made the Excel export a 500 for the
    whole list (issue 12, item 6): each such character is written as its control picture."""
    bell = User.create(
        email="bell@muster.example",
        name="Bell\x07 Escape\x1b[31m",
        kind="customer",
        organisation=ctx["paula.portal"].organisation_id,
        customer_role="member",
        support_authorised=True,
    )
    ctx["bell"] = bell
    # (no NUL: PostgreSQL holds none; ``test_printable`` writes one)
    case = open_case(subject="Start", requester="bell")
    # A subject is one line since the forms and the service flatten it; rows stored before
    # (or written by another tool) may hold anything.
    Case.update(subject="Start\x01 and\x0b tab\tline\nfeed").where(Case.id == case.id).execute()
    paula = browse("paula.portal")
    for table in (
        csv_rows(paula.get("/cases/export.csv")),
        xlsx_rows(paula.get("/cases/export.xlsx")),
    ):
        assert table[1][1] == "Start\u2401 and\u240b tab\tline\nfeed"
        assert table[1][7] == "Bell\u2407 Escape\u241b[31m"


def test_xlsx_cells_are_text_not_formulas(ctx, browse, open_case):
    open_case(subject="=1+2")
    response = browse("paula.portal").get("/cases/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value == "'=1+2"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=A1", "'=A1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
        (3, 3),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a\x00b\x1fc", "a\u2400b\u241fc"),
        ("tab\tline\nreturn\r", "tab\tline\nreturn\r"),
        ("half \ud800 pair", "half \ufffd pair"),
        ("non\ufffe\uffff", "non\ufffd\ufffd"),
        ("Grüße 👋", "Grüße 👋"),
        (7, 7),
        (None, None),
    ],
)
def test_printable(value, expected):
    assert printable(value) == expected


def test_times_in_the_users_zone(ctx, browse, open_case):
    case = open_case()
    at = datetime(2026, 1, 15, 12, 0)
    Case.update(updated_at=at, created_at=at).where(Case.id == case.id).execute()
    User.update(timezone="America/New_York").where(User.id == ctx["paula.portal"].id).execute()
    paula = browse("paula.portal")
    rows = csv_rows(paula.get("/cases/export.csv"))
    assert rows[0][-2] == "Updated (America/New_York)"
    assert rows[1][-2:] == ["2026-01-15 07:00", "2026-01-15 07:00"]
    assert xlsx_rows(paula.get("/cases/export.xlsx"))[1][-1] == datetime(2026, 1, 15, 7, 0)


def test_labels_in_the_users_language(ctx, browse, open_case):
    open_case()
    User.update(language="de").where(User.id == ctx["paula.portal"].id).execute()
    rows = csv_rows(browse("paula.portal").get("/cases/export.csv"))
    assert rows[1][2:6] == ["Neu", "Normal", "Normal", "Fehler"]


def test_every_row_streams_out_without_a_cap(ctx, browse, open_case, monkeypatch):
    from helpdesk.cases import spreadsheet

    for i in range(5):
        open_case(subject=f"Case {i}")
    monkeypatch.setattr(spreadsheet, "CSV_ROWS", 2)  # several pieces from five rows
    monkeypatch.setattr(spreadsheet, "CHUNK_BYTES", 1024)
    paula = browse("paula.portal")

    def pieces_of(path):
        with paula.app.app_context():  # read to its end before the context ends
            response = paula.client.get(path, buffered=True)
        return response, list(response.response)

    response, pieces = pieces_of("/cases/export.csv")
    assert len(pieces) == 3 and "X-Export-Truncated" not in response.headers
    rows = list(csv.reader(io.StringIO(b"".join(pieces).decode("utf-8-sig")), delimiter=";"))
    assert sorted(r[1] for r in rows[1:]) == [f"Case {i}" for i in range(5)]
    _response, pieces = pieces_of("/cases/export.xlsx")
    assert len(pieces) > 1
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(pieces))).active
    assert len(list(sheet.iter_rows())) == 1 + 5


def test_signed_out_visitors_are_sent_to_sign_in(app):
    response = app.test_client().get("/cases/export.csv")
    assert response.status_code == 302 and "/sign-in" in response.location


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("paula.portal", "/cases/export.csv?status=all"),
        ("mia.member", "/cases/export.xlsx"),
        ("erik.first", "/cases/export.csv?view=all"),
        ("erik.first", "/cases/export.xlsx?view=all&q=Case"),
    ],
)
def test_queries_do_not_grow_with_the_rows(ctx, browse, open_case, who, path):
    browser = browse(who)

    def queries():
        with count_queries() as counted:
            assert browser.get(path).status_code == 200
        return counted.count

    for i in range(3):
        service.assign(open_case(subject=f"Case {i}"), ctx["erik.first"], ctx["sara.second"])
    browser.get(path)
    few = queries()
    for i in range(27):
        open_case(subject=f"Case more {i}")
    assert queries() == few
