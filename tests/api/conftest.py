"""Fixtures of the API tests: people, a second organisation, tokens made by the service."""

from datetime import timedelta

import pytest

from helpdesk.accounts.models import Organisation, User


@pytest.fixture
def people(app, demo_people):
    return demo_people


@pytest.fixture
def foreigner(app, demo_people):
    """The portal admin of another organisation."""
    with app.app_context():
        other = Organisation.create(name="Fremd AG", case_visibility="everyone")
        return User.create(
            email="fritz@fremd.example",
            name="Fritz Fremd",
            kind="customer",
            organisation=other,
            customer_role="portal_admin",
            support_authorised=True,
        )


@pytest.fixture
def make_token(app):
    """``make_token(user, *scopes, days=30)``: a new token's secret, made by the service."""
    from helpdesk.api import tokens
    from helpdesk.timeutil import utcnow

    def make(user, *scopes, days=30):
        with app.app_context():
            secret, _token = tokens.create(
                user, "test", utcnow().date() + timedelta(days=days), scopes or ["cases:read"]
            )
        return secret

    return make


def audit_rows(app, action):
    from helpdesk.audit import AuditLog

    with app.app_context():
        return list(AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id))
