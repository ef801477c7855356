"""The agent's properties panel (issue 16): the case's fields in one form with one Save
(no JavaScript needed), each change through the case service and its checks, all or none;
with htmx the panel comes back saved."""

import pytest

from helpdesk.cases.models import Case, Event, EventKind

HTMX = {"HX-Request": "true"}


def url(case):
    return f"/cases/{case.call_id}/properties"


def fresh(case):
    return Case.get_by_id(case.id)


def shown(case) -> dict:
    """The form as the page shows it for ``case`` (every field at its current value)."""
    return {
        "assignee": str(case.assignee_id or ""),
        "status": case.status,
        "waiting_for": "",
        "team": str(case.team_id or ""),
        "case_type": case.case_type,
        "severity": case.severity,
        "reason": "",
        "priority": case.priority,
        "product": str(case.product_id),
        "version": str(case.version_id or ""),
        "component": str(case.component_id or ""),
    }


@pytest.fixture
def case(open_case):
    return open_case(subject="Payroll export fails", severity="normal")


def test_the_page_shows_one_form_with_every_field_and_one_save(ctx, agent_client, case):
    page = agent_client.get(f"/cases/{case.call_id}").get_data(as_text=True)
    panel = page[page.index(f'action="/cases/{case.call_id}/properties"') :]
    panel = panel[: panel.index("</form>")]
    for name in shown(case):
        assert f'name="{name}"' in panel
    assert 'data-hx-trigger="change, submit"' in panel  # with htmx: saved on each change
    assert panel.count('type="submit"') == 2  # Save, and "Assign to me" (its own form)


def test_one_save_changes_what_differs_through_the_service(ctx, agent_client, case):
    erik = ctx["erik.first"]
    data = {**shown(case), "assignee": str(erik.id), "severity": "critical", "reason": "down"}
    data["status"] = "hold"
    answer = agent_client.post(url(case), data=data)
    assert answer.status_code == 303 and answer.location == f"/cases/{case.call_id}"
    changed = fresh(case)
    assert (changed.assignee_id, changed.severity, changed.status) == (erik.id, "critical", "hold")
    severity = Event.get((Event.case == case.id) & (Event.field == "severity"))
    assert severity.body == "down"
    assert (
        Event.select().where((Event.case == case.id) & (Event.kind == EventKind.ASSIGNED)).exists()
    )
    # the fields left as they were: no entry for them
    assert not Event.select().where((Event.case == case.id) & (Event.field == "case_type"))


def test_nothing_changed_is_said_or_for_htmx_left_alone(ctx, agent_client, case):
    answer = agent_client.post(url(case), data=shown(case))
    assert answer.status_code == 422 and "Nothing changed." in answer.get_data(as_text=True)
    # htmx posts the form when a text field is left: nothing to swap
    answer = agent_client.post(url(case), data={**shown(case), "reason": "x"}, headers=HTMX)
    assert answer.status_code == 204 and answer.data == b""


def test_all_or_none_a_waiting_status_needs_its_message(ctx, agent_client, case):
    data = {**shown(case), "severity": "critical", "status": "waiting"}
    answer = agent_client.post(url(case), data=data, headers=HTMX)
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Please say what exactly you need from the customer." in page
    assert "<html" not in page and 'id="case"' in page  # the panel alone, for htmx
    assert 'id="prop-severity"' in page and 'value="critical" selected' in page  # kept
    assert (fresh(case).severity, fresh(case).status) == ("normal", "new")  # nothing saved
    data["waiting_for"] = "the export of March"
    answer = agent_client.post(url(case), data=data, headers=HTMX)
    assert answer.status_code == 200 and "the export of March" in answer.get_data(as_text=True)
    assert (fresh(case).severity, fresh(case).status) == ("critical", "waiting")


def test_assign_to_me_posts_the_assignee_alone(ctx, agent_client, case):
    erik = ctx["erik.first"]
    page = agent_client.get(f"/cases/{case.call_id}").get_data(as_text=True)
    assert 'form="assign-me"' in page and f'name="assignee" value="{erik.id}"' in page
    assert agent_client.post(url(case), data={"assignee": str(erik.id)}).status_code == 303
    assert fresh(case).assignee_id == erik.id
    assert fresh(case).status == "open"  # taking a new case opens it


def test_a_new_product_clears_version_and_component_instead_of_refusing(ctx, agent_client, case):
    from helpdesk.products.models import Product

    other = Product.create(key="other", name_de="Anderes", name_en="Other")
    data = {**shown(case), "product": str(other.id), "version": "999"}
    assert agent_client.post(url(case), data=data).status_code == 303
    assert fresh(case).product_id == other.id and fresh(case).version_id is None


def test_only_agents(ctx, customer_client, case):
    data = {**shown(case), "severity": "critical"}
    assert customer_client.post(url(case), data=data).status_code == 404
    assert fresh(case).severity == "normal"


def test_a_status_the_agent_may_not_set_is_refused(ctx, agent_client, case):
    answer = agent_client.post(url(case), data={**shown(case), "status": "no-such-status"})
    assert answer.status_code == 422 and fresh(case).status == "new"
