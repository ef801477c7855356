"""Every mail shape of the corpus (tests/mail/corpus/*.eml) against its expected outcome in
``expected.json``: which state, whether it joins the open case or opens one, what the text
shows and hides, which attachments are kept (and which the reason names as not kept), whether
the sender is answered."""

import json

import pytest

from helpdesk.cases.models import Attachment, Case, Channel, Event
from helpdesk.mail.inbound.models import InboundMessage
from tests.mail.inbound.helpers import CORPUS

EXPECTED = json.loads((CORPUS / "expected.json").read_text())


def test_every_corpus_file_has_an_expectation():
    assert sorted(p.name for p in CORPUS.glob("*.eml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_mail(name, app, world, smtp_server):
    expected = EXPECTED[name]
    with app.app_context():
        events_before = Event.select().where(Event.case == world.case).count()
        cases_before = Case.select().count()
        mails_before = len(smtp_server.messages)
        outcome = world.receive(world.corpus(name), source="imap")

        assert outcome.state == expected["state"], outcome.reason
        row = InboundMessage.get_by_id(outcome.message.id)
        assert row.state == expected["state"]
        wanted_reasons = expected.get("reason", [])
        for wanted in [wanted_reasons] if isinstance(wanted_reasons, str) else wanted_reasons:
            assert wanted in (row.reason or ""), row.reason

        joined = Event.select().where(Event.case == world.case).count() > events_before
        assert joined == bool(expected.get("joins")), "joined the case" if joined else "did not"
        if expected["state"] != "taken":
            assert Case.select().count() == cases_before
        if expected.get("joins"):
            event = row.event
            assert event.case_id == world.case.id
            assert event.author.email == expected.get("author", event.author.email)
            text = event.body
        elif expected["state"] == "taken":
            case = Case.get_by_id(row.case_id)
            assert case.id != world.case.id
            assert case.channel == Channel.MAIL
            assert case.subject == expected["subject"]
            text = case.description
        else:
            text = ""
        for wanted in expected.get("contains", ()):
            assert wanted in text
        for unwanted in expected.get("excludes", ()):
            assert unwanted not in text
        if "attachments" in expected:
            kept = Attachment.select().where(Attachment.case == row.case_id)
            assert sorted(a.filename for a in kept) == expected["attachments"]

    answers = [m for m in smtp_server.messages[mails_before:] if "support" in m["Subject"]]
    assert bool(answers) == bool(expected.get("answered"))


def test_the_same_message_id_twice_is_stored_once(app, world):
    with app.app_context():
        first = world.receive(world.corpus("thunderbird_new.eml"))
        again = world.receive(world.corpus("thunderbird_new.eml"))
        assert not first.duplicate and again.duplicate
        assert again.message.id == first.message.id
        assert InboundMessage.select().count() == 1
        assert (
            Case.select().where(Case.subject == "Drucker druckt keine Überweisungen").count() == 1
        )
