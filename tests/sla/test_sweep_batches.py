"""The timer sweep in batches (issue 19): several consumers share the due cases without
acting twice, and a batch's mail reaches the outbox (and the SMTP server) once each."""

import threading
from collections import Counter
from contextlib import contextmanager, suppress
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from peewee import DatabaseError

from helpdesk.accounts.models import User
from helpdesk.cases import changes, service
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Case, Event, EventKind
from helpdesk.db import db, is_postgres
from helpdesk.mail import notify
from helpdesk.mail.models import OutboxMessage
from helpdesk.policy import current_policy
from helpdesk.reports import days, open_rollup, open_tally
from helpdesk.sla import policy as sla
from helpdesk.sla import timers
from helpdesk.sla.models import CaseClock
from helpdesk.web import external_url
from tests.sla.conftest import at_once

REMINDER = "Reminder: we are waiting for your answer"


def waiting_cases(v, count):
    v.at("2026-11-30T08:00:00")
    cases = [v.open("fault", "standard", subject=f"Case {n}") for n in range(count)]
    for case in cases:
        service.move_status(case, v.people["erik.first"], "waiting")
    return cases


def waiting_for_customer(v, count):
    """``count`` cases waiting for the customer since 2026-11-30; the clock seven days on,
    when their timer moves them to pending closure."""
    v.at("2026-11-30T08:00:00")
    cases = [v.open("general_request", "standard", subject=f"Case {n}") for n in range(count)]
    for case in cases:
        service.move_status(case, v.people["erik.first"], "waiting_for_customer")
    return cases, v.at("2026-12-07T09:00:00")


def sweeps_at_once(v, consumers: int) -> list[int]:
    """``consumers`` sweeps started at once; what each acted on."""
    return at_once(v, *[timers.sweep] * consumers)


def test_three_consumers_share_the_batches_and_act_once_each(vendor):
    v = vendor("property_software", SLA_TIMER_BATCH=3)
    cases = waiting_cases(v, 10)
    v.at("2026-12-07T09:00:00")
    acted = sweeps_at_once(v, 3)
    assert sum(acted) == 10
    reminders = [s for s in v.subjects() if REMINDER in s]
    assert sorted(reminders) == sorted(f"[#{c.call_id}] {REMINDER}" for c in cases)
    assert OutboxMessage.select().where(OutboxMessage.subject.contains(REMINDER)).count() == 10
    assert timers.sweep() == 0  # nothing is left due


def test_three_consumers_move_each_case_once_with_its_entry_mail_and_clock(vendor):
    """Moves (not only reminders): each case gets one status entry (written with the
    batch's others in one INSERT), one mail and its next timer; the open cases' roll-up
    stays equal to a recount."""
    v = vendor("erp_handbook", SLA_TIMER_BATCH=4)
    cases, now = waiting_for_customer(v, 11)  # every case moves to pending closure
    acted = sweeps_at_once(v, 3)
    assert sum(acted) == 11
    ids = [c.id for c in cases]
    moves = (
        Event.select(Event.case, Event.old_value, Event.new_value, Event.body)
        .where(Event.case.in_(ids) & (Event.kind == EventKind.STATUS) & Event.author.is_null())
        .order_by(Event.id)
    )
    assert sorted(e.case_id for e in moves) == sorted(ids)  # one entry each, none twice
    assert {(e.old_value, e.new_value) for e in moves} == {
        ("waiting_for_customer", "pending_closure")
    }
    assert all(e.body.startswith("Moved by the status timer") for e in moves)
    assert {c.status for c in Case.select().where(Case.id.in_(ids))} == {"pending_closure"}
    clocks = CaseClock.select().where(CaseClock.case.in_(ids))
    assert {(c.timer_status, c.timer_step) for c in clocks} == {("pending_closure", 0)}
    assert all(c.timer_due_at > now for c in clocks)  # the closing is the next step
    mails = OutboxMessage.select().where(OutboxMessage.case.in_(ids))
    per_case = Counter(m.case_id for m in mails if m.created_at >= now)
    assert per_case == dict.fromkeys(ids, 1)
    assert open_rollup.stored(days.today()) == open_rollup.current()
    assert timers.sweep() == 0


