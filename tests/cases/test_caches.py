"""Every cache keyed by person, organisation or language never answers another.

The caches sit on the hot paths (``listing._compiled_pages``, the per-language words of
``cells.per_locale``, ``cells.time_element``, ``times._formats``, the statements
``access`` compiles per sight, the catalogs of ``helpdesk.i18n``); each test asks one
cache for two people, organisations or languages in turn, in one app, so that a key which
drops a part hands the second the first one's answer.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from flask_babel import force_locale

from helpdesk.accounts.models import User
from helpdesk.cases import service
from helpdesk.cases.cells import compile_datetime, date_locale, time_element
from helpdesk.cases.models import Case
from helpdesk.cases.times import Times
from tests.cases.test_lists import Browser, set_visibility


@pytest.fixture
def max_member(ctx):
    """A second member of Mia's organisation."""
    mia = ctx["mia.member"]
    return User.create(
        email="max.member@muster.example",
        name="Max Member",
        kind="customer",
        organisation=mia.organisation_id,
        customer_role="member",
        support_authorised=True,
    )


def _language(user: User, language: str) -> None:
    User.update(language=language).where(User.id == user.id).execute()


def test_the_compiled_list_of_one_person_never_serves_another(app, ctx, open_case, max_member):
    """Same organisation, filters and columns: only the person differs, and each sees only
    their own case (the key's user part)."""
    set_visibility(ctx["mia.member"], "main_contacts")
    mias = open_case(subject="Mia's own printer")
    maxs = open_case(requester="mia.member", subject="Max's own scanner")
    Case.update(requester=max_member.id).where(Case.id == maxs.id).execute()
    for _ in range(2):  # the second round is served from the cache
        mia_page = Browser(app, ctx["mia.member"]).html("/cases")
        max_page = Browser(app, max_member).html("/cases")
        assert mias.call_id in mia_page and maxs.call_id not in mia_page
        assert maxs.call_id in max_page and mias.call_id not in max_page


def test_a_changed_organisation_gets_a_list_of_its_own(app, ctx, open_case, max_member):
    """The same person, before and after their organisation lets members see every case
    (the key's organisation part and what ``access`` decides from it)."""
    set_visibility(ctx["mia.member"], "main_contacts")
    maxs = open_case(subject="Max's own scanner")
    Case.update(requester=max_member.id).where(Case.id == maxs.id).execute()
    mia = Browser(app, ctx["mia.member"])
    assert maxs.call_id not in mia.html("/cases")
    set_visibility(ctx["mia.member"], "everyone")
    assert maxs.call_id in mia.html("/cases")
    set_visibility(ctx["mia.member"], "main_contacts")
    assert maxs.call_id not in mia.html("/cases")


def test_two_organisations_never_share_a_list(app, ctx, open_case, foreign):
    """Two portal admins who see their whole organisation, with the same filters."""
    ours = open_case(requester="paula.portal", subject="Ours")
    theirs = foreign["case"]
    for _ in range(2):
        paula_page = Browser(app, ctx["paula.portal"]).html("/cases")
        frida_page = Browser(app, foreign["admin"]).html("/cases")
        assert ours.call_id in paula_page and theirs.call_id not in paula_page
        assert theirs.call_id in frida_page and ours.call_id not in frida_page


def test_german_and_english_never_share_the_tables_words(app, ctx, open_case):
    """The tables' labels, headings, filter words and times are kept per language
    (``cells.per_locale``, the catalogs of ``helpdesk.i18n``)."""
    case = open_case()
    Case.update(updated_at=datetime(2026, 1, 15, 12, 0)).where(Case.id == case.id).execute()
    paula = ctx["paula.portal"]
    for language in ("en", "de", "en"):
        _language(paula, language)
        page = Browser(app, paula).html("/cases")
        if language == "de":
            assert '<span class="st st-new">Neu</span>' in page
            assert "Betreff" in page and "Sortieren nach" in page
            assert ">15.01.26, 13:00</time>" in page
        else:
            assert '<span class="st st-new">New</span>' in page
            assert "Subject" in page and "Sort by" in page
            assert ">15/01/2026, 13:00</time>" in page


def test_a_time_element_is_kept_per_zone_and_language():
    at = datetime(2026, 1, 15, 12, 0)
    vienna, new_york = ZoneInfo("Europe/Vienna"), ZoneInfo("America/New_York")
    german, english = (compile_datetime(date_locale(Locale.parse(lang))) for lang in ["de", "en"])
    assert ">15.01.26, 13:00<" in time_element(at, vienna, german)
    assert ">15.01.26, 07:00<" in time_element(at, new_york, german)
    assert ">15/01/2026, 13:00<" in time_element(at, vienna, english)


def test_the_case_pages_times_are_kept_per_language(app):
    """``times._formats``: the medium date and short time of each language's region."""
    at = datetime(2026, 1, 15, 12, 0)
    with app.test_request_context():
        written = {}
        for language in ("en", "de", "en"):
            with force_locale(language):
                written.setdefault(language, set()).add(Times().text(at))
    assert written == {"en": {"15 Jan 2026, 13:00"}, "de": {"15.01.2026, 13:00"}}


def test_the_case_page_compiled_for_an_agent_never_serves_a_customer(
    app, ctx, open_case, max_member
):
    """``access`` compiles the case page per sight and the timeline per side (agent or
    customer): after an agent has looked, a member still sees neither another member's case
    nor an internal note."""
    set_visibility(ctx["mia.member"], "main_contacts")
    maxs = open_case(subject="Max's own scanner")
    Case.update(requester=max_member.id).where(Case.id == maxs.id).execute()
    mias = open_case(subject="Mia's own printer")
    service.add_message(mias, ctx["erik.first"], "Internal: call her back", internal=True)
    agent = Browser(app, ctx["erik.first"])
    mia = Browser(app, ctx["mia.member"])
    for _ in range(2):
        assert "Internal: call her back" in agent.html(f"/cases/{mias.call_id}")
        assert agent.get(f"/cases/{maxs.call_id}").status_code == 200
        assert "Internal: call her back" not in mia.html(f"/cases/{mias.call_id}")
        assert mia.get(f"/cases/{maxs.call_id}").status_code == 404
