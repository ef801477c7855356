"""Account flows end to end, with mail read from the real SMTP server of ``tests/mail``."""

import re
from urllib.parse import urlsplit

import pytest

from helpdesk.config import DEFAULTS


@pytest.fixture
def app(make_app, smtp_server):
    """The app, sending to the test server; no waiting floor on reset requests."""
    return make_app(RESET_MIN_SECONDS=0, **smtp_server.settings)


def limits(**changes) -> dict:
    """The default rate limits with ``changes``."""
    return {**DEFAULTS["RATE_LIMITS"], **changes}


def mails_to(smtp_server, address: str) -> list:
    return [m for m in smtp_server.messages if address in m["To"]]


def link_in(mail) -> str:
    """The path of the (only) portal link in a mail's text."""
    body = mail.get_body(("plain",)).get_content()
    [url] = re.findall(r"http://localhost:5000/\S+", body)
    return urlsplit(url).path


def form_page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def page_without(response, email: str) -> str:
    """The page with ``email`` and the (time-stamped) CSRF tokens blanked: two answers that
    differ in nothing else are the same answer."""
    page = response.get_data(as_text=True).replace(email, "EMAIL")
    return re.sub(r"[\w-]{20,}\.[\w-]{6}\.[\w-]{20,}", "CSRF", page)


def pending_person(email: str):
    """A confirmed self-registration that waits for a vendor agent (in an app context)."""
    from helpdesk.accounts.models import Approval, User
    from helpdesk.timeutil import utcnow

    return User.create(
        email=email, name="New", approval=Approval.PENDING, email_confirmed_at=utcnow()
    )
