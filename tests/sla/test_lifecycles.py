"""Each vendor's whole life of a case over weeks, with a controlled clock: SLA clocks, status
timers and their mails at the real SMTP server, and the policy preview agreeing with what the
sweep then does."""

from datetime import datetime

import pytest

from helpdesk.accounts.models import User
from helpdesk.cases import service
from helpdesk.cases.models import Case, Event, EventKind
from helpdesk.policy import current_policy
from helpdesk.sla import service as sla_service
from helpdesk.sla import timers
from helpdesk.sla.models import CaseClock

PORTAL_TYPE = "question"


def reload(case) -> Case:
    return Case.get_by_id(case.id)


def clock(case) -> CaseClock:
    return CaseClock.get(CaseClock.case == case.id)


def test_erp_handbook_waiting_pending_closure_closed_and_reopen_window(vendor):
    v = vendor("erp_handbook")
    v.at("2026-11-30T08:00:00")  # Monday 09:00 Vienna
    case = v.open("general_request", "standard")
    # Standard: 8 business hours; Monday 09:00-17:00 Vienna is exactly 8 hours.
    assert clock(case).response_due_at == datetime(2026, 11, 30, 16, 0)
    assert clock(case).response_kind == "first"

    v.at("2026-11-30T10:00:00")
    erik = v.people["erik.first"]
    service.add_message(case, erik, "Please try the attached fix.")
    service.move_status(case, erik, "waiting_for_customer")
    assert clock(case).first_responded_at == datetime(2026, 11, 30, 10, 0)
    assert clock(case).response_due_at is None

    preview = sla_service.preview(reload(case))
    assert [(p["when"], str(p["action"])) for p in preview] == [
        (datetime(2026, 12, 7, 10, 0), "Moves to Pending closure"),
        (datetime(2026, 12, 21, 10, 0), "Closes the case"),
    ]

    v.at("2026-12-07T09:59:00")
    assert timers.sweep() == 0
    # The mail says when the case closes as its reader's clock shows it, the zone named (it
    # used the zone of whoever ran the sweep, unnamed).
    User.update(timezone="America/New_York").where(User.id == case.requester_id).execute()
    v.at("2026-12-07T10:00:30")
    assert timers.sweep() == 1
    assert reload(case).status == "pending_closure"
    assert v.subjects()[-1] == f"[#{case.call_id}] We consider your case solved"
    body = v.messages()[-1].get_body(("plain",)).get_content()
    assert "closes by itself on 21 Dec 2026, 05:00 (America/New_York)." in body
    assert timers.sweep() == 0  # nothing twice

    v.at("2026-12-21T10:00:30")
    assert timers.sweep() == 1
    assert reload(case).status == "closed"
    # The closing notice, then the survey the closing sends (the sweep's batch is one change:
    # what the change causes is written at its end).
    assert v.subjects()[-2] == f"[#{case.call_id}] Your case is closed"
    assert "How satisfied were you with our support?" in v.subjects()[-1]
    status_events = Event.select().where((Event.case == case.id) & (Event.kind == EventKind.STATUS))
    timer_moves = [e for e in status_events if e.author_id is None]
    assert [e.new_value for e in timer_moves] == ["pending_closure", "closed"]
    assert "7 days in Waiting for customer" in timer_moves[0].body

    mia = v.people["mia.member"]
    # The handbook's 14 days to reopen run from pending closure (12-07), the same 14 days
    # after which the timer closed the case: now a new case is needed.
    v.at("2026-12-21T10:01:00")
    assert not current_policy().may_reopen(mia, reload(case))
    with pytest.raises(service.CaseError, match="follow-up"):
        service.reopen(reload(case), mia, "It is back.")


def test_erp_handbook_no_reopen_after_fourteen_days(vendor):
    v = vendor("erp_handbook")
    v.at("2026-11-30T08:00:00")
    case = v.open("general_request", "standard")
    erik = v.people["erik.first"]
    service.move_status(case, erik, "closed")
    v.at("2026-12-15T08:00:01")

    assert not current_policy().may_reopen(v.people["mia.member"], reload(case))


