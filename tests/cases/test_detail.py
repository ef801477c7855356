"""A case's page and every action on it, through real requests as browsers send them.

Each action is tried the htmx way (``HX-Request``: the case panel comes back alone) and the
plain-form way (303 back to the page); refused actions come back with the reason and the
typed text; cases of other organisations, and colleagues' cases a member may not see, are a
404 on every route.
"""

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_time, get_datetime_format
from flask_babel import force_locale
from playhouse.test_utils import count_queries

from helpdesk.accounts.models import User
from helpdesk.cases import service, uploads
from helpdesk.cases.files import StoredFile
from helpdesk.cases.models import Attachment, Case, Event, EventKind, Visibility
from helpdesk.cases.times import Times
from helpdesk.contracts import billing
from helpdesk.contracts import service as contracts
from helpdesk.development import service as development
from helpdesk.formats import datetime_text, region
from helpdesk.knowledge import service as knowledge
from helpdesk.knowledge.models import Article, ArticleRead
from helpdesk.mail.inbound.models import InboundMessage
from helpdesk.products.models import Component, Product, ProductVersion
from helpdesk.sla.models import CaseClock

HTMX = {"HX-Request": "true"}


def url(case, tail=""):
    return f"/cases/{case.call_id}{tail}"


def fresh(case):
    return Case.get_by_id(case.id)


def events(case, kind=None):
    query = Event.select().where(Event.case == case.id).order_by(Event.id)
    if kind is not None:
        query = query.where(Event.kind == kind)
    return list(query)


def is_partial(response):
    body = response.get_data(as_text=True)
    return "<html" not in body and 'id="case"' in body


@pytest.fixture
def case(open_case):
    return open_case(
        description="The invoice run stops.\nSecond line of the description.",
        checklist={"symptom": "Run stops at 50 %", "steps": "1. Open\n2. Print"},
    )


# -- The page ---------------------------------------------------------------------------


def test_page_shows_call_id_fields_description_and_checklist(customer_client, case):
    response = customer_client.get(url(case))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.lstrip().startswith("<!doctype html>")
    assert case.call_id in page and "Printing invoices fails" in page
    assert "Second line of the description." in page
    assert "Run stops at 50 %" in page and "Steps to reproduce" in page
    assert "Business Suite" in page  # the product's name
    assert "Fault" in page and "Normal" in page  # labels of the type and severity keys
    assert "Mia Member" in page and "opened the case" in page
    assert "/static/css/cases-detail.css" in page


def test_labels_follow_the_users_language(app, customer_client, case, demo_people):
    User.update(language="de").where(User.id == demo_people["mia.member"].id).execute()
    page = customer_client.get(url(case)).get_data(as_text=True)
    assert "Fehler" in page  # the German label of the type "fault"
    assert 'lang="de"' in page


def test_page_has_no_inline_script_or_style(agent_client, case):
    page = agent_client.get(url(case)).get_data(as_text=True)
    assert "<script>" not in page and "<script " not in page.replace('<script src="', "")
    assert " style=" not in page and "<style" not in page


def test_text_is_escaped_with_line_breaks_kept(ctx, customer_client, open_case):
    case = open_case(subject="<b>bold</b>", description="<script>alert(1)</script>\nline two")
    page = customer_client.get(url(case)).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "&lt;/script&gt;\nline two" in page  # shown with white-space: pre-wrap


def test_times_are_shown_in_the_users_zone(ctx, customer_client, case):
    event = service.add_message(case, ctx["erik.first"], "Summer time answer")
    Event.update(created_at=datetime(2026, 7, 1, 10, 0)).where(Event.id == event.id).execute()
    page = customer_client.get(url(case)).get_data(as_text=True)
    assert "1 Jul 2026, 12:00" in page  # Europe/Vienna is UTC+2 in July
    assert 'datetime="2026-07-01T10:00:00Z"' in page


