"""The team of a case (issue 16): agents move a case to another team's queue through the case
service (``change_field``) from the properties panel (htmx per field, one Save without
JavaScript) and the API; the change is a timeline entry and a ``helpdesk_case_changed``
event; customers, portal admins included, cannot; only the vendor's teams are offered."""

import re
from datetime import timedelta

import pytest

from helpdesk.accounts.models import Team
from helpdesk.api import tokens
from helpdesk.cases import service
from helpdesk.cases.models import Case, Event, EventKind
from helpdesk.hookspecs import hookimpl
from helpdesk.permissions import NotAllowed
from helpdesk.timeutil import utcnow
from tests.cases.test_properties import shown

HTMX = {"HX-Request": "true"}


class Seen:
    """A plugin that keeps what ``helpdesk_case_changed`` was told."""

    def __init__(self):
        self.events = []

    @hookimpl
    def helpdesk_case_changed(self, events):
        self.events += [(event.kind, event.field, event.new_value) for event in events]


@pytest.fixture
def seen():
    return Seen()


@pytest.fixture
def app(make_app, seen):
    return make_app(seen)


@pytest.fixture
def teams(ctx):
    """The demo's team and a second one (as a vendor plugin declares them)."""
    Team.create(key="second-level", name_de="Zweiter Level", name_en="Second level")
    return list(Team.select().order_by(Team.id))


@pytest.fixture
def case(open_case):
    return open_case(subject="Payroll export fails")


def other_team(case, teams):
    return next(team for team in teams if team.id != case.team_id)


def test_an_agent_moves_the_case_to_another_team(ctx, case, teams, seen):
    target = other_team(case, teams)
    before = case.team_id
    event = service.change_field(case, ctx["erik.first"], "team", target)
    assert Case.get_by_id(case.id).team_id == target.id
    assert (event.kind, event.field) == (EventKind.FIELD, "team")
    assert (event.old_value, event.new_value) == (before and str(before), str(target.id))
    assert (EventKind.FIELD, "team", str(target.id)) in seen.events
    # back to no team: the queue of nobody's team
    service.change_field(Case.get_by_id(case.id), ctx["erik.first"], "team", None)
    assert Case.get_by_id(case.id).team_id is None


@pytest.mark.parametrize("who", ["mia.member", "paula.portal"])
def test_a_customer_cannot_change_the_team(ctx, case, teams, seen, who):
    seen.events.clear()
    with pytest.raises(NotAllowed):
        service.change_field(case, ctx[who], "team", other_team(case, teams))
    assert Case.get_by_id(case.id).team_id == case.team_id
    assert not Event.select().where((Event.case == case.id) & (Event.field == "team")).exists()
    assert seen.events == []


def test_the_panel_offers_the_vendors_teams_and_saves_one_without_javascript(
    ctx, agent_client, case, teams
):
    page = agent_client.get(f"/cases/{case.call_id}").get_data(as_text=True)
    select = re.search(r'<select name="team" id="prop-team".*?</select>', page, re.S).group(0)
    offered = re.findall(r'<option value="(\d*)"', select)
    assert offered == ["", *sorted((str(t.id) for t in teams), key=_name_of(teams))]
    target = other_team(case, teams)
    form = shown(case) | {"team": str(target.id)}
    answer = agent_client.post(f"/cases/{case.call_id}/properties", data=form)
    assert answer.status_code == 303
    assert Case.get_by_id(case.id).team_id == target.id
    page = agent_client.get(f"/cases/{case.call_id}").get_data(as_text=True)
    assert f"{target.name}" in page[page.index('class="timeline') :]


def test_with_htmx_the_team_is_saved_on_its_own(ctx, agent_client, case, teams):
    target = other_team(case, teams)
    answer = agent_client.post(
        f"/cases/{case.call_id}/fields/team", data={"value": str(target.id)}, headers=HTMX
    )
    assert answer.status_code == 200
    assert Case.get_by_id(case.id).team_id == target.id


def test_a_team_that_is_not_offered_is_refused(ctx, agent_client, case):
    answer = agent_client.post(
        f"/cases/{case.call_id}/properties", data=shown(case) | {"team": "999999"}
    )
    assert answer.status_code == 422
    assert "Please choose one of the offered values." in answer.get_data(as_text=True)
    assert Case.get_by_id(case.id).team_id == case.team_id


def test_customers_do_not_reach_the_team_forms(ctx, customer_client, case, teams):
    target = other_team(case, teams)
    for path, data in (
        ("properties", shown(case) | {"team": str(target.id)}),
        ("fields/team", {"value": str(target.id)}),
    ):
        assert customer_client.post(f"/cases/{case.call_id}/{path}", data=data).status_code == 404
    assert Case.get_by_id(case.id).team_id == case.team_id


def test_the_api_changes_the_team_for_agents_only(app, ctx, case, teams):
    target = other_team(case, teams)
    api = app.test_client()
    tomorrow = utcnow().date() + timedelta(days=1)

    def patch(person):
        secret, _token = tokens.create(ctx[person], "test", tomorrow, ["cases:write"])
        return api.patch(
            f"/api/v1/cases/{case.call_id}",
            json={"team": str(target.id)},
            headers={"Authorization": f"Bearer {secret}"},
        )

    assert patch("mia.member").status_code == 404
    assert Case.get_by_id(case.id).team_id == case.team_id
    answer = patch("erik.first")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["team"] == {"id": target.id, "name": target.name}


def _name_of(teams):
    names = {str(team.id): team.name.casefold() for team in teams}
    return names.__getitem__
