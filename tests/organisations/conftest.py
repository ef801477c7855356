"""Fixtures for the organisation's administration: the demo data and a second organisation."""

import pytest

from helpdesk.accounts.models import Organisation, User


@pytest.fixture
def people(app, demo_people):
    return demo_people


@pytest.fixture
def fresh(app):
    """``fresh(user)``: the user as stored now."""

    def load(user):
        with app.app_context():
            return User.get_by_id(user.id)

    return load


@pytest.fixture
def foreigner(app, demo_people):
    """A member of another organisation."""
    with app.app_context():
        other = Organisation.create(name="Fremd AG")
        return User.create(
            email="fritz@fremd.example",
            name="Fritz Fremd",
            organisation=other,
            customer_role="member",
        )


def audit_rows(app, action=None):
    from helpdesk.audit import AuditLog

    with app.app_context():
        query = AuditLog.select().order_by(AuditLog.id)
        if action:
            query = query.where(AuditLog.action == action)
        return list(query)
