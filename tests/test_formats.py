"""Dates and times in the reader's region (en-GB, de-AT), without seconds, and relative times
with the exact time on hover (issue 16)."""

from datetime import datetime

import pytest
from flask_babel import force_locale

from helpdesk.formats import datetime_text, relative

AT = datetime(2026, 1, 15, 12, 5, 9)  # stored UTC: 13:05 in Vienna


@pytest.mark.parametrize(
    ("language", "format", "expected"),
    [
        ("en", "medium", "15 Jan 2026, 13:05"),
        ("de", "medium", "15.01.2026, 13:05"),
        ("en", "short", "15/01/2026, 13:05"),
        ("de", "short", "15.01.26, 13:05"),
    ],
)
def test_the_datetimeformat_filter_writes_the_region_without_seconds(
    app, language, format, expected
):
    with app.test_request_context(), force_locale(language):
        page = app.jinja_env.from_string("{{ at|datetimeformat(format) }}").render(
            at=AT, format=format
        )
    assert page == expected


def test_the_default_format_is_medium_in_the_default_zone(app):
    with app.test_request_context(), force_locale("en"):
        assert app.jinja_env.from_string("{{ at|datetimeformat }}").render(at=AT) == (
            "15 Jan 2026, 13:05"
        )
        assert datetime_text(None) == ""


@pytest.mark.parametrize(("language", "expected"), [("en", "3 hours ago"), ("de", "vor 3 Stunden")])
def test_relative_times_carry_the_exact_time_on_hover(app, language, expected):
    with app.test_request_context(), force_locale(language):
        element = relative(AT, now=datetime(2026, 1, 15, 15, 5))
        exact = datetime_text(AT)
    assert element == (f'<time datetime="2026-01-15T12:05:09Z" title="{exact}">{expected}</time>')
