"""Fixtures for the business-time tests: a vendor's app on the real SMTP server, with demo
data, an application context and a controlled clock (time-machine)."""

import threading
from datetime import UTC, datetime

import pytest
import time_machine

from helpdesk import demo
from helpdesk.accounts.models import User
from helpdesk.cases import service
from helpdesk.db import db
from helpdesk.mail import tasks
from helpdesk.products.models import Product


class Vendor:
    """One vendor's portal in an app context, with its people and a clock to move."""

    def __init__(self, app, smtp, clock):
        self.app, self.smtp, self.clock = app, smtp, clock
        self.people = {u.email.split("@")[0]: u for u in User.select()}

    def at(self, text: str) -> datetime:
        """Move the clock to ``text`` (naive UTC, ISO) and return it."""
        moment = datetime.fromisoformat(text)
        self.clock.move_to(moment.replace(tzinfo=UTC))
        return moment

    def open(self, case_type, severity, requester="mia.member", **fields):
        return service.open_case(
            service.NewCase(
                requester=self.people[requester],
                product=Product.select().first(),
                subject=fields.pop("subject", "Invoice run stops"),
                description="It stops with an error.",
                case_type=case_type,
                severity=severity,
                impact=fields.pop("impact", "All invoices are late."),
                **fields,
            )
        )

    def messages(self) -> list:
        """The mails the SMTP server received, after handing over what is committed (as the
        end of a job's or request's app context does)."""
        tasks.flush_after_commit()
        return self.smtp.messages

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages()]

    def mails_to(self, email: str) -> list:
        return [m for m in self.messages() if email in str(m["To"])]


@pytest.fixture
def vendor(make_app, smtp_server):
    """``vendor("erp_handbook")``: that plugin's portal, clock at 2026-11-30 (a Monday)."""
    contexts = []

    def make(*plugins, start="2026-11-30T07:00:00", **config):
        traveller = time_machine.travel(
            datetime.fromisoformat(start).replace(tzinfo=UTC), tick=False
        )
        clock = traveller.start()
        app = make_app(*plugins, **smtp_server.settings, **config)
        context = app.app_context()
        context.push()
        contexts.append((context, traveller))
        demo.load(password="demo-password-123")
        return Vendor(app, smtp_server, clock)

    yield make
    for context, traveller in reversed(contexts):
        context.pop()
        traveller.stop()


def at_once(v, *works) -> list:
    """``works`` (callables) started at once, each in its own thread, app context and
    connection; what each returned (an error in one fails the test)."""
    db.close()  # each thread opens its own connection
    start, errors, results = threading.Barrier(len(works)), [], []

    def run(work):
        try:
            with v.app.app_context():
                start.wait()
                results.append(work())
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)
        finally:
            db.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.connect(reuse_if_open=True)
    assert errors == []
    return results