def test_severity_change_recomputes_the_target_with_its_reason(vendor):
    v = vendor("erp_handbook")
    v.at("2026-12-04T08:00:00")  # Friday 09:00 Vienna; Friday closes at 14:00
    case = v.open("general_request", "minor")  # 16 business hours
    # Fri 5 h, Mon 7 Dec 9 h (Dec 8 is a holiday in Austria), Wed 9 Dec 2 h -> 10:00 Vienna
    assert clock(case).response_due_at == datetime(2026, 12, 9, 9, 0)
    service.change_field(case, v.people["erik.first"], "severity", "critical", "Production down")
    assert clock(case).response_due_at == datetime(2026, 12, 4, 10, 0)  # 2 business hours
    event = Event.get((Event.case == case.id) & (Event.field == "severity"))
    assert event.body == "Production down"


def test_waiting_pauses_the_next_response_clock(vendor):
    v = vendor("erp_handbook")
    v.at("2026-11-30T08:00:00")
    case = v.open("general_request", "standard")
    erik, mia = v.people["erik.first"], v.people["mia.member"]
    service.add_message(case, erik, "Answer")
    v.at("2026-11-30T09:00:00")
    service.add_message(reload(case), mia, "Still broken")  # next response: 16 business hours
    # Monday 10:00-17:00 Vienna 7 h, Tuesday 08:00-17:00 9 h
    assert clock(case).response_due_at == datetime(2026, 12, 1, 16, 0)
    v.at("2026-11-30T11:00:00")  # 2 business hours used
    service.move_status(reload(case), erik, "waiting_for_customer")
    assert clock(case).response_due_at is None and clock(case).paused_since is not None
    v.at("2026-12-01T09:00:00")  # a business day later the case resumes
    service.move_status(reload(case), erik, "in_progress")
    # 14 business hours left from Tue 10:00 Vienna: Tue 7 h, Wed 7 h -> Wed 15:00 Vienna
    assert clock(case).response_due_at == datetime(2026, 12, 2, 14, 0)


def test_sla_warning_before_and_breach_to_assignee_and_manager(vendor):
    v = vendor("erp_handbook")
    v.at("2026-11-30T08:00:00")
    case = v.open("general_request", "critical")  # 2 business hours
    erik, tom = v.people["erik.first"], v.people["tom.third"]
    service.assign(case, v.people["ada.admin"], erik)
    User.update(timezone="Asia/Tokyo", language="de").where(User.id == erik.id).execute()
    v.at("2026-11-30T09:30:00")  # 75 % of 2 hours passed
    assert timers.sweep() == 1
    warnings = v.mails_to(erik.email)
    assert [str(m["Subject"]) for m in warnings] == [
        f"[#{case.call_id}] Assigned to you: {case.subject}",
        f"[#{case.call_id}] Antwort bald fällig",
    ]
    # due at 10:00 UTC: 19:00 in Tokyo, written the Austrian way
    body = warnings[-1].get_body(("plain",)).get_content()
    assert "ist am 30.11.2026, 19:00 (Asia/Tokyo) fällig." in body
    assert timers.sweep() == 0
    v.at("2026-11-30T10:00:00")
    assert timers.sweep() == 1
    assert v.mails_to(erik.email)[-1]["Subject"] == f"[#{case.call_id}] Antwortfrist überschritten"
    to_tom = v.mails_to(tom.email)[-1]
    assert to_tom["Subject"] == f"[#{case.call_id}] Response target breached"
    body = to_tom.get_body(("plain",)).get_content()
    assert "was due at 30 Nov 2026, 11:00 (Europe/Vienna) and" in body
    assert clock(case).breached_at == datetime(2026, 11, 30, 10, 0)
    assert timers.sweep() == 0


