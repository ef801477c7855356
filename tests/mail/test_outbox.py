"""The outbox against a real SMTP server: sent after commit, once, and again when it is back.

``HUEY_IMMEDIATE`` apps (``app``) deliver inline when the app context ends; ``queued_app``
puts the delivery on the real queue, where a test runs it (or calls ``outbox`` directly).
"""

import email
import threading
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest

from helpdesk.db import db, is_sqlite
from helpdesk.jobs import huey
from helpdesk.mail import outbox, tasks
from helpdesk.mail.models import OutboxMessage, State
from helpdesk.mail.outbox import Outcome
from helpdesk.timeutil import utcnow

MIA = "mia@muster.example"


class Boom(Exception):
    pass


def send(app, to=MIA, subject="Ihr Fall 2026-00042", text="Guten Tag", **kwargs):
    """Enqueue a mail in a committed transaction, in an app context that then ends."""
    with app.app_context(), db.atomic():
        return outbox.enqueue(to, subject, text, **kwargs)


def fetch(app, pk) -> OutboxMessage:
    with app.app_context():
        return OutboxMessage.get_by_id(pk)


def make_due(app, pk) -> None:
    """The clock past next_try_at, without waiting for it."""
    with app.app_context():
        past = utcnow() - timedelta(seconds=1)
        OutboxMessage.update(next_try_at=past).where(OutboxMessage.id == pk).execute()


def run(task, *args) -> None:
    """Run a task (inline in immediate mode) and raise what it raised."""
    result = task(*args)
    if result is not None:
        result.get()


# -- After commit, and only then -------------------------------------------------------


def test_a_rolled_back_mail_is_never_sent(app, smtp_server):
    with app.app_context():
        with pytest.raises(Boom), db.atomic():
            outbox.enqueue(MIA, "Rolled back", "never")
            raise Boom
        with db.atomic() as outer:
            with db.atomic():  # a savepoint that "commits" inside a transaction rolled back
                outbox.enqueue(MIA, "Rolled back too", "never")
            assert tasks.flush_after_commit() == 0  # not committed yet: nothing leaves
            outer.rollback()
    run(tasks.sweep_outbox)

    with app.app_context():
        assert OutboxMessage.select().count() == 0
    assert smtp_server.envelopes == []


def test_a_committed_mail_is_delivered_once_with_its_headers(app, smtp_server):
    subject = "Ihr Fall 2026-00042: Größe geändert"
    with app.app_context():
        with db.atomic():
            row = outbox.enqueue(
                ["Mia Müller <mia@muster.example>", "max@muster.example"],
                subject,
                "Grüße aus Wien",
                "<p>Grüße aus <b>Wien</b></p>",
                in_reply_to="<first@portal.vendor.example>",
                references=["<root@portal.vendor.example>"],
            )
        assert smtp_server.envelopes == []  # committed, but handed over when the context ends

    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == "support@vendor.example"
    assert envelope.rcpt_tos == ["mia@muster.example", "max@muster.example"]
    assert envelope.content.isascii()
    on_the_wire = email.message_from_bytes(envelope.content)["Subject"]  # not decoded
    assert "=?utf-8?" in on_the_wire and "Größe" not in on_the_wire  # RFC 2047
    [message] = smtp_server.messages
    assert message["Message-ID"] == row.message_id
    assert row.message_id.endswith("@portal.vendor.example>")
    assert message["Subject"] == subject
    assert message["Auto-Submitted"] == "auto-generated"
    assert abs(parsedate_to_datetime(message["Date"]).replace(tzinfo=None) - utcnow()) < timedelta(
        minutes=1
    )
    assert message["In-Reply-To"] == "<first@portal.vendor.example>"
    assert message["References"] == "<root@portal.vendor.example> <first@portal.vendor.example>"
    assert message["To"] == "Mia Müller <mia@muster.example>, max@muster.example"
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("plain",)).get_content().strip() == "Grüße aus Wien"
    assert message.get_body(("html",)).get_content().strip() == "<p>Grüße aus <b>Wien</b></p>"

    stored = fetch(app, row.id)
    assert (stored.state, stored.tries, stored.last_error) == (State.SENT, 1, None)
    assert stored.sent_at is not None
    run(tasks.sweep_outbox)
    assert len(smtp_server.envelopes) == 1


