"""Templates only show what their view handed them: rendering a page runs no query (GUIDE).

Every query peewee runs between Flask's "about to render" and "rendered" signals (and
jinja2-fragments' for an htmx block) is counted; the main pages, whole and as htmx partials,
must count none. A template global or a lazy model attribute that reaches the database from a
template shows up here with its SQL.
"""

import logging
from contextlib import contextmanager

import pytest
from flask import before_render_template, template_rendered
from jinja2_fragments.flask import before_render_template_block, template_block_rendered

from helpdesk.cases import service
from helpdesk.cases.models import Case
from helpdesk.testing.cases import open_case

HTMX = {"HX-Request": "true"}


class _Recorder(logging.Handler):
    """Keeps the SQL peewee logs while a template renders."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.rendering = 0
        self.queries: list[str] = []

    def emit(self, record):
        if self.rendering:
            self.queries.append(str(record.msg))

    def started(self, *args, **kwargs):
        self.rendering += 1

    def finished(self, *args, **kwargs):
        self.rendering -= 1


@contextmanager
def queries_while_rendering(app):
    """The SQL run while ``app`` renders templates inside the ``with`` block."""
    recorder = _Recorder()
    logger = logging.getLogger("peewee")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(recorder)
    signals = [
        (before_render_template, recorder.started),
        (template_rendered, recorder.finished),
        (before_render_template_block, recorder.started),
        (template_block_rendered, recorder.finished),
    ]
    for signal, receiver in signals:
        signal.connect(receiver, app)
    try:
        yield recorder.queries
    finally:
        for signal, receiver in signals:
            signal.disconnect(receiver, app)
        logger.removeHandler(recorder)
        logger.setLevel(level)


@pytest.fixture
def app(make_app, smtp_server):
    # A vendor with status timers, so the case page's policy preview has steps to show.
    return make_app("erp_handbook", **smtp_server.settings)


@pytest.fixture
def busy_case(app, demo_people):
    """A case with everything its page shows: messages both ways, an internal note, a field
    change, an assignee, a follower and a status that runs a timer."""
    with app.app_context():
        people = demo_people
        case = open_case("mia.member")
        service.add_message(case, people["erik.first"], "Which version?")
        service.add_message(Case.get_by_id(case.id), people["mia.member"], "Version 9.")
        service.add_message(Case.get_by_id(case.id), people["erik.first"], "Note", internal=True)
        service.change_field(Case.get_by_id(case.id), people["erik.first"], "severity", "urgent")
        service.assign(Case.get_by_id(case.id), people["erik.first"], people["sara.second"])
        service.follow(Case.get_by_id(case.id), people["martin.main"])
        service.move_status(
            Case.get_by_id(case.id), people["erik.first"], "waiting_for_customer", "The log file"
        )
        return Case.get_by_id(case.id)


@pytest.mark.parametrize("who", ["mia.member", "paula.portal", "erik.first", "ada.admin"])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_the_case_page_renders_without_a_query(app, demo_people, busy_case, who, htmx):
    client = app.test_client().sign_in_as(demo_people[who])
    with queries_while_rendering(app) as queries:
        response = client.get(f"/cases/{busy_case.call_id}", headers=HTMX if htmx else {})
    assert response.status_code == 200
    assert "Version 9." in response.get_data(as_text=True)
    assert not queries, "\n".join(queries)


CUSTOMER_PAGES = ["/portal", "/cases", "/cases?status=all", "/cases/new"]
AGENT_PAGES = ["/agent", "/queue", "/queue?view=all", "/cases/new/phone", "/development"]
ADMIN_PAGES = ["/admin/agents", "/admin/organisations", "/admin/outbox", "/admin/inbound", "/audit"]


@pytest.mark.parametrize(
    ("who", "url"),
    [("mia.member", url) for url in CUSTOMER_PAGES] + [("erik.first", url) for url in AGENT_PAGES],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_lists_and_start_pages_render_without_a_query(app, demo_people, busy_case, who, url, htmx):
    client = app.test_client().sign_in_as(demo_people[who])
    with queries_while_rendering(app) as queries:
        response = client.get(url, headers=HTMX if htmx else {})
    assert response.status_code == 200
    assert not queries, "\n".join(queries)


@pytest.mark.parametrize(
    ("who", "url"),
    [("ada.admin", url) for url in ADMIN_PAGES] + [("paula.portal", "/organisation/users")],
)
def test_admin_pages_render_without_a_query(app, demo_people, busy_case, who, url):
    client = app.test_client().sign_in_as(demo_people[who])
    with queries_while_rendering(app) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert not queries, "\n".join(queries)


def test_the_recorder_sees_a_query_a_template_runs(app, demo_people):
    """The check itself: a template that reaches the database is caught."""
    with app.test_request_context(), queries_while_rendering(app) as queries:
        from flask import render_template_string

        render_template_string("{{ users.count() }}", users=Case.select())
    assert len(queries) == 1 and "SELECT" in queries[0]
