"""The customer's case list, the agent queue and the start pages (CASE-4, PERM-1, PERM-2).

Every test goes through real requests. ``Browser`` gives each request a fresh application
context: the ``ctx`` fixture keeps one open for the domain calls, and Flask would otherwise
share ``g`` (and flask-login's cached user) between the requests of different people.
"""

import logging
import re
from dataclasses import replace
from datetime import datetime
from weakref import WeakKeyDictionary

import pytest
from flask import url_for
from markupsafe import escape
from playhouse.test_utils import count_queries

from helpdesk import defaults
from helpdesk.accounts.models import Organisation, Team, User
from helpdesk.cases import listing, search, service
from helpdesk.cases.models import Case
from helpdesk.cases.views.lists import STATUS_LABELS, ListLinks
from helpdesk.db import db, is_sqlite
from helpdesk.i18n import current_language
from helpdesk.policy import current_policy
from helpdesk.products.models import Product
from helpdesk.sla.models import CaseClock
from helpdesk.web import fixed_url

CALL_ID = re.compile(r">(\d{4}-\d{5})</a>")


class Browser:
    """A signed-in test client; every request runs in an application context of its own."""

    def __init__(self, app, user):
        self.app = app
        self.client = app.test_client().sign_in_as(user)

    def get(self, path, **kwargs):
        with self.app.app_context():
            return self.client.get(path, **kwargs)

    def post(self, path, **kwargs):
        with self.app.app_context():
            return self.client.post(path, **kwargs)

    def html(self, path, **kwargs) -> str:
        response = self.get(path, **kwargs)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)

    def call_ids(self, path, **kwargs) -> list[str]:
        """The call ids the list at ``path`` shows, in order."""
        return CALL_ID.findall(self.html(path, **kwargs))


@pytest.fixture
def browse(app, ctx):
    """``browse("mia.member")``: a Browser signed in as a demo person (or a User)."""
    return lambda who: Browser(app, ctx[who] if isinstance(who, str) else who)


@pytest.fixture
def three_cases(ctx, open_case):
    """Mia's case, Martin's case and a case Martin wrote that Mia follows."""
    mine = open_case(subject="Mia's printer")
    martins = open_case(requester="martin.main", subject="Martin's stock problem")
    followed = open_case(requester="martin.main", subject="Shared month-end closing")
    service.follow(followed, ctx["mia.member"], added_by=ctx["martin.main"])
    return mine, martins, followed


def set_visibility(user, value):
    Organisation.update(case_visibility=value).where(
        Organisation.id == user.organisation_id
    ).execute()


# -- Who sees what (PERM-1, PERM-2) -------------------------------------------------------


def test_member_sees_own_and_followed_cases_only(ctx, browse, three_cases, foreign):
    mine, martins, followed = three_cases
    shown = browse("mia.member").call_ids("/cases")
    assert sorted(shown) == sorted([mine.call_id, followed.call_id])
    assert martins.call_id not in shown
    assert foreign["case"].call_id not in shown


@pytest.mark.parametrize("who", ["paula.portal", "martin.main", "alma.admin"])
def test_main_contacts_and_administrators_see_the_whole_organisation(
    ctx, browse, three_cases, foreign, who
):
    html = browse(who).html("/cases")
    for case in three_cases:
        assert case.call_id in html
    assert foreign["case"].call_id not in html
    assert "Fremder Fall" not in html and "Frida" not in html


def test_everyone_sees_all_when_the_organisation_says_so(ctx, browse, three_cases):
    set_visibility(ctx["mia.member"], "everyone")
    shown = browse("mia.member").call_ids("/cases")
    assert sorted(shown) == sorted(case.call_id for case in three_cases)


def test_changes_to_who_sees_what_show_at_the_next_request(
    ctx, browse, three_cases, foreign, monkeypatch
):
    """The lists keep the SQL they compiled for a user and filters (``listing``): another
    user, or a change to the user, their organisation or the plugins' answer, writes anew."""
    mine, martins, followed = three_cases
    everything = sorted(case.call_id for case in three_cases)
    own = sorted([mine.call_id, followed.call_id])
    assert sorted(browse("paula.portal").call_ids("/cases")) == everything
    User.update(customer_role="member").where(User.id == ctx["martin.main"].id).execute()
    martin_as_member = sorted(browse("martin.main").call_ids("/cases"))
    assert martin_as_member == sorted([martins.call_id, followed.call_id])
    mia = browse("mia.member")
    assert sorted(mia.call_ids("/cases")) == own  # the same filters as Paula's and Martin's
    set_visibility(ctx["mia.member"], "everyone")
    assert sorted(mia.call_ids("/cases")) == everything
    set_visibility(ctx["mia.member"], "main_contacts")
    assert sorted(mia.call_ids("/cases")) == own
    monkeypatch.setattr(defaults, "SEES_ALL_ROLES", (*defaults.SEES_ALL_ROLES, "member"))
    assert sorted(mia.call_ids("/cases")) == everything
    monkeypatch.undo()
    User.update(customer_role="main_contact").where(User.id == ctx["mia.member"].id).execute()
    assert sorted(mia.call_ids("/cases")) == everything
    User.update(organisation=foreign["organisation"]).where(
        User.id == ctx["mia.member"].id
    ).execute()
    assert mia.call_ids("/cases") == [foreign["case"].call_id]


