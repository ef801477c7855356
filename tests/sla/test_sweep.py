"""The timer sweep's promises: two sweeps at once act once, a worker stopped for days catches
up without stale mail, and the admin's calendar wins over the plugin's."""

from datetime import datetime

from helpdesk.cases import service
from helpdesk.cases.models import Case
from helpdesk.sla import timers
from helpdesk.sla.models import CaseClock
from tests.sla.conftest import at_once


def reload(case) -> Case:
    return Case.get_by_id(case.id)


def test_the_same_due_step_claimed_twice_acts_once(vendor):
    v = vendor("property_software")
    v.at("2026-11-30T08:00:00")
    case = v.open("fault", "standard")
    service.move_status(case, v.people["erik.first"], "waiting")
    v.at("2026-12-07T08:00:00")
    [row] = CaseClock.select().where(CaseClock.timer_due_at <= datetime(2026, 12, 7, 8, 0))
    [again] = CaseClock.select().where(CaseClock.case == row.case_id)
    now = datetime(2026, 12, 7, 8, 0)
    assert timers._act_on_batch([row], now) == 1
    assert timers._act_on_batch([again], now) == 0  # a second worker with the same snapshot
    assert len([s for s in v.subjects() if "Reminder" in s]) == 1


def test_the_response_warning_claimed_twice_goes_out_once(vendor):
    v = vendor("erp_handbook")
    v.at("2026-11-30T08:00:00")
    case = v.open("general_request", "critical")  # 2 business hours
    service.assign(case, v.people["ada.admin"], v.people["erik.first"])
    now = v.at("2026-11-30T09:30:00")  # 75 % passed: the warning is due
    [row] = CaseClock.select().where(CaseClock.alert_at <= now)
    assert timers._alert(row, now) is True
    assert timers._alert(row, now) is False  # a second sweep that read the same row
    warnings = [s for s in v.subjects() if s.endswith("Response due soon")]
    assert warnings == [f"[#{case.call_id}] Response due soon"]


def test_two_sweeps_in_parallel_send_each_reminder_once(vendor):
    v = vendor("property_software")
    v.at("2026-11-30T08:00:00")
    cases = [v.open("fault", "standard", subject=f"Case {n}") for n in range(6)]
    for case in cases:
        service.move_status(case, v.people["erik.first"], "waiting")
    v.at("2026-12-07T09:00:00")
    at_once(v, timers.sweep, timers.sweep)
    reminders = [s for s in v.subjects() if "Reminder" in s]
    assert sorted(reminders) == sorted(
        f"[#{c.call_id}] Reminder: we are waiting for your answer" for c in cases
    )


def test_a_worker_stopped_for_three_days_catches_up(vendor):
    v = vendor("property_software")
    v.at("2026-11-30T08:00:00")
    case = v.open("fault", "standard")
    service.move_status(case, v.people["erik.first"], "waiting")
    # The reminder was due Monday 7 December 08:00; the worker comes back on Thursday.
    v.at("2026-12-10T08:00:00")
    assert timers.sweep() == 1
    assert len([s for s in v.subjects() if "Reminder" in s]) == 1
    # The closing counts from when the reminder was due, not from Thursday.
    assert CaseClock.get_by_id(case.id).timer_due_at == datetime(2026, 12, 14, 8, 0)
    v.at("2026-12-14T08:00:00")
    timers.sweep()
    assert reload(case).status == "closed"


def test_a_long_outage_closes_without_stale_mail(vendor):
    v = vendor("erp_handbook")
    v.at("2026-11-30T08:00:00")
    case = v.open("general_request", "standard")
    service.move_status(case, v.people["erik.first"], "waiting_for_customer")
    before = len(v.subjects())
    v.at("2027-01-10T08:00:00")  # pending closure was due 7 Dec, closing 21 Dec
    timers.sweep()
    assert reload(case).status == "closed"
    new = [s for s in v.subjects()[before:] if "How satisfied" not in s]  # the survey
    assert new == [f"[#{case.call_id}] Your case is closed"]


def test_admin_calendar_wins_over_the_plugins(vendor):
    v = vendor("erp_handbook")
    client = v.app.test_client().sign_in_as(v.people["ada.admin"])
    page = client.get("/admin/calendar")
    assert page.status_code == 200 and "Europe/Vienna" in page.text
    form = {
        "timezone": "Europe/Vienna",
        "country": "AT",
        "hours_mon": "08:00-12:00, 13:00-17:00",
        "hours_tue": "08:00-17:00",
        "closed_yearly": "12-24, 12-31",
        "closed_dates": "2026-12-01\n",
    }
    assert client.post("/admin/calendar", data=form).status_code == 302
    v.at("2026-11-30T08:00:00")  # Monday 09:00 Vienna
    case = v.open("general_request", "standard")
    # Mon 09-12, 13-17 = 7 h; Tue 1 Dec closed; Wed closed; Thu closed; next Mon 08-09
    assert CaseClock.get_by_id(case.id).response_due_at == datetime(2026, 12, 7, 8, 0)
    bad = client.post("/admin/calendar", data={**form, "hours_mon": "17:00-08:00"})
    assert bad.status_code == 400
    client.post("/admin/calendar/reset")
    assert "The business calendar is the vendor plugin" in client.get("/admin/calendar").text
    agent = v.app.test_client().sign_in_as(v.people["erik.first"])
    assert agent.get("/admin/calendar").status_code == 404


