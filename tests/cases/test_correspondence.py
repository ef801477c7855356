"""The correspondence rule (PERM-3) as seed 001's plugin configures it, in every place a
message could show: the case page, its htmx partial, file downloads, search, exports and the
recipients that mail follows. Also who sees which cases under seeds 001 and 002 (PERM-2) and
who may open cases (the ``helpdesk_may_open_case`` hook).

Seed 001 (``erp_portal``): every support-authorised person sees all of the organisation's
cases, but reads a message only if they wrote or received it, unless they may see all
correspondence (the demo's portal admin Paula may; Martin, Alma and Mia may not).
"""

import json

import pytest

from helpdesk.accounts.models import CaseVisibility, Organisation, User
from helpdesk.cases import access, files, service, uploads
from helpdesk.cases.models import Attachment, Event, EventRecipient
from helpdesk.hookspecs import hookimpl
from helpdesk.mail.models import OutboxMessage
from helpdesk.products.models import Product
from tests.cases.test_attachments import PDF, file_url
from tests.cases.test_lists import Browser

SECRET = "Zugangsdaten Kassiopeia"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def app(make_app):
    return make_app("erp_portal")


@pytest.fixture
def browse(app, ctx):
    return lambda who: Browser(app, ctx[who])


@pytest.fixture
def case(ctx):
    """Mia's case, and support's reply to her with a file: a message Martin did not get."""
    case = service.open_case(
        service.NewCase(
            requester=ctx["mia.member"],
            product=Product.select().first(),
            subject="Kasse druckt nicht",
            description="Seit dem Update druckt die Kasse keine Belege.",
            case_type="error",
            severity="normal",
        )
    )
    pending = uploads.pending_upload(ctx["erik.first"], files.store("zugang.pdf", PDF))
    reply = service.add_message(case, ctx["erik.first"], SECRET, [pending])
    reply_file = Attachment.get(Attachment.event == reply.id)
    return case, reply, reply_file


def test_the_reply_went_to_the_requester_only(ctx, case):
    _, reply, _ = case
    assert json.loads(reply.recipients) == [ctx["mia.member"].id]
    rows = EventRecipient.select(EventRecipient.user).where(EventRecipient.event == reply.id)
    assert [row.user_id for row in rows] == [ctx["mia.member"].id]


def test_colleague_sees_the_case_but_a_placeholder_for_the_message(ctx, browse, case):
    case, _, reply_file = case
    martin = browse("martin.main")
    assert case.call_id in martin.html("/cases")  # the list: every support-authorised person
    for page in (
        martin.html(f"/cases/{case.call_id}"),
        martin.html(f"/cases/{case.call_id}", headers=HTMX),  # the partial htmx swaps in
    ):
        assert "Seit dem Update druckt" in page  # the case itself is no correspondence
        assert "A message between support and a colleague." in page
        assert SECRET not in page
        assert "zugang.pdf" not in page
        assert "/attachments/" not in page
    assert martin.get(file_url(case, reply_file)).status_code == 404


def test_writer_receiver_and_who_may_see_all_read_it(ctx, browse, case):
    case, _, reply_file = case
    for who in ("mia.member", "paula.portal", "erik.first"):
        page = browse(who).html(f"/cases/{case.call_id}")
        assert SECRET in page and "zugang.pdf" in page, who
        assert "A message between support and a colleague." not in page, who
        assert browse(who).get(file_url(case, reply_file)).status_code == 200, who


def test_following_brings_the_next_messages_not_the_earlier_ones(ctx, browse, case):
    case, _, _ = case
    service.follow(case, ctx["martin.main"])
    service.add_message(case, ctx["erik.first"], "Bitte Drucker neu starten")
    service.add_message(case, ctx["martin.main"], "Martin fragt nach")
    page = browse("martin.main").html(f"/cases/{case.call_id}")
    assert "Bitte Drucker neu starten" in page and "Martin fragt nach" in page
    assert SECRET not in page
    # Mia received Martin's message (she is the requester); Alma, a bystander, read nothing
    assert "Martin fragt nach" in browse("mia.member").html(f"/cases/{case.call_id}")
    alma = browse("alma.admin").html(f"/cases/{case.call_id}")
    assert alma.count("A message between support and a colleague.") == 3


def test_search_never_finds_a_case_by_a_message_one_may_not_read(ctx, browse, case):
    case, _, _ = case
    assert browse("martin.main").call_ids("/cases?q=Kassiopeia") == []
    assert browse("martin.main").call_ids("/cases?q=Kasse+druckt") == [case.call_id]
    assert browse("martin.main").call_ids(f"/cases?q={case.call_id}") == [case.call_id]
    # under the rule the search reads no message text at all, not even received messages
    assert browse("mia.member").call_ids("/cases?q=Kassiopeia") == []
    assert browse("paula.portal").call_ids("/cases?q=Kassiopeia") == [case.call_id]


def test_exports_carry_no_message_text(ctx, browse, case):
    case, _, _ = case
    for fmt in ("csv", "xlsx"):
        response = browse("martin.main").get(f"/cases/export.{fmt}")
        assert response.status_code == 200
        data = response.get_data()
        assert case.call_id.encode() in data or fmt == "xlsx"  # xlsx is zipped
        assert b"Kassiopeia" not in data


def test_no_mail_carries_the_message_to_someone_who_did_not_receive_it(ctx, case):
    martin = ctx["martin.main"].email
    for message in OutboxMessage.select():
        if martin in json.loads(message.recipients):
            assert "Kassiopeia" not in message.raw


