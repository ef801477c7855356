"""FLOW-6: escalation per the plugin's levels, a critical case told to the manager at once,
hand-over to the next support level with everything gathered, the level shown to the
customer."""

import pytest

from helpdesk.cases import service
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Case, Event, EventKind
from helpdesk.escalation import service as escalation
from tests.lifecycle.conftest import mails_to, open_case, person, text_of


def test_erp_handbook_climbs_four_levels_each_mailing_its_people(make_lifecycle_app, smtp_server):
    app = make_lifecycle_app("erp_handbook")
    with app.app_context():
        case = open_case()
        mia = person("mia.member")
        with pytest.raises(CaseError):
            escalation.request_escalation(case, mia, " ")
        for reason in ("Zu langsam", "Immer noch", "Dringend", "Letzte Stufe"):
            escalation.request_escalation(case, mia, reason)
        with pytest.raises(CaseError):
            escalation.request_escalation(case, mia, "Noch höher")
        assert Case.get_by_id(case.id).escalation_level == 4
    [lead] = mails_to(smtp_server, "tom.third")
    assert "Escalation level 1" in lead["Subject"] and "Zu langsam" in text_of(lead)
    for level, address in enumerate(
        ("senior.csm@vendor.example", "director.cs@vendor.example", "coo@vendor.example"), 2
    ):
        [mail] = mails_to(smtp_server, address)
        assert f"Escalation level {level}" in mail["Subject"]


def test_a_critical_case_tells_the_responsible_manager_at_once(make_lifecycle_app, smtp_server):
    app = make_lifecycle_app("erp_handbook")
    with app.app_context():
        open_case(severity="critical")
        normal = open_case()
    [mail] = mails_to(smtp_server, "tom.third")
    assert "Critical case" in mail["Subject"]
    with app.app_context():
        service.change_field(normal, person("erik.first"), "severity", "critical")
    assert len(mails_to(smtp_server, "tom.third")) == 2


def test_the_customer_escalates_on_the_page_and_sees_the_level(app, smtp_server):
    with app.app_context():
        case = open_case()
        mia = person("mia.member")
    client = app.test_client().sign_in_as(mia)
    assert client.post(f"/cases/{case.call_id}/escalate", data={"reason": ""}).status_code == 422
    answer = client.post(
        f"/cases/{case.call_id}/escalate",
        data={"reason": "Dauert zu lange"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "Level 1: Team manager" in answer.get_data(as_text=True)
    assert len(mails_to(smtp_server, "tom.third")) == 1


def test_crm_integrator_hands_a_case_through_three_levels(make_lifecycle_app, smtp_server):
    app = make_lifecycle_app("crm_integrator")
    with app.app_context():
        case = open_case()
        service.add_message(case, person("mia.member"), "Logfile: error 42")
        erik, sara = person("erik.first"), person("sara.second")
        service.assign(case, erik, erik)
        with pytest.raises(CaseError):
            escalation.hand_to_next_level(case, erik, "")
        escalation.hand_to_next_level(case, erik, "Kein Ad-hoc-Fix, bitte reproduzieren")
        escalation.hand_to_next_level(Case.get_by_id(case.id), sara, "Ursache im Code")
        with pytest.raises(CaseError):
            escalation.hand_to_next_level(Case.get_by_id(case.id), sara, "weiter")
        case = Case.get_by_id(case.id)
        assert (case.support_level, case.assignee_id) == (3, None)
        with pytest.raises(CaseError):
            escalation.hand_to_next_level(case, person("mia.member"), "x")
        mia = person("mia.member")
        tom = person("tom.third")

    # Each level's agents are told, with the note; nobody else, not the one who handed it on.
    def handovers(name):
        return [m for m in mails_to(smtp_server, name) if "Handed to" in m["Subject"]]

    to_sara, to_tom = handovers("sara.second"), handovers("tom.third")
    assert [m["Subject"] for m in to_sara] == [
        f"[#{case.call_id}] Handed to Second level support: Rechnungslauf bricht ab"
    ]
    assert "Kein Ad-hoc-Fix, bitte reproduzieren" in text_of(to_sara[0])
    assert len(to_tom) == 1 and "Ursache im Code" in text_of(to_tom[0])
    assert handovers("erik.first") == []
    customer_page = app.test_client().sign_in_as(mia).get(f"/cases/{case.call_id}")
    text = customer_page.get_data(as_text=True)
    assert "Third level support" in text and "handed the case to Second level support" in text
    assert "Ursache im Code" not in text  # the handover note is internal
    agent_page = app.test_client().sign_in_as(tom).get(f"/cases/{case.call_id}")
    agent_text = agent_page.get_data(as_text=True)
    assert "Ursache im Code" in agent_text and "Logfile: error 42" in agent_text


def test_agents_hand_over_on_the_page_and_customers_cannot(app):
    with app.app_context():
        case = open_case()
        erik, mia = person("erik.first"), person("mia.member")
    agent = app.test_client().sign_in_as(erik)
    assert agent.post(f"/cases/{case.call_id}/hand-over", data={"note": "2nd"}).status_code == 303
    customer = app.test_client().sign_in_as(mia)
    assert customer.post(f"/cases/{case.call_id}/hand-over", data={"note": "x"}).status_code == 404
    with app.app_context():
        assert Case.get_by_id(case.id).support_level == 2
        assert Event.select().where(Event.kind == EventKind.SUPPORT_LEVEL).count() == 1


def test_two_escalations_from_the_same_page_raise_one_level(make_lifecycle_app, smtp_server):
    """Two requests that read the case at level 0 (two people, or a double click): the first
    raises it to level 1, the second is refused rather than raising to level 1 again."""
    app = make_lifecycle_app("erp_handbook")
    with app.app_context():
        case = open_case()
        first, second = Case.get_by_id(case.id), Case.get_by_id(case.id)
        escalation.request_escalation(first, person("mia.member"), "Zu langsam")
        with pytest.raises(CaseError):
            escalation.request_escalation(second, person("paula.portal"), "Auch zu langsam")
        assert Case.get_by_id(case.id).escalation_level == 1
        escalated = Event.select().where(
            (Event.case == case.id) & (Event.kind == EventKind.ESCALATED)
        )
        assert [e.body for e in escalated] == ["Zu langsam"]
    assert len(mails_to(smtp_server, "tom.third")) == 1


def test_two_handovers_from_the_same_page_move_one_level(make_lifecycle_app):
    app = make_lifecycle_app("crm_integrator")
    with app.app_context():
        case = open_case()
        first, second = Case.get_by_id(case.id), Case.get_by_id(case.id)
        escalation.hand_to_next_level(first, person("erik.first"), "Bitte übernehmen")
        with pytest.raises(CaseError):
            escalation.hand_to_next_level(second, person("sara.second"), "Ich auch")
        assert Case.get_by_id(case.id).support_level == first.support_level
        handovers = Event.select().where(
            (Event.case == case.id) & (Event.kind == EventKind.SUPPORT_LEVEL)
        )
        assert handovers.count() == 1