def test_requester_filter_offers_only_the_own_organisation(ctx, browse, three_cases, foreign):
    html = browse("paula.portal").html("/cases")
    assert 'name="requester"' in html and "Martin Main" in html
    assert "Frida Fremd" not in html
    # a member who sees only their own cases gets no requester filter at all
    assert 'name="requester"' not in browse("mia.member").html("/cases")


def test_filter_with_another_organisations_ids_reveals_nothing(ctx, browse, foreign):
    other = foreign["case"]
    path = f"/cases?requester={foreign['admin'].id}&q={other.call_id}&status=all"
    page = browse("paula.portal").html(path)
    assert CALL_ID.findall(page) == []  # the call id searched for is only echoed back
    assert "Fremder Fall" not in page and "Frida" not in page
    assert browse("paula.portal").call_ids("/cases?q=Fremder+vertraulich&status=all") == []


def test_internal_notes_are_never_found_by_customers(ctx, browse, open_case):
    case = open_case(subject="Quarterly report")
    service.add_message(case, ctx["erik.first"], "Kunde zahlt nicht Zebrafisch", internal=True)
    service.add_message(case, ctx["erik.first"], "Please try the Flamingo driver")
    mia = browse("mia.member")
    assert mia.call_ids("/cases?q=Zebrafisch") == []
    assert mia.call_ids("/cases?q=Flamingo") == [case.call_id]
    assert "Zebrafisch" not in mia.html("/cases") + mia.html("/portal")


def test_agents_are_sent_to_the_queue_and_customers_kept_out_of_it(ctx, browse):
    response = browse("erik.first").get("/cases?status=done&q=x")
    assert response.status_code == 302
    assert response.location.startswith("/queue?")
    assert "status=done" in response.location and "q=x" in response.location
    assert browse("mia.member").get("/queue").status_code == 404


@pytest.mark.parametrize("extra", ["_method=POST", "_external=1", "_scheme=http", "_anchor=x"])
def test_agents_sent_to_the_queue_take_only_the_lists_parameters(ctx, browse, extra):
    """``url_for`` reads ``_``-arguments as its own: passed on, they made a 500 or an absolute
    redirect to whatever host the request named (issue 12, item 8)."""
    erik = browse("erik.first")
    session = erik.client.get_cookie("session").value
    erik.client.set_cookie("session", session, domain="evil.example")  # a forged Host's
    response = erik.get(f"/cases?status=done&{extra}", headers={"Host": "evil.example"})
    assert response.status_code == 302
    assert response.location == "/queue?status=done"


def test_signed_out_visitors_are_sent_to_sign_in(app):
    for path in ("/cases", "/queue"):
        response = app.test_client().get(path)
        assert response.status_code == 302 and "/sign-in" in response.location


# -- The agent queue ----------------------------------------------------------------------


@pytest.fixture
def queue_cases(ctx, open_case):
    erik, sara = ctx["erik.first"], ctx["sara.second"]
    fresh = open_case(subject="Fresh and unassigned")
    mine = open_case(subject="Erik works on it")
    service.assign(mine, erik, erik)
    saras = open_case(subject="Sara works on it")
    service.assign(saras, erik, sara)
    elsewhere = open_case(subject="Consulting has it")
    service.assign(elsewhere, erik, sara)
    consulting = Team.create(key="consulting", name="Consulting")
    Case.update(team=consulting).where(Case.id == elsewhere.id).execute()
    solved = open_case(subject="Done and dusted")
    service.assign(solved, erik, erik)
    service.move_status(solved, erik, "solved")
    return {"new": fresh, "mine": mine, "saras": saras, "elsewhere": elsewhere, "solved": solved}


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("new", {"new"}),
        ("mine", {"mine"}),
        ("team", {"new", "mine", "saras"}),
        ("all", {"new", "mine", "saras", "elsewhere"}),
    ],
)
def test_queue_views(ctx, browse, queue_cases, view, expected):
    shown = set(browse("erik.first").call_ids(f"/queue?view={view}"))
    assert shown == {queue_cases[name].call_id for name in expected}


def test_queue_without_a_view_shows_new_and_unassigned(ctx, browse, queue_cases):
    html = browse("erik.first").html("/queue")
    assert browse("erik.first").call_ids("/queue") == [queue_cases["new"].call_id]
    assert 'aria-current="page">New and unassigned' in html


def test_unassigned_open_cases_are_in_the_new_view_whatever_their_status(ctx, browse, open_case):
    case = open_case()
    service.move_status(case, ctx["erik.first"], "open")
    assert browse("erik.first").call_ids("/queue?view=new") == [case.call_id]


def test_solved_cases_through_the_status_filter(ctx, browse, queue_cases):
    erik = browse("erik.first")
    assert erik.call_ids("/queue?view=mine&status=done") == [queue_cases["solved"].call_id]
    assert erik.call_ids("/queue?view=mine&status=solved") == [queue_cases["solved"].call_id]
    assert len(erik.call_ids("/queue?view=all&status=all")) == 5


