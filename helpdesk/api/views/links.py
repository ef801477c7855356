"""Sign-in links through the API (``helpdesk.api.sign_in_links``)."""

from helpdesk.accounts.models import User
from helpdesk.accounts.views import safe_next
from helpdesk.api import serialise, sign_in_links
from helpdesk.api.openapi import documented
from helpdesk.api.problems import Problem
from helpdesk.api.views.blueprint import bp, needs, person_of_token
from helpdesk.api.views.cases import values_of
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.inputs import parse_id
from helpdesk.web import external_url


@bp.post("/sign-in-links")
@needs("admin")
@documented(ok=201, answer="SignInLink", body="SignInLinkRequest")
def create_sign_in_link():
    """A short-lived, single-use link that opens the portal signed in as a customer user.

    For the vendor's software: ``user`` is the customer's id, ``next`` the page to open (a
    path of the portal; their open cases when left out). Only vendor admins' tokens."""
    values = values_of()
    target = values.get("next") or "/cases"
    if safe_next(target) is None:
        raise Problem(
            422,
            _l("Please name a page of the portal, such as /cases."),
            {"next": [_l("Please name a page of the portal, such as /cases.")]},
        )
    number = parse_id(values.get("user"))
    person = User.get_or_none(User.id == number) if number else None
    secret, token = sign_in_links.create(person_of_token(), person)
    url = external_url("sign_in_link.open_link", secret=secret, next=target)
    return {"url": url, "expires_at": serialise.when(token.expires_at)}, 201
