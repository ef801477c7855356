"""The agent's case workspace (issue 16): reply and status in one step, a waiting status
only with the words for the customer, the status choice kept, "took the case"."""

import pytest

from helpdesk.cases import service
from helpdesk.cases.models import Case, Event, EventKind, Visibility

HTMX = {"HX-Request": "true"}


def url(case, tail=""):
    return f"/cases/{case.call_id}{tail}"


def fresh(case):
    return Case.get_by_id(case.id)


@pytest.fixture
def case(open_case):
    return open_case(subject="Payroll export fails")


def test_a_waiting_status_set_by_hand_needs_the_message(ctx, agent_client, case):
    response = agent_client.post(url(case, "/properties"), data={"status": "waiting"}, headers=HTMX)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Please say what exactly you need from the customer." in page
    assert 'name="waiting_for" id="prop-waiting_for" maxlength="500" aria-invalid="true"' in page
    assert fresh(case).status == "new"

    data = {"status": "waiting", "waiting_for": "the export file of March"}
    assert agent_client.post(url(case, "/properties"), data=data).status_code == 303
    assert fresh(case).status == "waiting"
    assert fresh(case).waiting_for == "the export file of March"


def test_the_service_asks_for_the_message_only_when_the_agent_asks(ctx, case):
    with pytest.raises(service.CaseError):
        service.move_status(case, ctx["erik.first"], "waiting", asking=True)
    service.move_status(case, ctx["erik.first"], "waiting")  # a rule's move: the status's text
    assert fresh(case).status == "waiting"


def test_send_and_set_status_in_one_step(ctx, agent_client, case):
    data = {
        "body": "Please send us the **export file**.",
        "visibility": "public",
        "then_status": "waiting",
    }
    response = agent_client.post(url(case, "/messages"), data=data, headers=HTMX)
    assert response.status_code == 200
    changed = fresh(case)
    assert changed.status == "waiting"
    assert changed.waiting_for == "Please send us the **export file**."
    reply = Event.get((Event.case == case.id) & (Event.kind == EventKind.MESSAGE))
    assert reply.visibility == Visibility.PUBLIC and reply.author_id == ctx["erik.first"].id


def test_send_and_set_status_is_both_or_neither(ctx, agent_client, case):
    data = {"body": "   ", "visibility": "public", "then_status": "waiting"}
    response = agent_client.post(url(case, "/messages"), data=data, headers=HTMX)
    assert response.status_code == 422
    assert fresh(case).status == "new"
    # a status the agent may not set refuses the reply as well
    data = {"body": "Done.", "visibility": "public", "then_status": "no-such-status"}
    assert agent_client.post(url(case, "/messages"), data=data).status_code == 422
    assert not Event.select().where(Event.case == case.id, Event.kind == EventKind.MESSAGE)


def test_customers_cannot_set_a_status_with_their_message(ctx, customer_client, case):
    data = {"body": "Here it is.", "then_status": "solved"}
    assert customer_client.post(url(case, "/messages"), data=data).status_code == 303
    assert fresh(case).status == "new"


def test_new_status_offers_the_current_status_first(ctx, agent_client, case):
    service.move_status(case, ctx["erik.first"], "open")
    page = agent_client.get(url(case)).get_data(as_text=True)
    select = page[page.index('id="prop-status"') :]
    first = select[select.index("<option") : select.index("</option>")]
    assert 'value="open" selected' in first and "(current)" in first


def test_an_agent_who_assigns_themselves_took_the_case(ctx, agent_client, case):
    erik = ctx["erik.first"]
    agent_client.post(url(case, "/assignee"), data={"assignee": str(erik.id)})
    page = agent_client.get(url(case)).get_data(as_text=True)
    assert "Erik First took the case." in page
    assert "assigned the case to Erik First" not in page


def test_the_reply_box_comes_before_the_history_for_agents(ctx, agent_client, case):
    page = agent_client.get(url(case)).get_data(as_text=True)
    assert page.index('id="message-body"') < page.index('class="timeline"')
    assert page.index('id="sla-title"') < page.index('id="escalation-title"')
    assert '<details class="fold">' in page


def test_a_new_customer_is_welcomed_instead_of_told_nothing_matches(ctx, customer_client):
    page = customer_client.get("/cases").get_data(as_text=True)
    assert "Welcome to the support portal" in page and 'href="/cases/new"' in page
    assert "No cases match these filters." not in page
    searched = customer_client.get("/cases?q=printer").get_data(as_text=True)
    assert "No cases match these filters." in searched and "Welcome to" not in searched


def test_messages_show_their_markdown_safely_with_line_breaks(ctx, customer_client, case):
    body = (
        "Please send the **log file**.\nSecond line\n\n"
        "<script>alert(1)</script> [x](javascript:alert(1))"
    )
    service.add_message(case, ctx["erik.first"], body)
    page = customer_client.get(url(case)).get_data(as_text=True)
    assert "<strong>log file</strong>.<br>\nSecond line" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert 'href="javascript' not in page


def test_the_filters_fold_unless_a_filter_is_set(ctx, customer_client):
    assert '<details class="filters-fold">' in customer_client.get("/cases").get_data(as_text=True)
    sorted_only = customer_client.get("/cases?sort=created").get_data(as_text=True)
    assert '<details class="filters-fold">' in sorted_only
    searched = customer_client.get("/cases?q=printer").get_data(as_text=True)
    assert '<details class="filters-fold" open>' in searched
