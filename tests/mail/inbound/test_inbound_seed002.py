"""Seed 002: a mail opens a "user help" case with standard priority."""

import pytest

from helpdesk.cases.models import Case
from tests.mail.inbound.helpers import simple_mail


@pytest.fixture
def app(make_app, smtp_server):
    return make_app("property_software", **smtp_server.settings)


def test_a_mail_opens_a_user_help_case_with_the_standard_priority(app, world):
    with app.app_context():
        outcome = world.receive(simple_mail("mia.member@muster.example", "Wie buche ich?"))
        case = Case.get_by_id(outcome.message.case_id)
        assert (case.case_type, case.severity, case.priority) == ("user_help", "standard", "low")