def test_assignee_filter(ctx, browse, queue_cases):
    sara = ctx["sara.second"]
    erik = browse("erik.first")
    shown = set(erik.call_ids(f"/queue?view=all&assignee={sara.id}"))
    assert shown == {queue_cases["saras"].call_id, queue_cases["elsewhere"].call_id}
    assert erik.call_ids("/queue?view=all&assignee=none") == [queue_cases["new"].call_id]
    # only agents are assignees: a customer's id is ignored
    assert len(erik.call_ids(f"/queue?view=all&assignee={ctx['mia.member'].id}")) == 4


def test_agent_start_page_counts_the_views(ctx, browse, queue_cases):
    html = browse("erik.first").html("/agent")
    for view, count in {"new": 1, "mine": 1, "team": 3, "all": 4}.items():
        assert re.search(
            rf'href="/queue\?view={view}"><span class="number">{count}</span>', html
        ), view


def test_agent_start_page_counts_are_bounded_and_capped(ctx, browse, queue_cases, monkeypatch):
    erik = browse("erik.first")
    with count_queries() as counted:
        erik.html("/agent")
    # the signed-in user, their team, one capped count per queue view
    assert counted.count == 2 + len(listing.QUEUE_VIEWS)
    monkeypatch.setattr(listing, "COUNT_CAP", 2)
    assert listing.queue_counts(User.get_by_id(ctx["erik.first"].id))["all"] == 2
    assert ">2+</span>" in erik.html("/agent")


def test_agent_start_page_counts_seek_an_index(ctx, queue_cases):
    """SQLite (without statistics): each view's count seeks an index by ``is_open``; tested
    for its truth, ``is_open`` made SQLite walk the index through every closed case first
    (125 ms at 1,000,000 cases). The breaching cases are read from the clocks' index, each
    case then looked up by its id."""
    if not is_sqlite():
        pytest.skip("SQLite's query plans")
    erik = User.get_by_id(ctx["erik.first"].id)
    plans = {}
    for view in listing.QUEUE_VIEWS:
        sql, params = listing.queue_count_query(erik, view).sql()
        rows = db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        plans[view] = " | ".join(row[-1] for row in rows)
    assert {view: plan for view, plan in plans.items() if "SCAN t1" in plan} == {}
    sought = [view for view, plan in plans.items() if "is_open=?" in plan]
    assert sought == [view for view in listing.QUEUE_VIEWS if view != "breaching"]
    assert "case_clock_response_due_at" in plans["breaching"]
    assert "t1 USING INTEGER PRIMARY KEY" in plans["breaching"]


# -- Filters, sorting, search, paging -----------------------------------------------------


@pytest.fixture
def assorted(ctx, open_case):
    other = Product.create(key="hr", name="Payroll")
    critical = open_case(subject="Everything is down", severity="critical", impact="All users")
    question = open_case(subject="How do I export", case_type="question", severity="low")
    payroll = open_case(subject="Payroll rounding", product=other)
    by_martin = open_case(requester="martin.main", subject="Martin asks")
    closed = open_case(subject="Old closed one")
    service.move_status(closed, ctx["erik.first"], "closed")
    waiting = open_case(subject="Waiting for logs")
    service.move_status(waiting, ctx["erik.first"], "waiting", "the log files")
    return {
        "critical": critical,
        "question": question,
        "payroll": payroll,
        "martin": by_martin,
        "closed": closed,
        "waiting": waiting,
        "product": other,
    }


def test_each_filter_narrows_the_list(ctx, browse, assorted):
    paula = browse("paula.portal")

    def shown(query):
        return set(paula.call_ids("/cases?" + query))

    def ids(*names):
        return {assorted[name].call_id for name in names}

    everything_open = ids("critical", "question", "payroll", "martin", "waiting")
    assert shown("") == everything_open
    assert shown("status=done") == ids("closed")
    assert shown("status=closed") == ids("closed")
    assert shown("status=waiting") == ids("waiting")
    assert shown("status=all") == everything_open | ids("closed")
    assert shown("severity=critical") == ids("critical")
    assert shown("case_type=question") == ids("question")
    assert shown(f"product={assorted['product'].id}") == ids("payroll")
    assert shown(f"requester={ctx['martin.main'].id}") == ids("martin")
    assert shown("severity=low&case_type=question&status=open") == ids("question")


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "severity=apocalyptic",
        "case_type='; DROP TABLE case; --",
        "product=abc",
        "product=99999",
        "requester=-1",
        "sort=subject; DELETE FROM case",
        "dir=sideways",
        "page=-3",
        "page=x",
        "page=\u00b2",
        "product=\u00b2",
        "view=everything",
        "assignee=none",
        "columns=description",
    ],
)
def test_invalid_parameters_are_ignored(ctx, browse, assorted, query):
    paula = browse("paula.portal")
    assert paula.call_ids("/cases?" + query) == paula.call_ids("/cases")
    assert Case.select().count() == 6


@pytest.mark.parametrize("digits", [5, 20, 5000])
def test_a_page_beyond_the_last_is_the_deepest_page(ctx, browse, assorted, digits):
    """Page numbers are clamped, however many digits they have (``helpdesk.inputs``)."""
    response = browse("paula.portal").get("/cases?page=" + "9" * digits)
    assert response.status_code == 200
    assert f"Page {listing.MAX_PAGE}" in response.get_data(as_text=True)


