"""FLOW-4: the customer confirms the solution or rejects it; closing only where the vendor's
rules allow; the reopen window per plugin, then a follow-up case."""

import pytest
import time_machine

from helpdesk.cases import closing, service
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Case, Event, EventKind
from tests.lifecycle.conftest import open_case, person


def solved(case, agent="erik.first", key=None):
    from helpdesk.policy import Category, current_policy

    key = key or next(s.key for s in current_policy().statuses if s.category == Category.SOLVED)
    service.move_status(case, person(agent), key)
    return Case.get_by_id(case.id)


def test_the_customer_confirms_the_solution_and_the_case_closes(app):
    with app.app_context():
        case = solved(open_case())
        closing.confirm_solution(case, person("mia.member"))
        case = Case.get_by_id(case.id)
        assert (case.status, case.is_open) == ("closed", False)


def test_rejecting_needs_a_reason_and_reopens(app):
    with app.app_context():
        case = solved(open_case())
        with pytest.raises(CaseError):
            service.reopen(case, person("mia.member"), "  ")
        service.reopen(case, person("mia.member"), "Still broken on Mondays")
        case = Case.get_by_id(case.id)
        assert case.status == "open"
        reopened = Event.get((Event.case == case.id) & (Event.kind == EventKind.REOPENED))
        assert reopened.body == "Still broken on Mondays"


def test_the_page_offers_confirm_and_reject_and_both_work_without_js(app):
    with app.app_context():
        case = solved(open_case())
    client = app.test_client().sign_in_as(person_in(app, "mia.member"))
    page = client.get(f"/cases/{case.call_id}").get_data(as_text=True)
    assert f'action="/cases/{case.call_id}/confirm"' in page
    assert f'action="/cases/{case.call_id}/reopen"' in page
    refused = client.post(f"/cases/{case.call_id}/reopen", data={"reason": ""})
    assert refused.status_code == 422
    answer = client.post(f"/cases/{case.call_id}/confirm")
    assert answer.status_code == 303
    with app.app_context():
        assert Case.get_by_id(case.id).status == "closed"


def test_a_foreign_customer_cannot_confirm(app):
    from helpdesk.accounts.models import Organisation, User

    with app.app_context():
        case = solved(open_case())
        other = User.create(
            email="x@fremd.example",
            name="X",
            kind="customer",
            organisation=Organisation.create(name="Fremd"),
            support_authorised=True,
        )
    client = app.test_client().sign_in_as(other)
    assert client.post(f"/cases/{case.call_id}/confirm").status_code == 404


def person_in(app, name):
    with app.app_context():
        return person(name)


def test_small_vendor_closes_only_on_the_customers_release(make_lifecycle_app):
    app = make_lifecycle_app("small_vendor")
    with app.app_context():
        case = solved(open_case(), key="delivered")
        with pytest.raises(CaseError):
            service.move_status(case, person("erik.first"), "closed")
        closing.confirm_solution(case, person("mia.member"))
        assert Case.get_by_id(case.id).status == "closed"
    client = app.test_client().sign_in_as(person_in(app, "erik.first"))
    with app.app_context():
        other = solved(open_case(), key="delivered")
    page = client.get(f"/cases/{other.call_id}").get_data(as_text=True)
    assert 'value="closed"' not in page


def test_erp_handbook_reopens_within_14_days_then_offers_a_follow_up(make_lifecycle_app):
    app = make_lifecycle_app("erp_handbook")
    with time_machine.travel("2026-03-02 09:00", tick=False) as clock, app.app_context():
        case = open_case()
        service.move_status(case, person("erik.first"), "closed")
        case = Case.get_by_id(case.id)
        clock.shift(13 * 86400)
        assert closing.within_days(case, 14)
        service.reopen(case, person("mia.member"), "Back again")
        service.move_status(Case.get_by_id(case.id), person("erik.first"), "closed")
        clock.shift(15 * 86400)
        with pytest.raises(CaseError):
            service.reopen(Case.get_by_id(case.id), person("mia.member"), "And again")
        follow_up = service.open_follow_up(
            Case.get_by_id(case.id), person("mia.member"), "Again", "Same problem"
        )
        assert follow_up.parent_id == case.id
