"""Mail from a person of a deactivated organisation (issue 12, item 4) opens nothing and
joins nothing: it is held for an admin, unanswered, and the organisation's data stays."""

import pytest

from helpdesk.accounts.models import Organisation
from helpdesk.cases.models import Case, Event
from helpdesk.mail.inbound.models import InboundState
from tests.mail.inbound.helpers import simple_mail

MIA = "Mia Member <mia.member@muster.example>"


@pytest.mark.parametrize("reply", [False, True], ids=["new case", "reply"])
def test_mail_from_a_deactivated_organisation_is_held(app, world, smtp_server, reply):
    with app.app_context():
        Organisation.update(is_active=False).where(Organisation.name == "Muster GmbH").execute()
        subject = f"Re: [#{world.case.call_id}] Drucker" if reply else "Neues Problem"
        cases, events = Case.select().count(), Event.select().count()
        outcome = world.receive(simple_mail(MIA, subject, "Bitte noch einmal."))
        assert outcome.state == InboundState.HELD
        assert "deactivated" in outcome.message.reason
        assert (Case.select().count(), Event.select().count()) == (cases, events)
        # The same mail from an active organisation's person is taken: the test can fail.
        Organisation.update(is_active=True).where(Organisation.name == "Muster GmbH").execute()
        again = world.receive(simple_mail(MIA, subject, "Bitte.", message_id="<again@m.example>"))
        assert again.state == InboundState.TAKEN
