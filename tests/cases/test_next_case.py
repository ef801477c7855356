"""The agent's "Next case" (issue 16): a plain link (access key ``j``) on the case page that
goes to the next case of the agent's queue, most urgent response first, round to the first."""

import re

from helpdesk.cases import service
from helpdesk.cases.models import Case


def next_of(client, call_id: str) -> str:
    answer = client.get(f"/cases/{call_id}/next")
    assert answer.status_code == 302
    return answer.location


def test_next_walks_the_agents_queue_in_its_order_and_comes_round(ctx, agent_client, open_case):
    erik = ctx["erik.first"]
    mine = [
        open_case(subject=f"Case {n}", severity=severity, impact="All users stopped")
        for n, severity in enumerate(("normal", "high", "critical"))
    ]
    for case in mine:
        service.assign(case, erik, erik)
    other = open_case(subject="Not erik's")
    queue = agent_client.get("/queue?view=mine&sort=due").get_data(as_text=True)
    ordered = list(dict.fromkeys(re.findall(r'href="/cases/(\d{4}-\d+)"', queue)))
    assert sorted(ordered) == sorted(c.call_id for c in mine)

    assert next_of(agent_client, other.call_id) == f"/cases/{ordered[0]}"  # not in the queue
    seen = [ordered[0]]
    for _ in mine:
        seen.append(next_of(agent_client, seen[-1]).removeprefix("/cases/"))
    assert seen == ordered + ordered[:1]


def test_the_link_is_on_the_agents_page_only(ctx, agent_client, customer_client, open_case):
    case = open_case()
    link = f'href="/cases/{case.call_id}/next"'
    page = agent_client.get(f"/cases/{case.call_id}").get_data(as_text=True)
    assert re.search(link + r'[^>]*accesskey="j"', page)
    assert link not in customer_client.get(f"/cases/{case.call_id}").get_data(as_text=True)
    assert customer_client.get(f"/cases/{case.call_id}/next").status_code == 404


def test_an_empty_queue_leads_back_to_it_with_a_word(ctx, agent_client, open_case):
    case = open_case()
    assert not Case.select().where(Case.assignee == ctx["erik.first"].id).exists()
    answer = agent_client.get(f"/cases/{case.call_id}/next", follow_redirects=True)
    assert answer.request.path == "/queue"
    assert "There is no other open case assigned to you." in answer.get_data(as_text=True)