def test_times_follow_the_zone_on_the_profile(ctx, customer_client, case):
    event = service.add_message(case, ctx["erik.first"], "Summer time answer")
    Event.update(created_at=datetime(2026, 7, 1, 10, 0)).where(Event.id == event.id).execute()
    User.update(timezone="America/New_York").where(User.id == ctx["mia.member"].id).execute()
    page = customer_client.get(url(case)).get_data(as_text=True)
    # The message's time in New York, not in Vienna (12:00); other times on the page are now's.
    assert "1 Jul 2026, 06:00" in page and "1 Jul 2026, 12:00" not in page


# Korean puts AM/PM first; zh_Hant has a field the fast formatter leaves to Babel.
@pytest.mark.parametrize("language", ["en", "de", "ko", "zh_Hant"])
@pytest.mark.parametrize("zone", ["Europe/Vienna", "America/New_York"])
def test_page_times_read_as_the_datetimeformat_filter(app, language, zone):
    moments = [
        datetime(2026, 1, 15, 13, 5, 9),
        datetime(2026, 7, 1, 23, 30),
        datetime(2026, 3, 29, 1),
    ]
    with app.test_request_context(), force_locale(language):
        app.config["BABEL_DEFAULT_TIMEZONE"] = zone
        times = Times()
        for moment in moments:
            assert times.text(moment) == datetime_text(moment) == _by_babel(moment, zone)
        assert times.element(moments[0]) == (
            f'<time datetime="2026-01-15T13:05:09Z">{_by_babel(moments[0], zone)}</time>'
        )


def _by_babel(moment: datetime, zone: str) -> str:
    """The medium date and short time of the current language's region, by Babel alone."""
    where = region()
    local = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
    glue = str(get_datetime_format("medium", where)).replace("'", "")
    date = format_date(local, "medium", locale=where)
    return glue.replace("{1}", date).replace("{0}", format_time(local, "short", locale=where))


def test_unknown_call_id_is_not_found(customer_client, case):
    assert customer_client.get("/cases/1999-99999").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(app, case):
    response = app.test_client().get(url(case))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_follow_up_links_both_ways(ctx, customer_client, case):
    service.move_status(case, ctx["erik.first"], "closed")
    child = service.open_follow_up(fresh(case), ctx["mia.member"], "Again", "Same error.")
    parent_page = customer_client.get(url(case)).get_data(as_text=True)
    assert f'href="/cases/{child.call_id}"' in parent_page
    child_page = customer_client.get(url(child)).get_data(as_text=True)
    assert "Follow-up to" in child_page and f'href="/cases/{case.call_id}"' in child_page


# -- Internal entries (PERM-4) ------------------------------------------------------------


@pytest.fixture
def with_note(ctx, case):
    """A case with an internal note carrying a file, and a public reply."""
    stored = Attachment.create(
        uploaded_by=ctx["erik.first"],
        filename="internal-analysis.txt",
        stored_name="0" * 40,
        content_type="text/plain",
        size=10,
        sha256="0" * 64,
    )
    service.add_message(case, ctx["erik.first"], "Customer runs an old driver.", [stored], True)
    service.add_message(case, ctx["erik.first"], "Please update the driver.")
    return case


def test_customer_never_sees_internal_notes(customer_client, with_note):
    for response in (
        customer_client.get(url(with_note)),
        customer_client.get(url(with_note), headers=HTMX),
        customer_client.post(url(with_note, "/messages"), data={"body": "OK"}, headers=HTMX),
    ):
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Please update the driver." in page
        assert "old driver" not in page and "internal-analysis.txt" not in page
        assert "Internal" not in page


def test_agent_sees_internal_notes_marked(agent_client, with_note):
    page = agent_client.get(url(with_note)).get_data(as_text=True)
    assert "Customer runs an old driver." in page and "internal-analysis.txt" in page
    assert 'class="entry entry-note internal"' in page
    assert "Erik First added an internal note:" in page


