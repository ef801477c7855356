"""Time records (DOC-3): recorded by agents, never edited, corrections are new audited records;
the case type decides free fix or billable and another choice needs a reason; the timer runs
on the server; the closing mail says how the case was settled (seed 004)."""

import pytest

from helpdesk.audit import AuditLog
from helpdesk.cases.errors import CaseError
from helpdesk.contracts import billing
from helpdesk.contracts.billing_models import RunningTimer, TimeRecord


@pytest.fixture
def case(app, demo_people, open_case):
    return open_case("mia.member", case_type="question")


@pytest.fixture
def agent(app, demo_people):
    return app.test_client().sign_in_as(demo_people["erik.first"])


def test_the_type_decides_the_default_and_another_choice_needs_a_reason(
    app, demo_people, open_case
):
    erik = demo_people["erik.first"]
    with app.app_context():
        fault = open_case("mia.member", case_type="fault")
        question = open_case("mia.member", case_type="question")
        assert billing.record_time(erik, fault, minutes=30, activity="Analysis").billable is False
        assert billing.record_time(erik, question, minutes=15, activity="Call").billable is True
        with pytest.raises(CaseError, match="reason"):
            billing.record_time(erik, question, minutes=15, activity="Call", billable=False)
        free = billing.record_time(
            erik, question, minutes=15, activity="Call", billable=False, reason="Our mistake"
        )
        assert free.reason == "Our mistake"
        with pytest.raises(CaseError):
            billing.record_time(demo_people["mia.member"], question, minutes=5, activity="x")


def test_records_are_never_edited_corrections_are_audited(app, demo_people, case, agent):
    erik = demo_people["erik.first"]
    with app.app_context():
        original = billing.record_time(erik, case, minutes=60, activity="Fix")
    url = f"/cases/{case.call_id}/time/{original.id}/correct"
    refused = agent.post(url, data={"minutes": "-15", "reason": ""})
    assert refused.status_code == 422
    assert agent.post(url, data={"minutes": "-15", "reason": "Counted twice"}).status_code == 303
    too_much = agent.post(url, data={"minutes": "-50", "reason": "More"})
    assert too_much.status_code == 422
    with app.app_context():
        rows = list(TimeRecord.select().order_by(TimeRecord.id))
        assert [(r.minutes, r.corrects_id) for r in rows] == [(60, None), (-15, original.id)]
        assert TimeRecord.get_by_id(original.id).minutes == 60  # the original is untouched
        logged = [(a.action, a.before_values, a.after_values) for a in AuditLog.select()]
        assert ("time.corrected", {"minutes": 60}, {"minutes": 45}) in logged
        assert billing.totals(rows) == {"billable": 45, "free": 0}
    page = agent.get(f"/cases/{case.call_id}")
    assert f"correction of #{original.id}" in page.text
    # No route edits or deletes a record.
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("time.")]
    assert all(r.methods - {"HEAD", "OPTIONS"} == {"POST"} for r in rules)
    assert {r.endpoint for r in rules} == {
        "time.record",
        "time.correct",
        "time.start",
        "time.stop",
        "time.settle",
    }


def test_the_timer_survives_a_reload_and_records_begun_minutes(
    app, demo_people, case, agent, clock
):
    clock.at(clock.now())  # stopped now: the agent's sign-in stays valid
    assert agent.post(f"/cases/{case.call_id}/timer/start").status_code == 303
    clock.advance(minutes=42, seconds=10)
    page = agent.get(f"/cases/{case.call_id}")  # a reload: the timer still runs
    assert 'id="timer-state"' in page.text
    stopped = agent.post(
        f"/cases/{case.call_id}/timer/stop",
        data={"activity": "Remote session", "billable": "billable"},
    )
    assert stopped.status_code == 303
    with app.app_context():
        record = TimeRecord.get()
        assert (record.minutes, record.activity, record.billable) == (43, "Remote session", True)
        assert not RunningTimer.select().exists()
    assert agent.post(f"/cases/{case.call_id}/timer/stop").status_code == 422


def test_customers_never_reach_time_records(app, demo_people, case):
    customer = app.test_client().sign_in_as(demo_people["mia.member"])
    assert customer.post(f"/cases/{case.call_id}/time", data={"minutes": "5"}).status_code == 404
    assert "Time records" not in customer.get(f"/cases/{case.call_id}").text


@pytest.mark.hook("helpdesk_billable_by_default")
def test_seed_004_fixes_errors_free_and_bills_help(make_app, demo_people, open_case):
    app = make_app("small_vendor")
    erik = demo_people["erik.first"]
    with app.app_context():
        error = open_case("mia.member", case_type="error")
        help_case = open_case("mia.member", case_type="help")
        assert billing.record_time(erik, error, minutes=20, activity="Fix").billable is False
        assert billing.record_time(erik, help_case, minutes=20, activity="Call").billable is True


def test_closing_a_case_with_time_asks_for_the_settlement_first(
    app, demo_people, open_case, case, agent
):
    """The closing step: a case with recorded time moves to solved or closed only once it is
    settled as free fix or billable, on every channel (the case service); a case without
    time, or the customer's own confirmation, is unaffected."""
    from helpdesk.cases import service
    from helpdesk.cases.models import Case
    from helpdesk.policy import Category, current_policy

    erik = demo_people["erik.first"]
    with app.app_context():
        solved = next(s for s in current_policy().statuses if s.category == Category.SOLVED)
        closed = next(s for s in current_policy().statuses if s.category == Category.CLOSED)
        billing.record_time(erik, case, minutes=20, activity="Call")
        untimed = open_case("mia.member", case_type="question")
        for status in (solved, closed):
            with pytest.raises(CaseError, match="settle it as free fix or billable") as refused:
                service.move_status(Case.get_by_id(case.id), erik, status.key)
            assert refused.value.field == "status"
        service.move_status(Case.get_by_id(untimed.id), erik, solved.key)
    page = agent.post(f"/cases/{case.call_id}/status", data={"status": solved.key})
    assert page.status_code == 422
    assert "is not settled yet" in page.text
    with app.app_context():
        assert Case.get_by_id(case.id).status != solved.key
        billing.settle(erik, Case.get_by_id(case.id), False)
    moved = agent.post(f"/cases/{case.call_id}/status", data={"status": solved.key})
    assert moved.status_code == 303
    with app.app_context():
        assert Case.get_by_id(case.id).status == solved.key
