"""The timer sweep in batches (issue 19): several consumers share the due cases without
acting twice, and a batch's mail reaches the outbox (and the SMTP server) once each."""

import threading

from helpdesk.cases import service
from helpdesk.db import db
from helpdesk.mail.models import OutboxMessage
from helpdesk.sla import timers

REMINDER = "Reminder: we are waiting for your answer"


def waiting_cases(v, count):
    v.at("2026-11-30T08:00:00")
    cases = [v.open("fault", "standard", subject=f"Case {n}") for n in range(count)]
    for case in cases:
        service.move_status(case, v.people["erik.first"], "waiting")
    return cases


def test_three_consumers_share_the_batches_and_act_once_each(vendor):
    v = vendor("property_software", SLA_TIMER_BATCH=3)
    cases = waiting_cases(v, 10)
    db.close()  # each thread opens its own connection
    v.at("2026-12-07T09:00:00")
    start, errors, acted = threading.Barrier(3), [], []

    def run():
        try:
            with v.app.app_context():
                start.wait()
                acted.append(timers.sweep())
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)
        finally:
            db.close()

    workers = [threading.Thread(target=run) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    db.connect(reuse_if_open=True)
    assert errors == []
    assert sum(acted) == 10
    reminders = [s for s in v.subjects() if REMINDER in s]
    assert sorted(reminders) == sorted(f"[#{c.call_id}] {REMINDER}" for c in cases)
    assert OutboxMessage.select().where(OutboxMessage.subject.contains(REMINDER)).count() == 10
    assert timers.sweep() == 0  # nothing is left due