def test_property_software_waiting_reminds_then_closes_and_solved_closes(vendor):
    v = vendor("property_software")
    v.at("2026-11-30T08:00:00")
    case = v.open("fault", "standard")
    erik, mia = v.people["erik.first"], v.people["mia.member"]
    service.move_status(case, erik, "waiting")
    # 5 working days from Monday: the next Monday, same time
    assert clock(case).timer_due_at == datetime(2026, 12, 7, 8, 0)
    v.at("2026-12-07T08:01:00")
    timers.sweep()
    assert reload(case).status == "waiting"
    assert v.subjects()[-1] == f"[#{case.call_id}] Reminder: we are waiting for your answer"
    v.at("2026-12-14T08:01:00")
    timers.sweep()
    assert reload(case).status == "closed"
    assert v.subjects()[-2] == f"[#{case.call_id}] Your case was closed without your answer"
    assert "How satisfied were you with our support?" in v.subjects()[-1]  # then the survey

    second = v.open("fault", "standard", subject="Second")
    service.move_status(second, erik, "solved")
    v.at("2026-12-20T08:00:00")
    service.add_message(reload(second), mia, "Not solved, sorry")  # a reply reopens
    assert reload(second).status == "open"
    service.move_status(reload(second), erik, "solved")
    v.at("2027-01-03T08:00:01")  # 14 calendar days later
    timers.sweep()
    assert reload(second).status == "closed"


def test_small_vendor_hold_comes_back_at_the_resubmission_date(vendor):
    v = vendor("small_vendor")
    v.at("2026-11-30T08:00:00")
    case = v.open("error", "a")  # class B contract caps A to B: 4 business hours
    assert clock(case).response_due_at == datetime(2026, 11, 30, 12, 0)
    erik = v.people["erik.first"]
    assert reload(case).assignee_id == erik.id  # "Open": a responsible person is set
    service.move_status(reload(case), erik, "hold")
    from datetime import date

    sla_service.set_resubmission(reload(case), erik, date(2026, 12, 10))
    assert clock(case).timer_due_at == datetime(2026, 12, 10, 7, 0)  # 08:00 Berlin
    [step] = sla_service.preview(reload(case))
    assert str(step["action"]) == "Back to Working and the assignee"
    v.at("2026-12-10T07:00:00")
    timers.sweep()
    assert reload(case).status == "working"
    assert v.mails_to(erik.email)[-1]["Subject"] == (
        f"[#{case.call_id}] Resubmission: a held case is back"
    )


def test_crm_integrator_reminds_twice_then_closes_and_resolved_closes(vendor):
    v = vendor("crm_integrator")
    v.at("2026-11-30T08:00:00")
    case = v.open("incident", "limited")
    erik = v.people["erik.first"]
    service.move_status(case, erik, "waiting_for_customer")
    whens = [p["when"] for p in sla_service.preview(reload(case))]
    assert whens == [
        datetime(2026, 12, 3, 8, 0),
        datetime(2026, 12, 10, 8, 0),
        datetime(2026, 12, 17, 8, 0),
    ]
    for when in whens:
        v.at(when.isoformat())
        timers.sweep()
    assert reload(case).status == "closed"
    reminders = [s for s in v.subjects() if "Reminder" in s]
    assert len(reminders) == 2


def test_erp_portal_reminds_twice_and_keeps_the_ticket(vendor):
    v = vendor("erp_portal")
    v.at("2026-11-30T08:00:00")
    case = v.open(PORTAL_TYPE, "normal")
    service.move_status(case, v.people["erik.first"], "waiting_for_customer_info")
    v.at("2026-12-31T08:00:00")
    timers.sweep()  # a month later: the first reminder is stale, one reminder goes out
    assert reload(case).status == "waiting_for_customer_info"
    assert len([s for s in v.subjects() if "Reminder" in s]) == 1


def test_a_calendar_day_timer_keeps_the_time_of_day_across_the_clock_change(vendor):
    # property_software closes a solved case after 14 calendar days (Berlin time).
    v = vendor("property_software", start="2026-10-20T07:00:00")
    v.at("2026-10-20T08:00:00")  # Tuesday 10:00 summer time
    case = v.open("fault", "standard")
    service.move_status(case, v.people["erik.first"], "solved")
    # Tuesday 2026-11-03 10:00 winter time, an hour later in UTC than in October.
    assert clock(case).timer_due_at == datetime(2026, 11, 3, 9, 0)
    v.at("2026-11-03T08:30:00")  # 09:30 on the wall: not yet
    timers.sweep()
    assert reload(case).status == "solved"
    v.at("2026-11-03T09:00:00")
    timers.sweep()
    assert reload(case).status == "closed"