def test_sorting(ctx, browse, assorted):
    paula = browse("paula.portal")
    open_ids = paula.call_ids("/cases?sort=call_id&dir=asc")
    assert open_ids == sorted(open_ids)
    assert paula.call_ids("/cases?sort=call_id&dir=desc") == sorted(open_ids, reverse=True)
    assert paula.call_ids("/cases?sort=created&dir=asc") == open_ids
    by_severity = paula.call_ids("/cases?sort=severity&dir=desc")
    assert by_severity[0] == assorted["critical"].call_id
    assert by_severity[-1] == assorted["question"].call_id
    by_priority = paula.call_ids("/cases?sort=priority&dir=asc")
    assert by_priority[0] == assorted["question"].call_id  # low
    assert by_priority[-1] == assorted["critical"].call_id  # high
    by_status = paula.call_ids("/cases?sort=status&dir=desc&status=all")
    assert by_status[0] == assorted["closed"].call_id
    assert by_status[1] == assorted["waiting"].call_id


def test_sortable_headings_link_to_the_other_direction(ctx, browse, assorted):
    html = browse("paula.portal").html("/cases?sort=call_id&dir=asc&severity=low")
    assert 'aria-sort="ascending"><a href="/cases?severity=low&amp;sort=call_id">' in html
    assert '<a href="/cases?severity=low&amp;sort=status">' in html


def test_search_finds_call_id_subject_description_and_public_messages(ctx, browse, open_case):
    by_subject = open_case(subject="Kassenabschluss hängt")
    by_description = open_case(description="Die Schnittstelle zum Lagerverwaltungssystem")
    by_message = open_case()
    service.add_message(by_message, ctx["mia.member"], "Fehlermeldung Pinguin beim Start")
    paula = browse("paula.portal")
    assert paula.call_ids("/cases?q=Kassenabschluss") == [by_subject.call_id]
    assert paula.call_ids("/cases?q=lagerverwaltung") == [by_description.call_id]
    assert paula.call_ids("/cases?q=pinguin") == [by_message.call_id]
    assert paula.call_ids(f"/cases?q={by_message.call_id}") == [by_message.call_id]
    assert paula.call_ids("/cases?q=Kassenabschluss+Pinguin") == []


def test_a_search_lists_the_newest_matches_first_unless_sorted_otherwise(ctx, browse, open_case):
    older = open_case(subject="Drucker druckt nicht")
    newer = open_case(subject="Druckertreiber fehlt")
    open_case(subject="Anderes Thema")
    service.add_message(older, ctx["mia.member"], "Noch etwas")  # older is updated last
    paula = browse("paula.portal")
    assert paula.call_ids("/cases?q=drucker") == [newer.call_id, older.call_id]
    assert paula.call_ids("/cases?q=drucker&sort=created&dir=asc") == [
        older.call_id,
        newer.call_id,
    ]
    assert paula.call_ids("/cases?q=drucker&sort=updated") == [older.call_id, newer.call_id]
    # The chosen sort survives in the list's own links.
    html = paula.html("/cases?q=drucker&sort=updated")
    assert 'href="/cases/export.csv?q=drucker&amp;sort=updated"' in html
    assert 'href="/cases/export.csv?q=drucker"' in paula.html("/cases?q=drucker")


def test_a_search_pages_its_matches_with_the_names_of_every_column(ctx, open_case):
    """A search read from the index in order picks its page first and joins the names to
    it: each page holds its own cases, with every column's names."""
    older = open_case(subject="Drucker druckt nicht")
    newer = open_case(subject="Druckertreiber fehlt", requester="paula.portal")
    open_case(subject="Anderes Thema")
    service.assign(newer, ctx["erik.first"], ctx["erik.first"])
    erik, policy = User.get_by_id(ctx["erik.first"].id), current_policy()
    filters = listing.Filters(view="all", q="drucker", sort="created")
    first = listing.list_page(erik, filters, policy, size=1)
    second = listing.list_page(erik, replace(filters, page=2), policy, size=1)
    assert [row["call_id"] for row in first.rows] == [newer.call_id] and first.has_next
    assert [row["call_id"] for row in second.rows] == [older.call_id] and not second.has_next
    names = {k: v for k, v in first.rows[0].items() if k.endswith("_name") or k == "due_at"}
    product = Product.get_by_id(newer.product_id)
    assert names == {
        "requester_name": ctx["paula.portal"].name,
        "assignee_name": ctx["erik.first"].name,
        "product_name": product.name_en if current_language() != "de" else product.name_de,
        "organisation_name": Organisation.get_by_id(newer.organisation_id).name,
        "due_at": CaseClock.get(CaseClock.case == newer.id).response_due_at,
    }
    assert second.rows[0]["requester_name"] == ctx["mia.member"].name
    assert second.rows[0]["assignee_name"] is None


