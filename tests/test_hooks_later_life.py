"""One test per hook of a case's later life: business time (the calendar, SLA targets, status
timers), closing, escalation, support levels and releases. Each shows a plugin's answer
reaching the portal through the service every channel calls."""

from datetime import datetime

import pytest

from helpdesk import demo
from helpdesk.accounts.models import Team
from helpdesk.cases import closing, service
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Case
from helpdesk.development import service as development
from helpdesk.development.models import DevelopmentItem
from helpdesk.escalation import service as escalation
from helpdesk.mail.tasks import flush_after_commit
from helpdesk.policy import EscalationLevel, Label, SupportLevel
from helpdesk.sla import timers
from helpdesk.sla.calendar import BusinessCalendar
from helpdesk.sla.models import CaseClock
from helpdesk.sla.policy import Action, ResponseTarget, SlaPolicy, Timer, Unit
from helpdesk.testing.cases import person
from tests.test_hooks import Plugin

MONDAY_8_UTC = "2026-11-30T08:00:00"  # 09:00 in Vienna, where the core's calendar counts


@pytest.fixture
def portal(make_app, smtp_server, clock):
    """``portal(*plugins)``: an app context of an app with these plugins and the demo data,
    sending to the mail catcher, the clock stopped on a Monday morning."""
    contexts = []

    def make(*plugins):
        clock.at(MONDAY_8_UTC)
        context = make_app(*plugins, **smtp_server.settings).app_context()
        context.push()
        contexts.append(context)
        demo.load(password="irrelevant-here")
        return context.app

    yield make
    for context in reversed(contexts):
        context.pop()


def due_at(case) -> datetime | None:
    return CaseClock.get(CaseClock.case == case.id).response_due_at


def reload(case) -> Case:
    return Case.get_by_id(case.id)


@pytest.mark.hook("helpdesk_sla_policy")
def test_sla_policy_sets_the_response_target(portal, open_case):
    portal(Plugin(helpdesk_sla_policy=lambda: SlaPolicy(by_severity={"low": ResponseTarget(120)})))
    # Two business hours from 09:00 Vienna: 11:00 Vienna, 10:00 UTC.
    assert due_at(open_case("mia.member", severity="low")) == datetime(2026, 11, 30, 10, 0)
    assert due_at(open_case("mia.member", severity="normal")) is None  # no target for it


@pytest.mark.hook("helpdesk_calendar")
def test_calendar_is_what_targets_count_in(portal, open_case):
    evenings = BusinessCalendar(name="evenings", timezone="UTC", hours={"mon": "20:00-22:00"})
    portal(
        Plugin(
            helpdesk_calendar=lambda: evenings,
            helpdesk_sla_policy=lambda: SlaPolicy(default=ResponseTarget(60)),
        )
    )
    # Opened at 08:00, counted from the evening's opening at 20:00.
    assert due_at(open_case("mia.member")) == datetime(2026, 11, 30, 21, 0)


@pytest.mark.hook("helpdesk_status_timers")
def test_status_timers_remind_the_requester(portal, open_case, smtp_server, clock):
    reminder = Timer("waiting", 2, Unit.DAYS, Action.REMIND)
    portal(Plugin(helpdesk_status_timers=lambda: [reminder]))
    case = open_case("mia.member")
    service.move_status(case, person("erik.first"), "waiting")
    clock.advance(days=2, minutes=1)
    assert timers.sweep() == 1
    flush_after_commit()
    reminders = [m for m in smtp_server.messages_to("mia.member") if "Reminder" in m["Subject"]]
    assert len(reminders) == 1


@pytest.mark.hook("helpdesk_may_close")
def test_may_close_keeps_closing_for_the_customer(portal, open_case):
    portal(Plugin(helpdesk_may_close=lambda user, case: user.is_customer))
    case = open_case("mia.member")
    erik = person("erik.first")
    with pytest.raises(CaseError):
        service.move_status(case, erik, "closed")  # the core would let the agent close it
    service.move_status(reload(case), erik, "solved")
    closing.confirm_solution(reload(case), person("mia.member"))
    assert reload(case).status == "closed"


@pytest.mark.hook("helpdesk_escalation_levels")
def test_escalation_levels_mail_the_level_named(portal, open_case, smtp_server):
    board = EscalationLevel(Label("Vorstand", "Board"), notify=("board@vendor.example",))
    portal(Plugin(helpdesk_escalation_levels=lambda: [board]))
    case = open_case("mia.member")
    escalation.request_escalation(case, person("mia.member"), "Der Betrieb steht")
    assert reload(case).escalation_level == 1
    with pytest.raises(CaseError, match="highest"):
        escalation.request_escalation(reload(case), person("mia.member"), "Noch höher")
    flush_after_commit()  # hand the committed mails over, as the end of a request does
    assert smtp_server.messages_to("board@vendor.example")


@pytest.mark.hook("helpdesk_support_levels")
def test_support_levels_hand_the_case_to_the_levels_team(portal, open_case):
    portal(
        Plugin(
            helpdesk_teams=lambda: [("support", "Support"), ("lab", "Labor")],
            helpdesk_support_levels=lambda: [
                SupportLevel(Label("Erste Ebene", "First level")),
                SupportLevel(Label("Labor", "Lab"), team="lab"),
            ],
        )
    )
    case = open_case("mia.member")
    escalation.hand_to_next_level(case, person("erik.first"), "Bitte nachstellen")
    case = reload(case)
    assert case.support_level == 2 and case.team_id == Team.get(Team.key == "lab").id
    with pytest.raises(CaseError, match="highest"):
        escalation.hand_to_next_level(case, person("erik.first"), "Weiter")


@pytest.mark.hook("helpdesk_release_published_status")
def test_release_published_status_moves_the_linked_cases(portal, open_case):
    portal(Plugin(helpdesk_release_published_status=lambda case: "solved"))
    case = open_case("mia.member")
    sara = person("sara.second")
    development.link(case, sara, "DEV-1", "Fix")
    development.publish(DevelopmentItem.get(DevelopmentItem.key == "DEV-1"), sara, "9.1")
    assert reload(case).status == "solved"  # the core keeps the status