def test_a_mail_written_by_a_person_is_not_marked_automatic(app, smtp_server):
    send(app, automatic=False)
    [message] = smtp_server.messages
    assert message["Auto-Submitted"] is None
    assert message.get_content_type() == "text/plain"


def test_enqueue_refuses_what_is_not_an_address(app):
    with app.app_context(), pytest.raises(ValueError):
        outbox.enqueue("not an address", "Subject", "Text")


def test_a_mail_belongs_to_its_case_until_the_case_is_deleted(app, demo_people, smtp_server):
    from helpdesk.cases import service
    from helpdesk.cases.models import Case
    from helpdesk.products.models import Product

    with app.app_context():
        case = service.open_case(
            service.NewCase(
                requester=demo_people["mia.member"],
                product=Product.select().first(),
                subject="Printing invoices fails",
                description="The invoice run stops with an error.",
                case_type="fault",
                severity="normal",
            )
        )
    row = send(app, case=case)
    assert fetch(app, row.id).case_id == case.id
    with app.app_context():
        Case.delete().where(Case.id == case.id).execute()
    assert fetch(app, row.id).case_id is None


def test_mail_settings_come_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("MAIL_SERVER", "smtp.vendor.example")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_STARTTLS", "true")
    monkeypatch.setenv("MAIL_USE_TLS", "0")
    config = make_app().config
    assert (config["MAIL_SERVER"], config["MAIL_PORT"]) == ("smtp.vendor.example", 587)
    assert (config["MAIL_USE_STARTTLS"], config["MAIL_USE_TLS"]) == (True, False)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_the_portal_signs_in_to_the_mail_server(make_app, smtp_server_with_auth):
    server = smtp_server_with_auth
    wrong = make_app(**server.settings, MAIL_USERNAME="portal", MAIL_PASSWORD="wrong")
    row = send(wrong)
    failed = fetch(wrong, row.id)
    assert failed.state == State.FAILED
    assert failed.last_error.startswith("SMTPAuthenticationError: 535")

    right = make_app(**server.settings, MAIL_USERNAME="portal", MAIL_PASSWORD="s3cret")
    make_due(right, row.id)
    run(tasks.sweep_outbox)
    assert [m["Message-ID"] for m in server.messages] == [row.message_id]


# -- Server down, back up -----------------------------------------------------------------


def test_a_failed_mail_is_retried_when_the_server_is_back(app, smtp_server):
    smtp_server.stop()
    row = send(app)
    failed = fetch(app, row.id)
    assert (failed.state, failed.tries) == (State.FAILED, 1)
    assert failed.last_error.startswith("ConnectionRefusedError")
    assert failed.next_try_at > utcnow() + timedelta(seconds=30)

    smtp_server.start()
    run(tasks.sweep_outbox)
    with app.app_context():
        assert outbox.deliver(row.id) is Outcome.SKIPPED
    assert smtp_server.envelopes == []  # not due yet

    make_due(app, row.id)
    run(tasks.sweep_outbox)
    run(tasks.sweep_outbox)
    assert len(smtp_server.envelopes) == 1
    assert smtp_server.messages[0]["Message-ID"] == row.message_id
    sent = fetch(app, row.id)
    assert (sent.state, sent.tries) == (State.SENT, 2)


def test_retries_wait_longer_each_time_and_give_up(make_app, smtp_server):
    assert [outbox.retry_delay(n) for n in range(1, 7)] == [
        timedelta(minutes=m) for m in (1, 5, 15, 60, 60, 60)
    ]
    app = make_app(MAIL_MAX_TRIES=3, **smtp_server.settings)
    smtp_server.stop()
    row = send(app)
    waits = []
    for _ in range(2):
        stored = fetch(app, row.id)
        waits.append(stored.next_try_at - utcnow())
        make_due(app, row.id)
        run(tasks.sweep_outbox)
    assert waits[0] < timedelta(minutes=1) < waits[1] <= timedelta(minutes=5)
    dead = fetch(app, row.id)
    assert (dead.state, dead.tries) == (State.DEAD, 3)
    make_due(app, row.id)
    run(tasks.sweep_outbox)
    assert fetch(app, row.id).tries == 3  # dead rows are left alone


def test_a_refused_recipient_kills_the_mail_at_once(app, smtp_server):
    smtp_server.refuse.add("nobody@muster.example")
    row = send(app, to="nobody@muster.example")
    dead = fetch(app, row.id)
    assert dead.state == State.DEAD
    assert "nobody@muster.example (550" in dead.last_error

    partly = send(app, to=["nobody@muster.example", MIA])
    sent = fetch(app, partly.id)
    assert sent.state == State.SENT
    assert "nobody@muster.example" in sent.last_error
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [[MIA]]