@pytest.mark.parametrize("window", [3, search.WINDOW])
def test_a_search_pages_the_same_whether_its_matches_are_among_the_newest_or_older(
    ctx, monkeypatch, open_case, foreign, window
):
    """On PostgreSQL a search checks the newest ``search.WINDOW`` cases of the list one by
    one and asks the index for the older matches only when those hold less than the page
    (``search.window_first``); with a window of three cases the pages cross that edge in
    both directions. Another organisation's match is never counted, in or beyond it."""
    monkeypatch.setattr(search, "WINDOW", window)
    monkeypatch.setattr(listing, "_compiled_pages", WeakKeyDictionary())
    subjects = ["Drucker", "Drucker", "Drucker", "Andere", "Andere", "Drucker"] + ["Andere"] * 3
    cases = [open_case(subject=subject) for subject in subjects]
    newest = open_case(subject="Druckerpatrone")
    fields = {"product": Product.select().first(), "case_type": "fault", "severity": "normal"}
    theirs = service.NewCase(
        requester=foreign["admin"], subject="Drucker", description="-", **fields
    )
    service.open_case(theirs)
    matches = [c.call_id for c in [*cases, newest] if c.subject.startswith("Druck")]
    paula, policy = User.get_by_id(ctx["paula.portal"].id), current_policy()
    for direction, expected in (("desc", matches[::-1]), ("asc", matches)):
        shown = []
        for number in range(1, 5):
            filters = listing.Filters(q="drucker", sort="created", dir=direction, page=number)
            page = listing.list_page(paula, filters, policy, size=2)
            shown += [row["call_id"] for row in page.rows]
            assert page.has_next == (len(shown) < len(expected)), (direction, number)
        assert shown == expected, direction


def test_a_search_again_finds_words_indexed_since(ctx, browse, open_case):
    """The same search, asked again after a new word came into the index, finds the new case
    too: a search's SQL names the indexed words of the moment, so it is never reused."""
    first = open_case(subject="Drucker offline")
    paula = browse("paula.portal")
    assert paula.call_ids("/cases?q=druck") == [first.call_id]
    second = open_case(subject="Druckerpatrone leer")
    assert paula.call_ids("/cases?q=druck") == [second.call_id, first.call_id]


def test_paging_with_previous_and_next(ctx, browse, open_case):
    cases = [open_case(subject=f"Case number {i}") for i in range(30)]
    paula = browse("paula.portal")
    first = paula.html("/cases?sort=call_id&dir=asc")
    assert CALL_ID.findall(first) == [c.call_id for c in cases[:25]]
    assert 'rel="next" href="/cases?sort=call_id&amp;dir=asc&amp;page=2"' in first
    assert 'rel="prev"' not in first
    second = paula.html("/cases?sort=call_id&dir=asc&page=2")
    assert CALL_ID.findall(second) == [c.call_id for c in cases[25:]]
    assert 'rel="prev" href="/cases?sort=call_id&amp;dir=asc"' in second
    assert 'rel="next"' not in second
    assert paula.call_ids("/cases?page=99999") == []  # capped, empty, no error


def test_links_are_written_as_url_for_writes_them(ctx, app, browse, open_case):
    """The list builds its links from one ``url_for`` each and quotes the parameters itself."""
    words = "Müller & Söhne #1+2 / 50% 'x' <y>"
    case = open_case(subject=words, severity="low")
    # The call id finds the case on either database (the sort links show only with rows):
    # PostgreSQL's German parser reads these words otherwise than SQLite's index.
    q = f"{case.call_id} {words}"
    args = {"severity": "low", "q": q, "sort": "call_id", "dir": "asc"}
    html = browse("paula.portal").html("/cases", query_string=args)
    with app.test_request_context():
        expected = [
            url_for("cases.export", fmt="csv", **args),
            url_for("cases.export", fmt="xlsx", **args),
            url_for("cases.index", severity="low", q=q, sort="call_id"),  # the other way round
            url_for("cases.index", severity="low", q=q, sort="status"),
        ]
    for url in expected:
        assert f'href="{escape(url)}"' in html


def test_a_lists_links_change_only_sort_order_and_page(app):
    """``ListLinks`` quotes every other parameter once a page: changing one is refused, not
    written wrong; the rest follow as ``url_for`` writes them."""
    filters = listing.Filters(q="Müller & Söhne", severity="low", sort="created", page=3)
    with app.test_request_context():
        links = ListLinks("cases.index", filters)
        assert links.to(page=4) == url_for(
            "cases.index", severity="low", q="Müller & Söhne", page=4
        )
        with pytest.raises(TypeError):
            links.to(q="other")


def test_fixed_links_follow_the_root_path(app):
    """``fixed_url`` keeps a link per app and root path: one mounted under a prefix differs."""
    for root in ("", "/support", ""):
        with app.test_request_context("/", base_url=f"http://portal.example{root}/"):
            assert fixed_url("cases.export", fmt="csv") == f"{root}/cases/export.csv"


def test_filters_keep_the_other_parameters_in_links(ctx, browse, assorted):
    html = browse("paula.portal").html("/cases?q=down&severity=critical")
    assert 'href="/cases/export.csv?severity=critical&amp;q=down"' in html
    assert 'href="/cases/export.xlsx?severity=critical&amp;q=down"' in html
    assert 'value="down"' in html
    assert '<option value="critical" selected>' in html


# -- htmx and the page ---------------------------------------------------------------------


