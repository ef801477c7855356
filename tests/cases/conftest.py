"""Fixtures for case tests: an app with demo data and a helper that opens cases."""

import pytest

from helpdesk.cases import service
from helpdesk.products.models import Product


@pytest.fixture
def ctx(app, demo_people):
    """An application context with the demo data, for calling the domain directly."""
    with app.app_context():
        yield demo_people


@pytest.fixture
def open_case(ctx):
    """``open_case(requester="mia.member", **fields)``: a case through the domain function."""

    def make(requester="mia.member", **fields):
        values = {
            "requester": ctx[requester],
            "product": Product.select().first(),
            "subject": "Printing invoices fails",
            "description": "The invoice run stops with an error.",
            "case_type": "fault",
            "severity": "normal",
        }
        values.update(fields)
        return service.open_case(service.NewCase(**values))

    return make


@pytest.fixture
def foreign(ctx):
    """A second organisation with a portal admin and one case of its own (PERM-1 tests)."""
    from helpdesk.accounts.models import Organisation, User

    other = Organisation.create(name="Fremd AG", case_visibility="everyone")
    admin = User.create(
        email="frida.fremd@fremd.example",
        name="Frida Fremd",
        kind="customer",
        organisation=other,
        customer_role="portal_admin",
        support_authorised=True,
        sees_all_correspondence=True,
    )
    case = service.open_case(
        service.NewCase(
            requester=admin,
            product=Product.select().first(),
            subject="Fremder Fall",
            description="Streng vertraulich bei Fremd AG",
            case_type="fault",
            severity="normal",
        )
    )
    return {"organisation": other, "admin": admin, "case": case}