def test_a_case_whose_status_changed_under_the_batch_takes_back_its_entry_and_mail(
    vendor, monkeypatch
):
    """The batch's status moves are written together at its end (``changes.write_moves``):
    a case whose status is no longer the one the batch read (which its held row rules out)
    keeps no entry and no mail of the batch, and its claim is given back."""
    v = vendor("erp_handbook", SLA_TIMER_BATCH=10)
    cases, now = waiting_for_customer(v, 3)
    changed, write_moves = cases[1], changes.write_moves

    def meanwhile():
        Case.update(status="in_progress").where(Case.id == changed.id).execute()
        return write_moves()

    monkeypatch.setattr(changes, "write_moves", meanwhile)
    assert timers.sweep() == 2
    ids = [c.id for c in cases]
    by_timer = Event.select(Event.case).where(
        Event.case.in_(ids) & (Event.kind == EventKind.STATUS) & Event.author.is_null()
    )
    assert sorted(e.case_id for e in by_timer) == sorted([cases[0].id, cases[2].id])
    mails = OutboxMessage.select().where(OutboxMessage.case.in_(ids))
    assert Counter(m.case_id for m in mails if m.created_at >= now) == {
        cases[0].id: 1,
        cases[2].id: 1,
    }
    statuses = {c.id: c.status for c in Case.select().where(Case.id.in_(ids))}
    assert statuses == {
        cases[0].id: "pending_closure",
        changed.id: "in_progress",
        cases[2].id: "pending_closure",
    }
    clock = CaseClock.get(CaseClock.case == changed.id)
    assert clock.timer_due_at is not None and clock.timer_due_at <= now  # given back


def test_sweeps_and_people_moving_the_same_cases_at_once_neither_deadlock_nor_miscount(vendor):
    """Two sweeps and two agents moving the due cases by hand, all at once: no deadlock
    (on PostgreSQL a change locks the case, then its clock, then the counters; the sweep
    takes cases without waiting), each case moved once by its timer or else by a person,
    and the open cases' roll-up and tallies equal to a recount."""
    v = vendor("erp_handbook", SLA_TIMER_BATCH=5)
    cases, now = waiting_for_customer(v, 24)
    ids = [c.id for c in cases]

    def agent(order):
        def work():
            agent = User.get_by_id(v.people["erik.first"].id)
            for case_id in order:
                case = Case.get_by_id(case_id)
                if case.status != "waiting_for_customer":
                    continue
                with suppress(CaseError):  # the sweep moved it first: the person is told
                    service.move_status(case, agent, "in_progress")

        return work

    at_once(v, timers.sweep, timers.sweep, agent(ids[::-1]), agent(ids[1::2] + ids[::2]))
    timers.sweep()  # what a person's move left due
    moves = Counter(
        e.case_id
        for e in Event.select(Event.case).where(
            Event.case.in_(ids) & (Event.kind == EventKind.STATUS) & (Event.created_at >= now)
        )
    )
    by_timer = {
        e.case_id
        for e in Event.select(Event.case).where(
            Event.case.in_(ids) & (Event.kind == EventKind.STATUS) & Event.author.is_null()
        )
    }
    by_hand = set(ids) - by_timer
    statuses = {c.id: c.status for c in Case.select().where(Case.id.in_(ids))}
    assert all(statuses[i] == "pending_closure" and moves[i] == 1 for i in by_timer)
    assert all(statuses[i] == "in_progress" and moves[i] == 1 for i in by_hand)
    mails = Counter(m.case_id for m in OutboxMessage.select().where(OutboxMessage.case.in_(ids)))
    assert all(mails[i] >= 1 for i in by_timer)
    assert open_rollup.stored(days.today()) == open_rollup.current()
    assert open_rollup.stored(days.today(), everyone=True) == open_rollup.everyone_of(
        open_rollup.current()
    )
    assert open_tally.stored() == open_tally.recount()


@pytest.mark.parametrize("language", ["de", "en"])
def test_mail_prepared_once_per_language_reads_as_mail_rendered_alone(vendor, language):
    """The sweep prepares each template once per language and batch (``rendering_once``):
    every mail it writes so reads exactly as one rendered by itself."""
    v = vendor("erp_handbook")
    v.at("2026-11-30T08:00:00")
    case = v.open("general_request", "standard", subject='Export <b>"A & B"</b> stops')
    requester = v.people["mia.member"]
    requester.name, requester.language = "Mia <Müller> & Co", language
    timer = sla.status_timers("waiting_for_customer")[0]
    step = timers.Step(datetime(2026, 12, 7, 8), "waiting_for_customer", 0, timer)
    later = timers.Step(datetime(2026, 12, 21, 8), "pending_closure", 0, timer)
    status = current_policy().status("solved")
    event = Event(case=case, created_at=datetime(2026, 12, 1, 9), body="Fixed <in> 4.2 & 4.3")
    mails = [
        ("timer_reminder", {"step": step}),
        ("timer_pending_closure", {"step": step, "next_step": later}),
        ("timer_pending_closure", {"step": step, "next_step": None}),
        ("timer_resubmission", {"step": step}),
        ("timer_closed", {"step": step}),
        ("timer_last_reminder", {"step": step}),
        ("case_status", {"category": "solved", "status": status, "event": event}),
    ]
    zone = ZoneInfo("Europe/Vienna")

    def rendered(template, values):
        context = dict(values, recipient=requester, case=case, external_url=external_url)
        return notify._rendered(template, language, zone, context)

    alone = [rendered(template, values) for template, values in mails]
    with notify.rendering_once():
        batch = [rendered(template, values) for template, values in mails * 2]
    assert batch == alone * 2
    assert all(html for _subject, _text, html in alone)
    assert "Mia &lt;Müller&gt; &amp; Co" in alone[0][2]
    assert "<!doctype html>" in alone[-1][2]  # case_status has its own HTML template