def test_htmx_gets_only_the_table_and_the_same_url_the_whole_page(ctx, browse, assorted):
    paula = browse("paula.portal")
    partial = paula.get("/cases?severity=critical", headers={"HX-Request": "true"})
    body = partial.get_data(as_text=True)
    assert "<html" not in body and "<form" not in body
    assert body.strip().startswith('<div id="case-table"')
    assert CALL_ID.findall(body) == [assorted["critical"].call_id]
    assert "HX-Request" in partial.headers["Vary"]

    full = paula.get("/cases?severity=critical")
    assert full.get_data(as_text=True).lstrip().startswith("<!doctype html>")
    assert "HX-Request" in full.headers["Vary"]

    # htmx refetching a page missing from its history cache needs the whole page
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in paula.get("/cases?severity=critical", headers=restore).get_data(True)
    # a boosted navigation (a sortable heading) is a whole page too
    boosted = {"HX-Request": "true", "HX-Boosted": "true"}
    assert "<html" in paula.get("/cases?sort=status", headers=boosted).get_data(True)


def test_filter_form_works_with_and_without_htmx(ctx, browse):
    html = browse("paula.portal").html("/cases")
    form = re.search(r'<form class="filters"[^>]*>', html).group(0)
    assert 'method="get"' in form and 'action="/cases"' in form
    assert 'data-hx-get="/cases"' in form and 'data-hx-target="#case-table"' in form
    assert 'data-hx-push-url="true"' in form and "input changed delay" in form
    assert '<button type="submit"' in html


def test_partial_for_25_rows_is_small(ctx, browse, open_case):
    for i in range(30):
        open_case(subject=f"Invoice run {i} stops with an error in the finance module today")
    partial = browse("paula.portal").get("/cases", headers={"HX-Request": "true"})
    assert len(CALL_ID.findall(partial.get_data(as_text=True))) == 25
    assert len(partial.data) < 15 * 1024


@pytest.mark.parametrize(
    ("who", "path"),
    [("paula.portal", "/cases"), ("erik.first", "/queue"), ("mia.member", "/portal")],
)
def test_no_inline_script_or_style(ctx, browse, three_cases, who, path):
    html = browse(who).html(path)
    assert "style=" not in html and "<style" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert "/static/css/cases-list.css" in html


def test_labels_in_the_users_language_and_times_in_their_zone(ctx, browse, open_case):
    case = open_case()
    Case.update(updated_at=datetime(2026, 1, 15, 12, 0)).where(Case.id == case.id).execute()
    User.update(language="de").where(User.id == ctx["paula.portal"].id).execute()
    html = browse("paula.portal").html("/cases")
    assert '<span class="st st-new">Neu</span>' in html
    assert "15.01.26, 13:00" in html  # Europe/Vienna
    User.update(timezone="America/New_York").where(User.id == ctx["paula.portal"].id).execute()
    assert "15.01.26, 07:00" in browse("paula.portal").html("/cases")
    User.update(language="en").where(User.id == ctx["paula.portal"].id).execute()
    assert ">15/01/2026, 07:00</time>" in browse("paula.portal").html("/cases")  # en-GB


def test_values_the_vendor_no_longer_defines_show_as_they_are_escaped(ctx, browse, open_case):
    case = open_case(subject="<b>Bold</b> & co")
    Case.update(status="<legacy>", status_category="x&y", severity="s'ev").where(
        Case.id == case.id
    ).execute()
    html = browse("paula.portal").html("/cases?status=all")
    assert '<span class="st st-x&amp;y">&lt;legacy&gt;</span>' in html
    assert ">s&#39;ev</td>" in html and "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html


def test_status_filter_labels_cover_every_filter():
    assert set(STATUS_LABELS) == set(listing.STATUS_FILTERS)


# -- Columns -------------------------------------------------------------------------------


def _headings(html: str) -> list[str]:
    return re.findall(r'<th scope="col"[^>]*>(?:<a [^>]*>)?([^<]+)<', html)


def test_default_columns_differ_for_customers_and_agents(ctx, browse, three_cases):
    customer = _headings(browse("paula.portal").html("/cases"))
    agent = _headings(browse("erik.first").html("/queue?view=all"))
    assert customer == ["Call ID", "Subject", "Status", "Severity", "Requester", "Updated"]
    assert "Assignee" in agent and "Organisation" in agent
    assert "Assignee" not in customer


def test_chosen_columns_are_saved_and_used(ctx, browse, three_cases):
    paula = browse("paula.portal")
    response = paula.post(
        "/cases/columns",
        data={"columns": ["subject", "product", "created", "assignee"], "next": "/cases?q=x"},
    )
    assert response.status_code == 302 and response.location == "/cases?q=x"
    html = paula.html("/cases")
    assert _headings(html) == ["Call ID", "Subject", "Product", "Created"]  # no assignee
    assert "Business Suite" in html
    assert _headings(paula.html("/cases", headers={"HX-Request": "true"}))[2] == "Product"
    # remembered in the database: a new session sees the same
    assert _headings(browse("paula.portal").html("/cases"))[2] == "Product"
    # and only for Paula
    assert "Product" not in _headings(browse("martin.main").html("/cases"))


