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