def test_the_sweep_stops_when_the_server_cannot_be_reached(queued_app, smtp_server):
    rows = [send(queued_app, subject=f"Mail {n}") for n in range(3)]
    smtp_server.stop()
    with queued_app.app_context():
        outcomes = outbox.sweep()
    assert outcomes[Outcome.UNREACHABLE] == 1
    assert [fetch(queued_app, row.id).tries for row in rows] == [1, 0, 0]


def test_the_sweep_drains_a_backlog_larger_than_a_batch(queued_app, smtp_server):
    queued_app.config["MAIL_SWEEP_BATCH"] = 2
    rows = [send(queued_app, subject=f"Mail {n}") for n in range(5)]
    with queued_app.app_context():
        outcomes = outbox.sweep()
    assert outcomes[Outcome.SENT] == 5
    assert {fetch(queued_app, row.id).state for row in rows} == {State.SENT}
    assert len(smtp_server.envelopes) == 5


# -- Once, whoever delivers -----------------------------------------------------------


def test_delivering_the_same_mail_twice_sends_it_once(queued_app, smtp_server):
    row = send(queued_app)
    assert huey.pending_count() == 1  # the hand-over after commit
    with queued_app.app_context():
        assert outbox.deliver(row.id) is Outcome.SENT
        assert outbox.deliver(row.id) is Outcome.SKIPPED
    huey.execute(huey.dequeue())
    assert len(smtp_server.envelopes) == 1


def test_two_workers_at_once_send_it_once(queued_app, smtp_server):
    row = send(queued_app)
    workers = 4
    barrier = threading.Barrier(workers)
    outcomes = []

    def worker():
        with queued_app.app_context():
            try:
                barrier.wait()
                outcomes.append(outbox.deliver(row.id))
            finally:
                db.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == sorted([Outcome.SENT] + [Outcome.SKIPPED] * (workers - 1))
    assert len(smtp_server.envelopes) == 1


def test_a_stale_lease_is_released_by_the_sweep(queued_app, smtp_server):
    crashed, busy = send(queued_app, subject="Crashed"), send(queued_app, subject="Busy")
    with queued_app.app_context():
        for row, minutes in ((crashed, 11), (busy, 1)):
            OutboxMessage.update(
                state=State.SENDING, claimed_at=utcnow() - timedelta(minutes=minutes), tries=1
            ).where(OutboxMessage.id == row.id).execute()
        outcomes = outbox.sweep()

    assert (outcomes["released"], outcomes[Outcome.SENT]) == (1, 1)
    again = fetch(queued_app, crashed.id)
    assert (again.state, again.tries, again.last_error) == (State.SENT, 2, outbox.LEASE_EXPIRED)
    assert fetch(queued_app, busy.id).state == State.SENDING
    assert [m["Subject"] for m in smtp_server.messages] == ["Crashed"]


# -- The real queue -------------------------------------------------------------------


def test_the_queue_delivers_after_commit(queued_app, smtp_server):
    with queued_app.app_context(), pytest.raises(Boom), db.atomic():
        outbox.enqueue(MIA, "Rolled back", "never")
        raise Boom
    assert huey.pending_count() == 0

    row = send(queued_app)
    assert huey.pending_count() == 1
    assert smtp_server.envelopes == []

    task = huey.dequeue()
    huey.execute(task)  # what a consumer's worker does with it

    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id]
    assert fetch(queued_app, row.id).state == State.SENT


def test_the_sweep_is_due_every_minute(app):
    from datetime import datetime

    names = {type(task).__name__ for task in huey.read_periodic(datetime(2026, 11, 23, 10, 17))}
    assert "sweep_outbox" in names


def test_the_sweep_finds_due_mail_by_an_index(app):
    with app.app_context():
        sql, params = outbox.due(100).sql()
        if is_sqlite():
            plan = db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        else:
            with db.atomic():  # a tiny table is read whole unless told otherwise
                db.execute_sql("SET LOCAL enable_seqscan = off")
                plan = db.execute_sql("EXPLAIN " + sql, params).fetchall()
    assert "outbox_message_state_next_try_at" in " ".join(str(row) for row in plan)
