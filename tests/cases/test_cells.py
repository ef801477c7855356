"""The case tables' cells (helpdesk.cases.cells): times as Babel writes them, values escaped."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_datetime
from flask_babel import force_locale
from markupsafe import escape

from helpdesk.cases.cells import Cells, compile_datetime, date_locale, time_element
from helpdesk.cases.listing import COLUMNS
from helpdesk.policy import current_policy

TIMES = [
    datetime(2026, month, day, hour, minute)
    for month, day in ((1, 15), (7, 4), (12, 31))
    for hour in (0, 9, 12, 13, 23)
    for minute in (0, 7, 59)
]


@pytest.mark.parametrize("locale", ["de", "en", "de_CH", "en_GB", "ko", "bg", "ar", "zh_Hant"])
def test_short_date_and_time_as_babel_writes_them(locale):
    """The pattern parsed once writes what Babel's ``format_datetime`` writes (zh_Hant has a
    day period "B", Korean puts AM/PM first), escaped for HTML."""
    written = compile_datetime(Locale.parse(locale))
    for local in TIMES:
        expected = format_datetime(local, "short", locale=locale)
        assert written(local) == str(escape(expected)), local


def test_a_time_element_is_in_the_zone_of_the_reader():
    vienna = ZoneInfo("Europe/Vienna")
    german = compile_datetime(Locale.parse("de"))
    summer = time_element(datetime(2026, 3, 29, 1, 30, 5, 123456), vienna, german)
    assert summer == '<time datetime="2026-03-29T01:30:05Z">29.03.26, 03:30</time>'
    winter = time_element(datetime(2026, 3, 29, 0, 59), vienna, german)
    assert winter == '<time datetime="2026-03-29T00:59:00Z">29.03.26, 01:59</time>'
    english = compile_datetime(date_locale(Locale.parse("en")))
    new_york = time_element(datetime(2026, 1, 15, 17, 0), ZoneInfo("America/New_York"), english)
    assert new_york == '<time datetime="2026-01-15T17:00:00Z">15/01/2026, 12:00</time>'


@pytest.mark.parametrize(
    ("language", "written"), [("en", "15/01/2026, 13:05"), ("de", "15.01.26, 13:05")]
)
def test_lists_write_english_as_in_britain_and_german_as_in_austria(language, written):
    write = compile_datetime(date_locale(Locale.parse(language)))
    assert write(datetime(2026, 1, 15, 13, 5)) == written


def _row(**values) -> dict:
    """A list's row as ``listing.list_page`` gives it, with ``values`` changed."""
    at = datetime(2026, 1, 15, 12, 0)
    return {
        "call_id": "2026-00001",
        "subject": "Printer",
        "status": "new",
        "status_category": "new",
        "severity": "minor",
        "priority": "low",
        "case_type": "question",
        "created_at": at,
        "updated_at": at,
        "waiting_for": None,
        "organisation_name": "Org",
        "product_name": "Product",
        "requester_name": "Mia",
        "assignee_name": "Erik",
        "due_at": None,
    } | values


def _rendered(app, row: dict, columns=COLUMNS, pick: str = "bulk") -> str:
    with app.test_request_context(), force_locale("en"):
        return str(Cells(current_policy()).rows([row], tuple(columns), pick))


def test_a_row_escapes_what_people_typed(app):
    """Subjects and names reach the row escaped, braces as they are (the row is a format
    string, the values are not)."""
    hostile = "<script>alert(\"x\")</script> & 'y' {0}"
    html = _rendered(app, _row(subject=hostile, requester_name="O'Hara <b>", call_id="<1>"))
    assert "<script>" not in html and "<b>" not in html
    assert f'<a class="subject" href="/cases/&lt;1&gt;">{escape(hostile)}</a>' in html
    assert '<td data-label="Requester">O&#39;Hara &lt;b&gt;</td>' in html
    assert 'value="&lt;1&gt;" form="bulk" aria-label="Select &lt;1&gt;"' in html


def test_a_row_with_empty_values_has_empty_cells(app):
    row = _row(subject="", organisation_name="", assignee_name=None, due_at=None)
    html = _rendered(app, row, ("call_id", "subject", "organisation", "assignee", "due"), "")
    assert html == (
        '<tr><td data-label="Call ID"><a href="/cases/2026-00001">2026-00001</a></td>'
        '<td data-label="Subject"><a class="subject" href="/cases/2026-00001"></a></td>'
        '<td data-label="Organisation"></td><td data-label="Assignee"></td>'
        '<td data-label="Response due"></td></tr>'
    )