def test_columns_form_returns_to_the_list_in_the_address_bar(ctx, browse):
    paula = browse("paula.portal")
    data = {"columns": ["subject"], "next": "/cases"}
    htmx = {"HX-Request": "true", "HX-Boosted": "true", "HX-Current-URL": "http://x/cases?q=ab"}
    assert paula.post("/cases/columns", data=data, headers=htmx).location == "/cases?q=ab"
    evil = {"columns": ["subject"], "next": "https://evil.example/cases"}
    assert paula.post("/cases/columns", data=evil).location == "/cases"
    assert paula.post("/cases/columns", data={"next": "//evil.example/x"}).location == "/cases"


def test_columns_form_needs_the_csrf_token(ctx, app):
    client = app.test_client().sign_in_as(ctx["paula.portal"])
    with app.app_context():
        response = client.post("/cases/columns", data={"columns": ["subject"]}, csrf=False)
    assert response.status_code == 400


def test_agents_choose_their_queue_columns(ctx, browse, queue_cases):
    erik = browse("erik.first")
    erik.post("/cases/columns", data={"columns": ["assignee", "priority"]})
    html = erik.html("/queue?view=all")
    assert _headings(html) == ["Call ID", "Priority", "Assignee"]
    assert "Sara Second" in html


# -- Start page ----------------------------------------------------------------------------


def test_customer_start_page_shows_the_first_ten_open_cases(ctx, browse, open_case):
    cases = [open_case(subject=f"Open one {i}") for i in range(12)]
    service.move_status(cases[-1], ctx["erik.first"], "closed")
    html = browse("mia.member").html("/portal")
    shown = CALL_ID.findall(html)
    assert len(shown) == 10
    assert cases[-1].call_id not in shown and cases[-2].call_id in shown  # newest open first
    assert 'href="/cases"' in html and 'href="/cases/new"' in html


def test_customer_start_page_without_cases(ctx, browse, foreign):
    html = browse("mia.member").html("/portal")
    assert "You have no open cases." in html
    assert foreign["case"].call_id not in html


@pytest.mark.parametrize(
    ("view", "direction", "shown"),
    [("all", "desc", 9), ("all", "asc", 9), ("breaching", "desc", 6), ("breaching", "asc", 6)],
)
def test_due_sort_pages_in_one_order(ctx, open_case, view, direction, shown):
    """The "due" sort's pages, read in two parts (owing a response, then the rest), follow
    one after the other in the order of the whole list sorted at once: ties in the due time
    the latest changed first, cases owing nothing last, also across the page where the parts
    meet; in the breaching view the cases owing a response (all overdue here) alone."""
    erik = User.get_by_id(ctx["erik.first"].id)
    cases = [open_case(subject=f"Case {i}") for i in range(9)]
    dues = [datetime(2026, 1, 15, 12, 0), datetime(2026, 1, 14, 9, 0), None]
    for i, case in enumerate(cases):  # three dues, each three times, one of them none
        CaseClock.update(response_due_at=dues[i % 3]).where(CaseClock.case == case.id).execute()
    CaseClock.delete().where(CaseClock.case == cases[8].id).execute()  # a case with no clock
    policy = current_policy()
    filters = listing.Filters(view=view, sort="due", dir=direction)
    whole = [row["call_id"] for row in listing.cases_query(erik, filters, policy)]
    pages, last = [], (shown + 1) // 2  # two a page
    for number in range(1, last + 1):
        page = listing.list_page(erik, replace(filters, page=number), policy, size=2)
        pages += [row["call_id"] for row in page.rows]
        assert page.has_next == (number < last)
    assert len(whole) == shown and pages == whole
    owing = [c.call_id for i, c in enumerate(cases) if i % 3 != 2]
    assert set(whole[: len(owing)]) == set(owing)  # the cases owing nothing come last


def test_due_sort_reads_the_clocks_index(ctx, open_case):
    """SQLite (without statistics): the "due" sort's page reads the cases owing a response
    from the clocks' index in its order, and the rest from the open cases' index by the time
    of their last change: neither sorts the open cases (2.0-2.5 s at 1,000,000 cases when
    the whole list was sorted at once), only ties in a due time and the page's rows."""
    if not is_sqlite():
        pytest.skip("SQLite's query plans")
    erik = User.get_by_id(ctx["erik.first"].id)
    filters = listing.Filters(view="all", sort="due")

    def plan_of(owing_only: bool) -> list[str]:
        query = listing.cases_query(
            erik, filters, current_policy(), page=(26, 0), owing_only=owing_only
        )
        sql, params = query.sql()
        return [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]

    plan = plan_of(owing_only=False)
    assert any("case_clock_response_due_at" in step for step in plan), plan
    assert "SEARCH t5 USING INDEX case_is_open_updated_at_id (is_open=?)" in plan, plan
    temp_sorts = [step for step in plan if "TEMP B-TREE" in step]
    ties, page = "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY", "USE TEMP B-TREE FOR ORDER BY"
    assert temp_sorts == [ties, page], plan  # the page's 52 rows at most
    # The first part alone, the statement a first page usually runs (``list_page``): the
    # clocks' index in its order, only ties in a due time sorted.
    plan = plan_of(owing_only=True)
    assert any("case_clock_response_due_at" in step for step in plan), plan
    assert [step for step in plan if "TEMP B-TREE" in step] == [ties], plan