def test_each_request_counts_in_the_calendar_an_admin_saved_last(vendor):
    v = vendor("erp_handbook")
    admin = v.app.test_client().sign_in_as(v.people["ada.admin"])
    agent = v.app.test_client().sign_in_as(v.people["erik.first"])
    v.at("2026-11-30T08:00:00")  # Monday 09:00 Vienna
    case = v.open("general_request", "standard")  # 8 business hours: due Monday 17:00

    def time_left() -> str:
        page = agent.get(f"/cases/{case.call_id}").text
        return page.split("Business time left</dt>", 1)[1].split("</dd>", 1)[0].strip()

    def monday(hours: str) -> None:
        form = {"timezone": "Europe/Vienna", "hours_mon": hours, "hours_tue": "08:00-17:00"}
        assert admin.post("/admin/calendar", data=form).status_code == 302

    assert time_left() == "<dd>8 h 0 min"  # the plugin's Monday, 08:00-17:00
    monday("09:00-13:00")
    assert time_left() == "<dd>4 h 0 min"
    monday("09:00-11:00")
    assert time_left() == "<dd>2 h 0 min"
    monday("09:00-13:00")  # a text this process has built before
    assert time_left() == "<dd>4 h 0 min"
    admin.post("/admin/calendar/reset")
    assert time_left() == "<dd>8 h 0 min"


def test_case_page_shows_due_time_preview_and_customer_expectation(vendor):
    v = vendor("erp_handbook")
    v.at("2026-11-30T08:00:00")
    case = v.open("general_request", "standard")
    agent = v.app.test_client().sign_in_as(v.people["erik.first"])
    page = agent.get(f"/cases/{case.call_id}").text
    assert "First response due" in page and "What the rules do next" in page
    service.move_status(case, v.people["erik.first"], "waiting_for_customer")
    page = agent.get(f"/cases/{case.call_id}").text
    assert "Moves to Pending closure" in page and "Closes the case" in page
    customer = v.app.test_client().sign_in_as(v.people["mia.member"])
    other = v.open("general_request", "standard", subject="Other")
    text = customer.get(f"/cases/{other.call_id}").text
    assert "First answer expected by" in text and "What the rules do next" not in text


def test_queue_shows_cases_breaching_soon(vendor):
    v = vendor("erp_handbook")
    v.at("2026-11-30T08:00:00")
    urgent = v.open("general_request", "critical", subject="Everything is down")
    calm = v.open("general_request", "minor", subject="A typo in a label")
    agent = v.app.test_client().sign_in_as(v.people["erik.first"])
    page = agent.get("/queue?view=breaching").text
    assert urgent.call_id in page and calm.call_id not in page
    assert "Breaching soon" in agent.get("/", follow_redirects=True).text


def test_the_queue_shows_when_each_answer_is_due_most_urgent_first(vendor):
    v = vendor("erp_handbook")
    v.at("2026-11-30T08:00:00")
    urgent = v.open("general_request", "critical", subject="Everything is down")  # 2 h
    soon = v.open("general_request", "urgent", subject="Exports fail")  # 4 h
    answered = v.open("general_request", "standard", subject="A question")
    service.add_message(answered, v.people["erik.first"], "Here is the answer.")
    v.at("2026-11-30T09:30:00")  # 08:00 UTC is 09:00 Vienna; 09:30 UTC is 10:30 Vienna
    agent = v.app.test_client().sign_in_as(v.people["erik.first"])
    page = agent.get("/queue?view=all").text
    assert "Response due" in page
    rows = {c.call_id: page.split(c.call_id, 2)[2].split("</tr>", 1)[0] for c in (urgent, soon)}
    assert 'datetime="2026-11-30T10:00:00Z">30/11/2026, 11:00' in rows[urgent.call_id]  # Vienna
    assert 'datetime="2026-11-30T12:00:00Z">30/11/2026, 13:00' in rows[soon.call_id]
    assert 'class="overdue"' not in page
    v.at("2026-11-30T10:30:00")  # the critical case's two business hours have passed
    page = agent.get("/queue?view=breaching").text
    assert page.index(urgent.call_id) < page.index(soon.call_id)  # most urgent first
    assert page.count('class="overdue"') == 1 and answered.call_id not in page


def test_the_sweep_runs_on_the_job_queue(vendor):
    """What the worker does every minute, through the real queue (huey's SQLite file, or Redis
    in the PostgreSQL run): the periodic sweep takes the cases of lane 0 and queues a job for
    each other lane; the sweeps write the reminders, their deliveries follow after commit."""
    from helpdesk.jobs import huey
    from helpdesk.mail import tasks
    from helpdesk.mail.models import OutboxMessage
    from helpdesk.sla.tasks import sweep_timers

    v = vendor("property_software", HUEY_IMMEDIATE=False, SLA_SWEEP_LANES=3)
    v.at("2026-11-30T08:00:00")
    cases = [v.open("fault", "standard", subject=f"Case {n}") for n in range(3)]
    for case in cases:
        service.move_status(case, v.people["erik.first"], "waiting")
    v.at("2026-12-07T08:30:00")
    tasks.flush_after_commit()
    huey.flush()  # the acknowledgements' deliveries are not what this test is about
    sweep_timers()  # the periodic task, as the consumer's scheduler enqueues it
    assert huey.pending_count() == 1
    huey.execute(huey.dequeue())
    in_lane_0 = [c for c in cases if c.id % 3 == 0]
    reminders = OutboxMessage.select().where(OutboxMessage.subject.contains("Reminder"))
    assert [m.case_id for m in reminders.clone()] == [c.id for c in in_lane_0]
    assert huey.pending_count() == 2 + len(in_lane_0)  # lanes 1 and 2, lane 0's delivery
    while huey.pending_count():
        huey.execute(huey.dequeue())
    assert sorted(m.case_id for m in reminders.clone()) == sorted(c.id for c in cases)
    assert sorted(s for s in v.subjects() if "Reminder" in s) == sorted(
        f"[#{c.call_id}] Reminder: we are waiting for your answer" for c in cases
    )
