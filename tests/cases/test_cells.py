"""The case tables' cells (helpdesk.cases.cells): times as Babel writes them, values escaped."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_datetime
from markupsafe import escape

from helpdesk.cases.cells import compile_datetime, date_locale, time_element

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
