"""Bulk actions for agents (issue 16): the ticked cases go one at a time through the access
check and the service function of the case page; each refusal is reported with its case."""

import re

import pytest
from markupsafe import escape

from helpdesk.accounts.models import User
from helpdesk.cases import bulk, service
from helpdesk.cases.models import Case, Follower
from helpdesk.i18n import speaking
from helpdesk.policy import current_policy


@pytest.fixture
def cases(open_case):
    return [open_case(subject=f"Scanner {n}") for n in range(3)]


def ids(cases):
    return [case.call_id for case in cases]


def test_an_agent_takes_several_cases_at_once(ctx, agent_client, cases):
    data = {"case": ids(cases[:2]), "action": "take", "next": "/queue?view=mine"}
    response = agent_client.post("/cases/bulk", data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/queue?view=mine"
    erik = ctx["erik.first"]
    assert [Case.get_by_id(c.id).assignee_id for c in cases] == [erik.id, erik.id, None]
    page = agent_client.get("/queue?view=mine").get_data(as_text=True)
    assert f"Changed: {cases[0].call_id}, {cases[1].call_id}" in page


def test_each_case_is_checked_on_its_own(ctx, cases):
    erik = ctx["erik.first"]
    service.follow(cases[0], erik)
    outcome = bulk.apply(erik, [*ids(cases), "1999-99999"], "follow")
    assert outcome.changed == ids(cases[1:])
    assert [call_id for call_id, _ in outcome.refused] == [cases[0].call_id, "1999-99999"]
    assert Follower.select().where(Follower.user == erik.id).count() == 3


def test_a_waiting_status_in_bulk_needs_the_message(ctx, cases):
    erik = ctx["erik.first"]
    refused = bulk.apply(erik, ids(cases), "status:waiting")
    assert refused.changed == [] and len(refused.refused) == 3
    done = bulk.apply(erik, ids(cases), "status:waiting", "the scanner's model number")
    assert done.changed == ids(cases)
    assert {Case.get_by_id(c.id).waiting_for for c in cases} == {"the scanner's model number"}


def test_customers_have_no_bulk_actions(ctx, customer_client, cases):
    response = customer_client.post("/cases/bulk", data={"case": ids(cases), "action": "take"})
    assert response.status_code == 404
    assert all(Case.get_by_id(c.id).assignee_id is None for c in cases)
    with pytest.raises(service.CaseError):
        bulk.apply(ctx["mia.member"], ids(cases), "take")
    assert 'form="bulk"' not in customer_client.get("/cases").get_data(as_text=True)


def test_the_queue_offers_a_checkbox_per_case(ctx, agent_client, cases):
    page = agent_client.get("/queue?view=all").get_data(as_text=True)
    for case in cases:
        assert f'name="case" value="{case.call_id}" form="bulk"' in page
    assert '<form id="bulk" method="post" action="/cases/bulk"' in page


@pytest.mark.parametrize(
    ("language", "fixed", "set_status"),
    [
        ("en", ["Assign to me", "Follow"], "Set status:"),
        ("de", ["Mir zuweisen", "Folgen"], "Status setzen:"),
    ],
)
def test_the_queue_offers_each_status_in_the_agents_language(
    ctx, agent_client, language, fixed, set_status
):
    User.update(language=language).where(User.id == ctx["erik.first"].id).execute()
    page = agent_client.get("/queue?view=all").get_data(as_text=True)
    offered = re.search(r'<select name="action" id="bulk-action">(.*?)</select>', page, re.S)
    with speaking(language):
        statuses = [
            (f"status:{s.key}", f"{set_status} {s.label}") for s in current_policy().statuses
        ]
    expected = [("take", fixed[0]), ("follow", fixed[1]), *statuses]
    found = re.findall(r'<option value="([^"]*)">([^<]*)</option>', offered.group(1))
    assert found == [(value, str(escape(text))) for value, text in expected]