# -- Waiting for the customer (FLOW-2) ----------------------------------------------------


def test_waiting_banner_says_what_is_awaited(ctx, customer_client, case):
    service.move_status(case, ctx["erik.first"], "waiting", waiting_for="the log file of Monday")
    page = customer_client.get(url(case)).get_data(as_text=True)
    assert "Waiting for you:" in page
    assert "your reply" in page  # the status's own waiting_for label
    assert "the log file of Monday" in page

    customer_client.post(url(case, "/messages"), data={"body": "Here it is."})
    page = customer_client.get(url(case)).get_data(as_text=True)
    assert "Waiting for you:" not in page  # the ball is back with support


# -- Customer actions ---------------------------------------------------------------------


def test_customer_adds_information_and_a_file_without_javascript(customer_client, case):
    response = customer_client.post(
        url(case, "/messages"),
        data={
            "body": "It also fails\non Mondays.",
            "visibility": "internal",  # ignored: customers write public messages only
            "files": [(io.BytesIO(b"log line 1\nlog line 2\n"), "printer.log")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(case))
    [message] = events(case, EventKind.MESSAGE)
    assert message.visibility == Visibility.PUBLIC and message.body == "It also fails\non Mondays."
    [file] = Attachment.select().where(Attachment.event == message.id)
    assert file.case_id == case.id and file.content_type == "text/plain"
    page = customer_client.get(url(case)).get_data(as_text=True)
    assert "It also fails<br>\non Mondays." in page and "printer.log" in page  # Markdown
    assert "The message was sent." in page  # the flash after the redirect


def test_customer_adds_information_with_htmx(customer_client, case):
    response = customer_client.post(
        url(case, "/messages"), data={"body": "More details"}, headers=HTMX
    )
    assert response.status_code == 200 and is_partial(response)
    assert "More details" in response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]


def test_customer_follows_and_unfollows(ctx, customer_client, case):
    response = customer_client.post(url(case, "/follow"), headers=HTMX)
    assert is_partial(response) and "Stop following" in response.get_data(as_text=True)
    assert service.is_following(case, ctx["mia.member"])
    response = customer_client.post(url(case, "/unfollow"))
    assert response.status_code == 303
    assert not service.is_following(case, ctx["mia.member"])


def test_member_who_stops_following_a_colleagues_case_leaves_it(ctx, customer_client, open_case):
    colleagues = open_case(requester="alma.admin")
    service.follow(colleagues, ctx["mia.member"], added_by=ctx["alma.admin"])
    assert customer_client.get(url(colleagues)).status_code == 200
    response = customer_client.post(url(colleagues, "/unfollow"), headers=HTMX)
    assert response.headers["HX-Redirect"] == "/"
    assert customer_client.get(url(colleagues)).status_code == 404


def test_customer_reopens_a_solved_case_with_a_reason(ctx, customer_client, case):
    service.move_status(case, ctx["erik.first"], "solved")
    page = customer_client.get(url(case)).get_data(as_text=True)
    assert "Reopen the case" in page
    response = customer_client.post(url(case, "/reopen"), data={"reason": ""}, headers=HTMX)
    assert response.status_code == 422 and "Please say why" in response.get_data(as_text=True)
    response = customer_client.post(url(case, "/reopen"), data={"reason": "Fails again"})
    assert response.status_code == 303
    assert fresh(case).status_category == "open"
    assert events(case, EventKind.REOPENED)[0].body == "Fails again"


def test_closed_case_offers_a_follow_up_instead(ctx, customer_client, case):
    service.move_status(case, ctx["erik.first"], "closed")
    page = customer_client.get(url(case)).get_data(as_text=True)
    assert "Reopen the case" not in page and url(case, "/follow-up") in page
    assert 'name="body"' not in page  # a closed case takes no more messages

    response = customer_client.post(url(case, "/reopen"), data={"reason": "Fails again"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" in page
    assert "please open a follow-up case" in page and url(case, "/follow-up") in page

    form = customer_client.get(url(case, "/follow-up"))
    assert form.status_code == 200 and "Printing invoices fails" in form.get_data(as_text=True)
    response = customer_client.post(
        url(case, "/follow-up"), data={"subject": "Fails again", "description": "  "}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Please describe the problem." in page
    assert 'value="Fails again"' in page
    response = customer_client.post(
        url(case, "/follow-up"),
        data={"subject": "Fails again", "description": "Same error since Monday."},
    )
    assert response.status_code == 303
    child = Case.get(Case.parent == case.id)
    assert response.headers["Location"].endswith(url(child))
    assert child.requester_id == ctx["mia.member"].id and child.subject == "Fails again"


def test_follow_up_of_an_open_case_goes_back_to_the_case(customer_client, case):
    response = customer_client.get(url(case, "/follow-up"))
    assert response.status_code == 303 and response.headers["Location"].endswith(url(case))


# -- Agent actions (CASE-5) ---------------------------------------------------------------


def test_agent_replies_publicly_with_htmx(ctx, agent_client, case):
    response = agent_client.post(
        url(case, "/messages"),
        data={"body": "Please try version 2026.1.", "visibility": "public"},
        headers=HTMX,
    )
    assert response.status_code == 200 and is_partial(response)
    assert "Erik First wrote:" in response.get_data(as_text=True)
    [message] = events(case, EventKind.MESSAGE)
    assert message.visibility == Visibility.PUBLIC and message.author_id == ctx["erik.first"].id


def test_agent_adds_a_note_without_javascript(agent_client, case):
    response = agent_client.post(
        url(case, "/messages"), data={"body": "Looks like the driver.", "visibility": "internal"}
    )
    assert response.status_code == 303
    [note] = events(case, EventKind.NOTE)
    assert note.visibility == Visibility.INTERNAL


def test_agent_message_without_a_choice_stays_internal(agent_client, case):
    agent_client.post(url(case, "/messages"), data={"body": "Which one?"})
    assert events(case, EventKind.NOTE) and not events(case, EventKind.MESSAGE)


def test_agent_changes_severity_with_reason_and_the_timeline_says_so(agent_client, case):
    response = agent_client.post(
        url(case, "/fields/severity"),
        data={"value": "critical", "reason": "Production is down"},
        headers=HTMX,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and is_partial(response)
    assert "Erik First changed Severity from Normal to Critical." in page
    assert "Production is down" in page
    assert "Erik First changed Priority from Normal to High." in page  # re-derived
    assert (fresh(case).severity, fresh(case).priority) == ("critical", "high")
    assert 'datetime="' in page  # when


@pytest.mark.parametrize(("name", "value"), [("case_type", "question"), ("priority", "low")])
def test_agent_changes_type_and_priority_without_javascript(agent_client, case, name, value):
    response = agent_client.post(url(case, f"/fields/{name}"), data={"value": value})
    assert response.status_code == 303
    assert getattr(fresh(case), name) == value


def test_agent_changes_product_version_and_component(ctx, agent_client, case):
    version = ProductVersion.get(ProductVersion.name == "2026.1")
    component = Component.get(Component.key == "sales")
    agent_client.post(url(case, "/fields/version"), data={"value": str(version.id)})
    agent_client.post(url(case, "/fields/component"), data={"value": str(component.id)})
    page = agent_client.get(url(case)).get_data(as_text=True)
    assert "Erik First set Version to 2026.1." in page
    assert "Erik First set Component to Sales." in page
    other = Product.create(key="other", name="Other Product")
    response = agent_client.post(
        url(case, "/fields/product"), data={"value": str(other.id)}, headers=HTMX
    )
    page = response.get_data(as_text=True)
    assert "changed Product from Business Suite to Other Product." in page
    assert (fresh(case).product_id, fresh(case).version_id) == (other.id, None)


def test_agent_moves_to_a_waiting_status_with_what_is_awaited(agent_client, case):
    response = agent_client.post(
        url(case, "/status"),
        data={"status": "waiting", "waiting_for": "the printer's log file"},
        headers=HTMX,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and is_partial(response)
    assert "Erik First changed Status from New to Waiting for customer." in page
    assert "Waiting on the customer:" in page and "the printer&#39;s log file" in page
    assert fresh(case).waiting_for == "the printer's log file"


def test_agent_assigns_with_htmx_and_takes_a_case_without_javascript(ctx, agent_client, case):
    sara = ctx["sara.second"]
    response = agent_client.post(url(case, "/assignee"), data={"assignee": sara.id}, headers=HTMX)
    assert is_partial(response)
    assert "Erik First assigned the case to Sara Second." in response.get_data(as_text=True)
    response = agent_client.post(url(case, "/assignee"), data={"assignee": ctx["erik.first"].id})
    assert response.status_code == 303
    assert fresh(case).assignee_id == ctx["erik.first"].id
    page = agent_client.get(url(case)).get_data(as_text=True)
    assert "Erik First took the case." in page
    assert "Assign to me" not in page


def test_agent_follows(ctx, agent_client, case):
    agent_client.post(url(case, "/follow"))
    assert service.is_following(case, ctx["erik.first"])
    page = agent_client.get(url(case)).get_data(as_text=True)
    assert "Erik First follows the case." in page  # an internal entry, for agents


# -- Refused actions ----------------------------------------------------------------------


def test_refused_status_keeps_the_typed_text_htmx_and_plain(agent_client, case):
    data = {"status": "new", "waiting_for": "typed <text>"}
    response = agent_client.post(url(case, "/status"), data=data, headers=HTMX)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and is_partial(response)
    assert "The case already has this status." in page
    assert 'value="typed &lt;text&gt;"' in page
    response = agent_client.post(url(case, "/status"), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" in page
    assert 'value="typed &lt;text&gt;"' in page


def test_empty_message_is_refused_in_the_users_language(ctx, customer_client, case):
    User.update(language="de").where(User.id == ctx["mia.member"].id).execute()
    response = customer_client.post(url(case, "/messages"), data={"body": "  "}, headers=HTMX)
    assert response.status_code == 422
    assert "Bitte schreiben Sie eine Nachricht" in response.get_data(as_text=True)
    assert not events(case, EventKind.MESSAGE)


@pytest.mark.parametrize(
    ("path", "data", "error"),
    [
        ("/fields/severity", {"value": "normal"}, "Nothing changed."),
        ("/fields/severity", {"value": "bogus"}, "Please choose one of the offered values."),
        ("/fields/version", {"value": "999999"}, "Please choose one of the offered values."),
        ("/fields/product", {"value": ""}, "Please choose one of the offered values."),
        ("/assignee", {"assignee": "999999"}, "Cases are assigned to active agents."),
        ("/status", {"status": "nonsense"}, "Unknown status."),
    ],
)
def test_agent_errors_come_back_next_to_the_form(agent_client, case, path, data, error):
    response = agent_client.post(url(case, path), data=data, headers=HTMX)
    assert response.status_code == 422 and is_partial(response)
    assert error in response.get_data(as_text=True)
    assert len(events(case)) == 1  # only the opening


def test_customers_cannot_use_the_agents_actions(customer_client, case):
    for path, data in (
        ("/fields/priority", {"value": "high"}),
        ("/status", {"status": "solved"}),
        ("/assignee", {"assignee": "1"}),
    ):
        assert customer_client.post(url(case, path), data=data).status_code == 404
    assert len(events(case)) == 1


def test_unknown_field_is_not_found(agent_client, case):
    response = agent_client.post(url(case, "/fields/requester"), data={"value": "1"})
    assert response.status_code == 404


def test_actions_need_the_csrf_token(customer_client, case):
    response = customer_client.post(url(case, "/messages"), data={"body": "x"}, csrf=False)
    assert response.status_code == 400
    assert not events(case, EventKind.MESSAGE)


# -- Cases the user may not see: 404 on every route (PERM-1, PERM-2) ----------------------

ROUTES = [
    ("get", ""),
    ("get", "/follow-up"),
    ("post", "/follow-up"),
    ("post", "/messages"),
    ("post", "/follow"),
    ("post", "/unfollow"),
    ("post", "/reopen"),
    ("post", "/fields/severity"),
    ("post", "/status"),
    ("post", "/assignee"),
    ("get", "/attachments/1/file.txt"),
]
FORM = {
    "body": "leak?",
    "reason": "leak?",
    "subject": "leak?",
    "description": "leak?",
    "value": "high",
    "status": "solved",
    "assignee": "1",
}


def _untouched(case, before):
    assert len(events(case)) == before
    assert Case.select().where(Case.parent == case.id).count() == 0


@pytest.mark.parametrize(("method", "tail"), ROUTES)
def test_other_organisations_case_is_not_found(portal_admin_client, foreign, method, tail):
    case = foreign["case"]
    service.move_status(case, User.get(User.email == "erik.first@vendor.example"), "closed")
    before = len(events(case))
    call = getattr(portal_admin_client, method)
    response = call(url(case, tail), data=FORM if method == "post" else None)
    assert response.status_code == 404
    assert "Fremder Fall" not in response.get_data(as_text=True)
    _untouched(case, before)


@pytest.mark.parametrize(("method", "tail"), ROUTES)
def test_member_cannot_reach_a_colleagues_case(ctx, customer_client, open_case, method, tail):
    colleagues = open_case(requester="alma.admin", subject="Alma's own case")
    service.move_status(colleagues, ctx["erik.first"], "solved")
    before = len(events(colleagues))
    response = getattr(customer_client, method)(
        url(colleagues, tail), data=FORM if method == "post" else None
    )
    assert response.status_code == 404
    assert "Alma&#39;s own case" not in response.get_data(as_text=True)
    _untouched(colleagues, before)


def test_member_sees_a_colleagues_case_they_follow(ctx, customer_client, open_case):
    colleagues = open_case(requester="alma.admin")
    service.follow(colleagues, ctx["mia.member"], added_by=ctx["alma.admin"])
    assert customer_client.get(url(colleagues)).status_code == 200


def test_a_case_without_a_clock_row_shows_that_no_response_is_owed(ctx, agent_client, case):
    CaseClock.delete().where(CaseClock.case == case.id).execute()
    page = agent_client.get(url(case)).get_data(as_text=True)
    assert "No response is owed." in page and "No timer runs in this status." in page


# -- No query per timeline entry ----------------------------------------------------------


def _busy_case(ctx, open_case, messages):
    case = open_case()
    service.change_field(case, ctx["erik.first"], "severity", "high", reason="Many users")
    service.assign(fresh(case), ctx["erik.first"], ctx["sara.second"])
    service.follow(fresh(case), ctx["martin.main"])
    for number in range(messages):
        author = ctx["mia.member"] if number % 2 else ctx["erik.first"]
        stored = StoredFile(
            f"log-{number}.txt", f"{case.id:04d}{number:036d}", "text/plain", 100, "0" * 64
        )
        pending = uploads.pending_upload(author, stored)
        internal = author.is_agent and number % 4 == 0
        service.add_message(fresh(case), author, f"Message {number}", [pending], internal)
    return case


def _page_queries(client, case) -> int:
    client.get(url(case))  # warm up: sessions, lazy imports
    with count_queries(only_select=False) as counter:
        response = client.get(url(case))
    assert response.status_code == 200
    assert "Message 1" in response.get_data(as_text=True)
    return counter.count


# A busy case's page asks for the signed-in user; the case (with its SLA clock, whether the
# person follows it, whether it has follow-ups and files, whether its organisation has
# contracts, and for agents whether the lists of the side panels have rows); the timeline;
# the files; the names its field changes refer to. Agents' pages add the choices of their
# forms (products, versions, components, agents, teams: one query) and the business calendar
# (the time left until a response is due). The contracts (issue 15) and the side panels'
# lists come only when there are any: the test after the next.
@pytest.mark.parametrize(("who", "queries"), [("mia.member", 5), ("erik.first", 7)])
def test_query_count_does_not_grow_with_the_timeline(app, ctx, open_case, who, queries):
    short, long = _busy_case(ctx, open_case, 2), _busy_case(ctx, open_case, 20)
    client = app.test_client().sign_in_as(ctx[who])
    assert [_page_queries(client, short), _page_queries(client, long)] == [queries, queries]


# Without files and field changes those two queries go. A response is due, but only agents
# see the business time left: the customer's page needs no calendar.
@pytest.mark.parametrize(("who", "queries"), [("mia.member", 3), ("erik.first", 5)])
def test_a_case_with_messages_only_costs_the_fewest_queries(app, ctx, open_case, who, queries):
    case = open_case()
    for number in range(4):
        author = ctx["mia.member"] if number % 2 else ctx["erik.first"]
        service.add_message(fresh(case), author, f"Message {number}")
    client = app.test_client().sign_in_as(ctx[who])
    assert _page_queries(client, case) == queries


# The lists of an agent's side panels and the contracts are read only when the case query
# says there are any (``detail.AGENT_FLAGS``, ``detail.CONTRACT_FLAG``): a case with a row in
# each shows each, at one query a list more (for the contracts three on an agent's page: the
# one covering the case, the units contracts and what was drawn from them; two on a
# customer's, the units).
def test_the_side_panels_lists_are_read_when_they_have_rows(app, ctx, open_case):
    agent, requester = ctx["erik.first"], ctx["mia.member"]
    case = open_case()
    contracts.add_contract(
        agent,
        requester.organisation,
        kind="units",
        title="Supportpaket 10",
        starts_on=date.today() - timedelta(days=10),
        units_bought=10,
    )
    service.add_message(fresh(case), requester, "Message 1")
    before = fresh(case).created_at - timedelta(minutes=5)
    category = knowledge.ensure_category("howto", "Anleitungen", "How-tos")
    article = Article.create(category=category, title_de="Drucker", title_en="Printer setup")
    ArticleRead.create(user=requester, article=article, read_at=before)
    billing.record_time(agent, fresh(case), minutes=25, activity="Looked at the log")
    billing.start_timer(agent, fresh(case))
    billing.settle(agent, fresh(case), True)
    development.link(fresh(case), agent, "DEV-77", "Printing fails")
    opening = Event.get((Event.case == case.id) & (Event.kind == EventKind.OPENED))
    mail = InboundMessage.create(
        message_id="<original@muster.example>",
        source="pipe",
        sender="mia@muster.example",
        subject=case.subject,
        state="done",
        raw=b"Subject: x\r\n\r\nx",
        case=case.id,
        event=opening.id,
    )
    client = app.test_client().sign_in_as(agent)
    assert _page_queries(client, case) == 5 + 6 + 3
    page = client.get(url(case)).get_data(as_text=True)
    assert "Supportpaket 10" in page  # the units left
    assert "Looked at the log" in page  # the time records
    assert 'id="timer-state"' in page  # the agent's timer
    assert "Settled as billable support." in page
    assert 'id="development-item"><strong>DEV-77</strong>' in page
    assert f'class="original-mail" href="/admin/inbound/{mail.id}/raw"' in page
    assert "Printer setup" in page  # read before writing
    customer = app.test_client().sign_in_as(requester)
    assert _page_queries(customer, case) == 3 + 2
    assert "Supportpaket 10" in customer.get(url(case)).get_data(as_text=True)
