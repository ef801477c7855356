"""Fixtures for inbound mail: the demo people, a customer of another organisation, and one
open case of Mia's that replies in the corpus answer (``{CALL_ID}`` in a corpus file is
replaced by its call id). The ``app`` is the mail tests' one, sending to a real SMTP server.
"""

import pytest

from helpdesk.accounts.models import CustomerRole, Organisation, User
from helpdesk.cases import service
from helpdesk.products.models import Product
from tests.mail.inbound.helpers import MailWorld


@pytest.fixture
def world(app, demo_people):
    with app.app_context():
        other = Organisation.create(name="Other AG")
        outsider = User.create(
            email="olaf@other.example",
            name="Olaf Other",
            organisation=other,
            customer_role=CustomerRole.MEMBER,
            support_authorised=True,
        )
        policy = app.extensions["policy"]
        case = service.open_case(
            service.NewCase(
                requester=demo_people["mia.member"],
                product=Product.select().order_by(Product.id).first(),
                subject="Drucker",
                description="Der Drucker druckt nicht.",
                case_type=policy.case_types[0].key,
                severity=next(s.key for s in policy.severities if not s.needs_impact),
            )
        )
        return MailWorld(demo_people, case, outsider)