def test_due_sort_reads_the_rest_only_when_the_owing_cases_do_not_fill_the_page(
    ctx, open_case, caplog
):
    """The cases owing nothing are not read when the cases owing a response reach the end
    of the page: one statement, the first part's, without the second (which both databases
    read when the page was one statement of both: PostgreSQL 1.2 of 1.7 ms at 100,000
    cases); when they do not, the page is then read whole, a second statement."""
    erik = User.get_by_id(ctx["erik.first"].id)
    cases = [open_case(subject=f"Case {i}") for i in range(4)]
    for case in cases[:2]:
        due = datetime(2026, 1, 15, 12, 0)
        CaseClock.update(response_due_at=due).where(CaseClock.case == case.id).execute()
    for case in cases[2:]:
        CaseClock.update(response_due_at=None).where(CaseClock.case == case.id).execute()
    filters, policy = listing.Filters(view="all", sort="due"), current_policy()

    def read(number, size):
        listing.list_page(erik, replace(filters, page=number), policy, size=size)  # compiled
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="peewee"):
            page = listing.list_page(erik, replace(filters, page=number), policy, size=size)
        reads_rest = ["IS NULL" in record.msg[0] for record in caplog.records]
        return [row["subject"] for row in page.rows], page.has_next, reads_rest

    # Two owing, due at the same time: the latest changed first (Case 1), then Case 0.
    assert read(1, 1) == (["Case 1"], True, [False])  # the page's one and the one more owe
    assert read(1, 2) == (["Case 1", "Case 0"], True, [False, True])  # one more owes nothing
    assert read(2, 1) == (["Case 0"], True, [False, True])
    assert read(3, 1) == (["Case 3"], True, [False, True])  # the latest changed owing nothing


# -- No query per row ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "filters"),
    [
        ("paula.portal", listing.Filters(status="all")),
        ("erik.first", listing.Filters(view="all", status="all", sort="due")),
        ("erik.first", listing.Filters(view="breaching", status="all")),
    ],
)
def test_a_page_holds_the_rows_peewee_reads(ctx, open_case, who, filters):
    """``list_page`` reads its rows from the cursor, times converted, as ``dicts()`` would."""
    for i in range(3):
        case = open_case(subject=f"Case {i}")
        service.assign(case, ctx["erik.first"], ctx["sara.second"])
    open_case(subject="Nobody's yet")
    CaseClock.update(response_due_at=datetime(2026, 1, 15, 12, 0)).execute()  # all breaching
    user, policy = User.get_by_id(ctx[who].id), current_policy()
    columns = listing.available_columns(user)
    page = listing.list_page(user, filters, policy, columns)
    read = listing.cases_query(user, filters, policy, columns)
    assert page.rows == [listing.with_names(row, current_language()) for row in read]
    assert isinstance(page.rows[0]["updated_at"], datetime)


def _queries(browser, path, **kwargs) -> int:
    with count_queries() as counted:
        response = browser.get(path, **kwargs)
    assert response.status_code == 200
    return counted.count


#: A list: the signed-in user; products, people to filter by and saved columns in one
#: statement; the page. The start pages: the user and the page (customers) or the user,
#: their team and a capped count per queue view (agents).
LIST_QUERIES = 3


@pytest.mark.parametrize(
    ("who", "path", "queries"),
    [
        ("paula.portal", "/cases?status=all", LIST_QUERIES),
        ("mia.member", "/cases?q=Case", LIST_QUERIES),
        ("erik.first", "/queue?view=all", LIST_QUERIES),
        ("erik.first", "/queue?view=breaching", LIST_QUERIES),
        ("erik.first", "/agent", 2 + len(listing.QUEUE_VIEWS)),
        ("paula.portal", "/portal", 2 + 1 + 1),  # + support units (15), announcements (14)
    ],
)
def test_queries_do_not_grow_with_the_rows(ctx, browse, open_case, who, path, queries):
    if "q=" in path and is_sqlite():
        queries += 1  # the indexed words the search word begins (one query a search word)
    browser = browse(who)
    every = listing.available_columns(ctx[who])
    browser.post("/cases/columns", data={"columns": list(every)})
    service.assign(open_case(subject="Case first"), ctx["erik.first"], ctx["sara.second"])
    for i in range(2):
        open_case(subject=f"Case {i}")
    browser.get(path)  # warm up
    assert _queries(browser, path) == queries
    for i in range(27):
        case = open_case(subject=f"Case more {i}", requester="mia.member")
        if i % 3 == 0:
            service.assign(case, ctx["erik.first"], ctx["sara.second"])
    assert _queries(browser, path) == queries


@pytest.mark.parametrize(
    ("who", "path"),
    [("paula.portal", "/cases?severity=low"), ("erik.first", "/queue?assignee=none")],
)
def test_the_htmx_table_takes_the_queries_of_the_whole_page(ctx, browse, open_case, who, path):
    """The partial skips the filter form, not the allow-lists its filters are checked by."""
    open_case(severity="low")
    browser = browse(who)
    browser.get(path)  # warm up
    assert _queries(browser, path, headers={"HX-Request": "true"}) == LIST_QUERIES
