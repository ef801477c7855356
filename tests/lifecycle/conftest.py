"""Fixtures for the later life of a case: an app that sends to the real SMTP server of
``helpdesk.testing`` (``make_lifecycle_app(*plugins)``), and helpers to open cases and read
mail."""

import pytest

from helpdesk import demo
from helpdesk.accounts.models import User
from helpdesk.cases import service
from helpdesk.products.models import Product
from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def make_lifecycle_app(make_app, smtp_server):
    """An app with the named plugins and their demo data, sending to the test server."""

    def make(*plugins, **config):
        app = make_app(*plugins, **smtp_server.settings, **config)
        with app.app_context():
            demo.load(password=DEMO_PASSWORD)
        return app

    return make


@pytest.fixture
def app(make_lifecycle_app):
    return make_lifecycle_app()


def person(name: str) -> User:
    return User.get(User.email.startswith(name + "@"))


def open_case(requester="mia.member", severity=None, case_type=None, **fields) -> object:
    """A case through the domain, with the policy's first type and a mild severity."""
    from helpdesk.policy import current_policy

    policy = current_policy()
    values = {
        "requester": person(requester),
        "product": Product.select().first(),
        "subject": "Rechnungslauf bricht ab",
        "description": "Seit dem Update stoppt der Rechnungslauf.",
        "case_type": case_type or policy.case_types[0].key,
        "severity": severity or policy.severities[-1].key,
        "impact": "Keine Rechnungen",
    }
    values.update(fields)
    return service.open_case(service.NewCase(**values))


def mails_to(smtp_server, address: str) -> list:
    return [m for m in smtp_server.messages if address in m["To"]]


def text_of(mail) -> str:
    return mail.get_body(("plain",)).get_content()