def test_a_case_a_person_moves_while_the_batch_is_rendered_gets_only_the_persons_move(
    vendor, monkeypatch
):
    """The batch is worked out before its transaction: a person who moves one of its cases
    in between (on another connection) plans its clock anew, so the batch's claim of that
    case fails and writes nothing for it, while the others move with their entry and mail."""
    v = vendor("erp_handbook", SLA_TIMER_BATCH=10)
    cases, now = waiting_for_customer(v, 3)
    moved_by_hand = cases[1]
    worked_out = timers.reads_only

    def person_moves():
        with v.app.app_context():
            agent = User.get_by_id(v.people["erik.first"].id)
            service.move_status(Case.get_by_id(moved_by_hand.id), agent, "in_progress")
        db.close()

    @contextmanager
    def then_a_person_moves():
        with worked_out():
            yield
        person = threading.Thread(target=person_moves)
        person.start()
        person.join()

    monkeypatch.setattr(timers, "reads_only", then_a_person_moves)
    assert timers.sweep() == 2
    ids = [c.id for c in cases]
    entries = Event.select(Event.case, Event.author).where(
        Event.case.in_(ids) & (Event.kind == EventKind.STATUS) & (Event.created_at >= now)
    )
    assert sorted((e.case_id, e.author_id is None) for e in entries) == sorted(
        [(cases[0].id, True), (moved_by_hand.id, False), (cases[2].id, True)]
    )
    mails = OutboxMessage.select().where(OutboxMessage.case.in_(ids))
    timer_mails = Counter(m.case_id for m in mails if m.created_at >= now)
    assert timer_mails[moved_by_hand.id] == 0
    assert timer_mails[cases[0].id] == timer_mails[cases[2].id] == 1
    clock = CaseClock.get(CaseClock.case == moved_by_hand.id)
    assert (clock.timer_status, clock.timer_step) == ("in_progress", 0)  # the person's plan
    assert Case.get_by_id(moved_by_hand.id).status == "in_progress"
    assert open_tally.stored() == open_tally.recount()
    assert timers.sweep() == 0


def test_nothing_is_written_while_a_batch_is_worked_out(vendor):
    """The batch's preparation runs with writes refused (``db.reads_only``): a write there
    fails instead of landing outside the claim's transaction; afterwards writes work."""
    v = vendor("erp_handbook")
    case = v.open("general_request", "standard")
    with timers.reads_only(), pytest.raises(DatabaseError):
        Case.update(subject="Changed").where(Case.id == case.id).execute()
    Case.update(subject="Changed").where(Case.id == case.id).execute()
    assert Case.get_by_id(case.id).subject == "Changed"


def test_sweeps_of_two_lanes_share_the_due_cases_without_overlap(vendor):
    """Two consumers, each sweeping its lane (the case's id modulo 2), at once: each acts on
    its own lane's cases only, and together on all of them, once each."""
    v = vendor("erp_handbook", SLA_TIMER_BATCH=3)
    cases, _now = waiting_for_customer(v, 9)
    acted = at_once(
        v,
        lambda: ("even", timers.sweep(lane=0, lanes=2)),
        lambda: (
            "odd",
            timers.sweep(lane=1, lanes=2),
        ),
    )
    ids = [c.id for c in cases]
    assert dict(acted) == {
        "even": sum(1 for i in ids if i % 2 == 0),
        "odd": sum(1 for i in ids if i % 2 == 1),
    }
    moves = Counter(
        e.case_id
        for e in Event.select(Event.case).where(
            Event.case.in_(ids) & (Event.kind == EventKind.STATUS) & Event.author.is_null()
        )
    )
    assert moves == dict.fromkeys(ids, 1)
    assert timers.sweep() == 0


def test_a_case_another_transaction_holds_is_left_for_the_next_sweep(vendor):
    """On PostgreSQL the batch takes its cases' rows without waiting (``SKIP LOCKED``): a
    case that a person's change holds is left out of this sweep, and the next one takes it."""
    if not is_postgres():
        pytest.skip("SQLite's writers take turns: the sweep waits for the one write lock")
    v = vendor("erp_handbook", SLA_TIMER_BATCH=10)
    cases, _now = waiting_for_customer(v, 3)
    held, release = threading.Event(), threading.Event()

    def holder():
        with v.app.app_context(), db.atomic():
            Case.select().where(Case.id == cases[0].id).for_update().get()
            held.set()
            release.wait(timeout=30)
        db.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(timeout=10)
    try:
        assert timers.sweep() == 2  # did not wait for the held case
    finally:
        release.set()
        thread.join()
    assert Case.get_by_id(cases[0].id).status == "waiting_for_customer"
    assert timers.sweep() == 1
    assert {c.status for c in Case.select().where(Case.id.in_([c.id for c in cases]))} == {
        "pending_closure"
    }