def test_hidden_entries_carry_no_text_from_the_database(ctx, case):
    case, reply, _ = case
    martins = {e.id: e for e in access.visible_events(ctx["martin.main"], case)}
    assert martins[reply.id].hidden and martins[reply.id].body is None
    assert martins[reply.id].recipients is None
    mias = {e.id: e for e in access.visible_events(ctx["mia.member"], case)}
    assert not mias[reply.id].hidden and mias[reply.id].body == SECRET


def test_a_message_whose_author_was_deleted_stays_withheld(ctx, case):
    """The rule compares the author with ``COALESCE(author, 0)``: once the writer's account is
    deleted the author is NULL, and a bare comparison with NULL would let the text through."""
    case, _, _ = case
    otto = User.create(email="otto.weg@vendor.example", name="Otto Weg", kind="agent")
    reply = service.add_message(case, otto, "Nur für Mia: PIN 4711")
    otto.delete_instance()
    assert Event.get_by_id(reply.id).author_id is None
    martins = {e.id: e for e in access.visible_events(ctx["martin.main"], case)}
    assert martins[reply.id].hidden and martins[reply.id].body is None
    mias = {e.id: e for e in access.visible_events(ctx["mia.member"], case)}
    assert not mias[reply.id].hidden and mias[reply.id].body == "Nur für Mia: PIN 4711"


def test_without_a_plugin_everyone_who_sees_the_case_reads_it(make_app):
    app = make_app()
    from helpdesk import demo

    with app.app_context():
        demo.load(password="demo-password-for-tests")
        mia = User.get(User.email == "mia.member@muster.example")
        martin = User.get(User.email == "martin.main@muster.example")
        agent = User.get(User.email == "erik.first@vendor.example")
        case = service.open_case(
            service.NewCase(
                requester=mia,
                product=Product.select().first(),
                subject="Drucker",
                description="Druckt nicht",
                case_type="fault",
                severity="normal",
            )
        )
        service.add_message(case, agent, SECRET)
        assert not access.under_correspondence_rule(martin)
    page = Browser(app, martin).html(f"/cases/{case.call_id}")
    assert SECRET in page


# -- Who sees which cases, who opens them (seeds 001 and 002) ----------------------------


def test_seed_001_support_authorised_people_see_every_case(ctx, case):
    case, _, _ = case
    nina = User.create(
        email="nina.neu@muster.example",
        name="Nina Neu",
        organisation=ctx["mia.member"].organisation_id,
        customer_role="member",
        support_authorised=True,
    )
    assert access.case_for(nina, case.id) is not None  # a member, but support-authorised
    User.update(support_authorised=False).where(User.id == nina.id).execute()
    # no longer: the core's rule, under which a member sees her own and followed cases
    assert access.case_for(User.get_by_id(nina.id), case.id) is None


def test_seed_001_may_see_all_correspondence_lifts_the_rule(ctx):
    assert access.under_correspondence_rule(ctx["martin.main"])
    assert not access.under_correspondence_rule(ctx["paula.portal"])
    assert not access.under_correspondence_rule(ctx["erik.first"])


def test_seed_002_organisation_setting_and_approver_roles(make_app):
    app = make_app("property_software")
    with app.app_context():
        organisation = Organisation.create(name="Haus GmbH")
        people = {
            role: User.create(
                email=f"{role}@haus.example",
                name=role,
                organisation=organisation,
                customer_role=role,
            )
            for role in ("main_contact", "administrator", "member", "portal_admin")
        }
        sees = {role: access.sees_whole_organisation(user) for role, user in people.items()}
        assert sees == {
            "main_contact": True,
            "administrator": True,
            "member": False,
            "portal_admin": False,  # no such role in seed 002
        }
        Organisation.update(case_visibility=CaseVisibility.EVERYONE).execute()
        member = User.get_by_id(people["member"].id)
        assert access.sees_whole_organisation(member)
        # every registered end user submits requests, support-authorised or not
        assert not member.support_authorised and access.may_open_case(member)
        assert not access.under_correspondence_rule(member)


def test_core_opens_cases_only_for_support_authorised_people(ctx):
    User.update(support_authorised=False).where(User.id == ctx["mia.member"].id).execute()
    mia = User.get_by_id(ctx["mia.member"].id)
    assert not access.may_open_case(mia)
    assert access.may_open_case(ctx["martin.main"])
    assert not access.may_open_case(ctx["erik.first"])  # agents open cases for a customer


@pytest.mark.hook(
    "helpdesk_sees_all_organisation_cases",
    "helpdesk_correspondence_rule",
    "helpdesk_may_open_case",
)
def test_a_plugin_can_narrow_every_rule(make_app):
    """PERM-5: a plugin's answer wins over the core's, in each direction."""

    class Strict:
        @hookimpl
        def helpdesk_sees_all_organisation_cases(self, user):
            return False

        @hookimpl
        def helpdesk_correspondence_rule(self, user):
            return True

        @hookimpl
        def helpdesk_may_open_case(self, user):
            return user.customer_role == "portal_admin"

    app = make_app(Strict())
    from helpdesk import demo

    with app.app_context():
        demo.load(password="demo-password-for-tests")
        martin = User.get(User.email == "martin.main@muster.example")
        paula = User.get(User.email == "paula.portal@muster.example")
        assert not access.sees_whole_organisation(martin)  # the core would say yes
        assert access.under_correspondence_rule(paula)  # although she may see all
        assert access.may_open_case(paula) and not access.may_open_case(martin)
        with pytest.raises(service.CaseError):
            service.open_case(
                service.NewCase(
                    requester=martin,
                    product=Product.select().first(),
                    subject="Nein",
                    description="Darf nicht",
                    case_type="fault",
                    severity="normal",
                )
            )
