"""The permission matrix: every route of the app x every role x own and foreign organisation.

``ACCESS`` below names, for every endpoint, the roles that may use it; everyone else gets a
404 (or the sign-in page when signed out). The routes come from the app's URL map, so a new
route without a row in ``ACCESS`` fails ``test_every_route_has_a_rule``: add one line.

Every URL argument is filled with an object of the world ``build_world`` makes: ``OBJECT_OF``
says which object an argument names, ``OBJECT_OF_ENDPOINT`` where an endpoint gives an
argument a meaning of its own (``pk``, ``user_id``, a mailed ``secret`` or ``token``). For a
route with an object of an organisation in its URL (a case's call id, a file, an invitation,
a user), each role tries the object of the demo organisation "Muster GmbH" and of "Fremd AG";
a customer only ever reaches their own organisation's (PERM-1), agents reach both. Every
method is tried: a POST without a CSRF token is a 400 whoever sends it; with a token, a role
that may not use the route gets a 404 (or 403), one that may gets its answer (a page, a
redirect or a 422 for the empty form). ``test_get_changes_nothing`` walks every GET the same
way and compares every table of ``ALL_MODELS`` before and after each request.

The app is the core without vendor plugins: the five vendor plugins add no routes.
"""

import io
import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from werkzeug.datastructures import MultiDict

from helpdesk import demo
from helpdesk.accounts import profile, tokens
from helpdesk.accounts.invitations import Invitation
from helpdesk.accounts.models import Approval, Organisation, OrganisationDomain, Team, User
from helpdesk.accounts.passwords import hash_password
from helpdesk.accounts.tokens import AccountToken, Purpose
from helpdesk.admin import settings
from helpdesk.api import tokens as api_tokens
from helpdesk.api.models import Webhook
from helpdesk.cases import exporting, files, service, uploads
from helpdesk.cases.models import Attachment, Case
from helpdesk.contracts import agreement, billing
from helpdesk.contracts import service as contracts
from helpdesk.development.models import DevelopmentItem
from helpdesk.mail.inbound import intake
from helpdesk.mail.inbound.models import InboundMessage, InboundState
from helpdesk.mail.models import OutboxMessage
from helpdesk.models import ALL_MODELS
from helpdesk.organisations import service as organisations
from helpdesk.products.models import Component, Product, ProductVersion
from helpdesk.survey import service as survey
from helpdesk.timeutil import utcnow
from tests.conftest import DEMO_PASSWORD

#: Who each role is: a demo person, or the portal admin of a second organisation.
ROLES = {
    "anonymous": None,
    "member": "mia.member@muster.example",
    "main_contact": "martin.main@muster.example",
    "portal_admin": "paula.portal@muster.example",
    "foreign_customer": "frida.fremd@fremd.example",
    "agent": "erik.first@vendor.example",
    "manager": "tom.third@vendor.example",  # an agent who manages a team
    "admin_agent": "ada.admin@vendor.example",
}
ANYONE = frozenset(ROLES)
SIGNED_IN = ANYONE - {"anonymous"}
CUSTOMERS = frozenset({"member", "main_contact", "portal_admin", "foreign_customer"})
AGENTS = frozenset({"agent", "manager", "admin_agent"})
ADMINS = frozenset({"admin_agent"})
#: Each the portal admin of their own organisation (Muster GmbH, Fremd AG).
PORTAL_ADMINS = frozenset({"portal_admin", "foreign_customer"})
#: Who manages an organisation's users (ACC-4): its portal admin, and the vendor's admins.
USER_MANAGERS = PORTAL_ADMINS | ADMINS
#: Who turns a second factor on (ACC-1): agents and portal admins.
SECOND_FACTOR = AGENTS | PORTAL_ADMINS
#: Who decides on registrations at unknown domains (ACC-3): vendor admins and team managers.
DECIDERS = ADMINS | {"manager"}
#: Who reads reports (issue 17): agents, and customers who see all their organisation's cases.
REPORT_READERS = AGENTS | {"main_contact", "portal_admin", "foreign_customer"}
#: Who publishes knowledge articles: vendor admins and team managers.
PUBLISHERS = ADMINS | {"manager"}

# fmt: off
#: endpoint -> the roles that may use it. Customers reach only their own organisation's
#: objects on any route; that needs no row of its own.
ACCESS = {
    "static":                     ANYONE,
    "health.health":              ANYONE,
    "home.index":                 ANYONE,     # sends each to their start page or to sign in
    "accounts.sign_in":           ANYONE,
    "accounts.second_factor":     ANYONE,     # no password given just now: back to sign in
    "accounts.language":          ANYONE,
    "accounts.sign_out":          SIGNED_IN,
    "accounts.sign_out_everywhere": SIGNED_IN,
    "reset.forgot":               ANYONE,
    "reset.reset":                ANYONE,     # the mailed secret is the permission
    "registration.register":      ANYONE,     # the signed in are sent to their start page
    "registration.confirm":       ANYONE,     # the mailed secret is the permission
    "registration.pending":       DECIDERS,
    "registration.approve":       DECIDERS,
    "registration.reject":        DECIDERS,
    "invitations.index":          PORTAL_ADMINS,
    "invitations.revoke":         PORTAL_ADMINS,
    "invitations.accept":         ANYONE,     # the mailed secret is the permission
    "two_factor.index":           SECOND_FACTOR,
    "two_factor.setup":           SECOND_FACTOR,
    "two_factor.confirm":         SECOND_FACTOR,  # no code being set up: back to the page
    "two_factor.disable":         SECOND_FACTOR,
    "two_factor.renew_recovery_codes": SECOND_FACTOR,
    "profile.edit":               SIGNED_IN,
    "profile.picture":            SIGNED_IN,
    "profile.remove_picture":     SIGNED_IN,
    "profile.show_picture":       SIGNED_IN,  # a customer sees their colleagues' and agents'
    "organisation.users":         PORTAL_ADMINS,
    "organisation.admin_users":   ADMINS,
    "organisation.rights":        USER_MANAGERS,
    "organisation.disable":       USER_MANAGERS,
    "organisation.enable":        USER_MANAGERS,
    "organisation.remove":        USER_MANAGERS,
    "organisation.profile":       PORTAL_ADMINS,
    "organisation.add_news":      PORTAL_ADMINS,
    "organisation.remove_news":   PORTAL_ADMINS,
    "organisation.confirm_news":  ANYONE,     # the mailed token is the permission
    "organisation.audit_log":     USER_MANAGERS,  # a portal admin reads their organisation's
    "home.customer":              CUSTOMERS,
    "home.agent":                 AGENTS,
    "cases.index":                SIGNED_IN,  # agents are sent on to the queue
    "cases.queue":                AGENTS,
    "cases.next_case":            AGENTS,
    "cases.columns":              SIGNED_IN,
    "cases.export":               SIGNED_IN,
    # a large export is fetched by the person who asked alone: each side's portal admin
    "cases.export_page":          PORTAL_ADMINS,
    "cases.export_file":          PORTAL_ADMINS,
    "cases.new":                  SIGNED_IN,  # agents are sent on to the phone form
    "cases.new_phone":            AGENTS,
    "cases.new_fields":           SIGNED_IN,
    "cases.detail":               SIGNED_IN,
    "cases.attachment":           SIGNED_IN,
    "cases.add_message":          SIGNED_IN,
    "cases.follow":               SIGNED_IN,
    "cases.unfollow":             SIGNED_IN,
    "cases.reopen":               SIGNED_IN,
    "cases.follow_up":            SIGNED_IN,
    "cases.change_field":         AGENTS,
    "cases.move_status":          AGENTS,
    "cases.assign":               AGENTS,
    "cases.save_properties":      AGENTS,
    "lifecycle.confirm":          SIGNED_IN,  # an agent is told only the customer confirms
    "lifecycle.escalate":         SIGNED_IN,
    "lifecycle.hand_over":        AGENTS,
    "lifecycle.link_development": AGENTS,
    "sla.resubmission":           AGENTS,
    "development.index":          AGENTS,
    "development.publish":        AGENTS,
    "survey.answer":              ANYONE,     # the mailed token is the permission
    "survey.report":              AGENTS,
    "outbox.index":               ADMINS,
    "outbox.resend":              ADMINS,
    "inbound.index":              ADMINS,
    "inbound.detail":             ADMINS,
    "inbound.raw":                AGENTS,     # the original of a case's mail; admins: any mail
    "inbound.accept":             ADMINS,
    "inbound.refuse":             ADMINS,
    "inbound.retry":              ADMINS,
    "sla.calendar":               ADMINS,
    "sla.reset_calendar":         ADMINS,
    "admin.agents":               ADMINS,
    "admin.agent":                ADMINS,
    "admin.teams":                ADMINS,
    "admin.rename_team":          ADMINS,
    "admin.products":             ADMINS,
    "admin.product":              ADMINS,
    "admin.add_version":          ADMINS,
    "admin.update_version":       ADMINS,
    "admin.version_up":           ADMINS,
    "admin.version_down":         ADMINS,
    "admin.add_component":        ADMINS,
    "admin.rename_component":     ADMINS,
    "admin.organisations":        ADMINS,
    "admin.organisation":         ADMINS,
    "admin.add_domain":           ADMINS,
    "admin.remove_domain":        ADMINS,
    # issue 16 (ux): the profile's password change
    "profile.change_password":    SIGNED_IN,
    "profile.change_email":       SIGNED_IN,
    "profile.confirm_email":      ANYONE,     # the mailed, signed token is the permission
    "cases.bulk_action":          AGENTS,
    "home.brand_css":             ANYONE,
    "home.brand_image":           ANYONE,     # a 404 until the admin uploads a picture
    "admin.settings_page":        ADMINS,
    "outbox.detail":              ADMINS,
    "outbox.html":                ADMINS,
    # Contracts and documents (issue 15): every demo customer is authorised for support.
    "contracts.mine":             SIGNED_IN,  # customers to their organisation's page
    "contracts.index":            SIGNED_IN,
    "contracts.add":              AGENTS,
    "contracts.add_file":         AGENTS,
    "contracts.contract_file":    SIGNED_IN,
    "contracts.issue":            PORTAL_ADMINS | AGENTS,  # already issued: a 422
    "contracts.signed":           PORTAL_ADMINS | AGENTS,
    "contracts.countersigned":    AGENTS,
    "contracts.agreement_file":   SIGNED_IN,
    "contracts.template":         ADMINS,
    "contracts.template_file":    ADMINS,
    "time.record":                AGENTS,
    "time.correct":               AGENTS,
    "time.start":                 AGENTS,
    "time.stop":                  AGENTS,     # no timer running: a 422
    "time.settle":                AGENTS,
    "statements.page":            SIGNED_IN,
    "statements.xlsx":            SIGNED_IN,
    "statements.pdf":             SIGNED_IN,
    "contracts.projects":         CUSTOMERS,
    # reports (issue 17): agents, and customers who see their whole organisation's cases
    "reports.dashboard":          REPORT_READERS,
    "reports.printable_page":     REPORT_READERS,
    "reports.export":             REPORT_READERS,
    "reports.pdf":                REPORT_READERS,
    # The API's pages (issue 18): one's own tokens; a portal admin's view of their people's.
    "tokens.index":               SIGNED_IN,
    "tokens.revoke":              USER_MANAGERS,  # and its owner (tests/api/test_tokens.py)
    "tokens.organisation":        PORTAL_ADMINS,
    "webhooks.index":             ADMINS,
    "webhooks.deliveries":        ADMINS,
    "webhooks.set_active":        ADMINS,
    "webhooks.remove":            ADMINS,
    "sign_in_link.open_link":     ANYONE,     # the link's secret is the permission
    # Single sign-on (issue 20)
    "sso.choose":                 ANYONE,     # the signed in are sent to their start page
    "sso.start":                  ANYONE,     # the provider is unreachable here: back to sign in
    "sso.callback":               ANYONE,     # no sign-in under way: back to sign in
    "sso.providers":              ADMINS,
    "sso.provider":               ADMINS,
    "sso.test":                   ADMINS,
    "mailboxes.index":            ADMINS,
    "mailboxes.save":             ADMINS,
    "mailboxes.test":             ADMINS,
    "mailboxes.consent":          ADMINS,     # nothing set up: back to the page
    "mailboxes.consent_done":     ADMINS,     # no consent under way: back to the page
    # operations (issue 19): the loopback address or METRICS_TOKEN, whoever is signed in
    # (the test client comes from 127.0.0.1; tests/test_observability.py checks the rest)
    "metrics.metrics":            ANYONE,
    # the knowledge base (issue 14); the matrix's article is published for everyone
    "knowledge.index":            ANYONE,
    "knowledge.search_page":      ANYONE,
    "knowledge.category":         ANYONE,
    "knowledge.article":          ANYONE,
    "knowledge.while_writing":    CUSTOMERS,  # a suggestion opened from the case form
    "knowledge.solved":           CUSTOMERS,
    "knowledge.suggestions":      SIGNED_IN,
    "knowledge.manage":           AGENTS,
    "knowledge.new":              AGENTS,
    "knowledge.edit":             AGENTS,
    "knowledge.preview":          AGENTS,
    "knowledge.change_state":     PUBLISHERS,
    "knowledge.categories":       AGENTS,
    "knowledge.add_category":     PUBLISHERS,
    "knowledge.announcements_page": AGENTS,
    "knowledge.publish_announcement": PUBLISHERS,
    "knowledge.dismiss":          CUSTOMERS,  # the matrix's announcement is for everyone
    "knowledge.unsubscribe":      ANYONE,     # the mailed token is the permission
    "knowledge.downloads_page":   ANYONE,
    "knowledge.download":         ANYONE,     # the matrix's download is public
    "knowledge.article_file":     ANYONE,     # a file of the matrix's public article
    "knowledge.manage_downloads": AGENTS,
    "knowledge.add_download":     PUBLISHERS,
    "knowledge.feedback":         SIGNED_IN,
    "knowledge.from_case":        AGENTS,
    "knowledge.propose":          CUSTOMERS,
    "knowledge.organisation_products": ADMINS,
    "knowledge.set_organisation_products": ADMINS,
    # contracts, finishing (issue 15): the planned release of a development item
    "development.plan":           AGENTS,
}
# fmt: on

#: Routes whose answer for the roles that may use them is the sign-in page.
ENDS_AT_SIGN_IN = {
    "accounts.sign_out",
    "accounts.sign_out_everywhere",
    # The code page belongs to a sign-in waiting for its second factor, a state of the session
    # no role is in: everyone else is sent (back) to sign in.
    "accounts.second_factor",
    # Single sign-on: no sign-in under way, or a provider the matrix cannot reach.
    "sso.start",
    "sso.callback",
}

#: Form fields a POST needs to be understood at all (it may still be refused as incomplete).
FORMS = {
    "accounts.language": {"language": "de"},
    # A calendar the view can store: it answers an unusable one with a 400, not a 422.
    "sla.calendar": {"timezone": "Europe/Vienna", "hours_mon": "08:00-17:00"},
    "reports.export": {"fmt": "csv"},
}


def pending_again(world) -> None:
    User.update(approval=Approval.PENDING).where(
        User.id == world.shared["pending_registration"]
    ).execute()


def sign_in_link_again(world) -> None:
    AccountToken.update(used_at=None).where(AccountToken.purpose == Purpose.SIGN_IN_LINK).execute()


#: Routes whose POST uses up the object in the URL (a rejected registration is no longer
#: pending): it is put back before each role's request, so each role that may finds it.
RENEW = {"registration.reject": pending_again, "sign_in_link.open_link": sign_in_link_again}

# fmt: off
#: What a URL argument names, on every route that has it: an object of ``World``. An object
#: every organisation has (``World.of_side``) is tried as Muster's and as Fremd's ...
OBJECT_OF = {
    "call_id":         "case",
    "attachment_id":   "attachment",
    "filename":        "attachment_name",
    "name":            "case_field",
    "invitation_id":   "invitation",
    "address_id":      "news_address",
    "organisation_id": "organisation",
    "user_id":         "organisation_user",  # a customer of each, with a picture
    "version":         "picture_version",    # ... that picture's
    "item_id":         "development_item",
    "contract_id":     "contract",
    "record_id":       "time_record",
    "token_id":        "api_token",          # a colleague's access token
    "webhook_id":      "webhook",
    "article_id":      "article",
    "category_id":     "knowledge_category",
    "announcement_id": "announcement",
}
#: ... unless the endpoint gives the argument a meaning of its own.
OBJECT_OF_ENDPOINT = {
    "static":                    {"filename": "stylesheet"},
    "home.brand_image":          {"kind": "brand_kind"},
    "outbox.resend":             {"pk": "outbox_message"},
    "outbox.detail":             {"pk": "outbox_message"},
    "outbox.html":               {"pk": "outbox_message"},
    "profile.confirm_email":     {"token": "email_token"},
    "inbound.detail":            {"pk": "held_mail"},
    "inbound.raw":               {"pk": "case_mail"},
    "inbound.accept":            {"pk": "held_mail"},
    "inbound.refuse":            {"pk": "held_mail"},
    "inbound.retry":             {"pk": "failed_mail"},
    "admin.agent":               {"pk": "agent"},
    "admin.rename_team":         {"pk": "team"},
    "admin.product":             {"pk": "product"},
    "admin.add_version":         {"pk": "product"},
    "admin.add_component":       {"pk": "product"},
    "admin.update_version":      {"pk": "product_version"},
    "admin.version_up":          {"pk": "product_version"},
    "admin.version_down":        {"pk": "product_version"},
    "admin.rename_component":    {"pk": "component"},
    "admin.organisation":        {"pk": "organisation"},
    "admin.add_domain":          {"pk": "organisation"},
    "admin.remove_domain":       {"pk": "domain"},
    "registration.approve":      {"user_id": "pending_registration"},
    "registration.reject":       {"user_id": "pending_registration"},
    "registration.confirm":      {"secret": "confirm_secret"},
    "reset.reset":               {"secret": "reset_secret"},
    "invitations.accept":        {"secret": "invitation_secret"},
    "organisation.confirm_news": {"token": "news_token"},
    "survey.answer":             {"token": "survey_token"},
    "contracts.contract_file":   {"file_id": "contract_file"},
    "contracts.agreement_file":  {"file_id": "agreement_file"},
    "reports.export":            {"key": "report_figure"},
    "cases.export_page":         {"key": "case_export"},
    "cases.export_file":         {"key": "case_export"},
    "sign_in_link.open_link":    {"secret": "sign_in_secret"},
    "sso.start":                 {"pk": "sign_in_provider"},
    "sso.provider":              {"pk": "sign_in_provider"},
    "sso.test":                  {"pk": "sign_in_provider"},
    "mailboxes.save":            {"purpose": "mail_purpose"},
    "mailboxes.test":            {"purpose": "mail_purpose"},
    "mailboxes.consent":         {"purpose": "mail_purpose"},
    "knowledge.unsubscribe":     {"token": "unsubscribe_token"},
    "knowledge.download":        {"download_id": "download", "filename": "download_name"},
    "knowledge.article_file":    {"file_id": "article_file", "filename": "article_file_name"},
}
# fmt: on

SIDES = ("Muster GmbH", "Fremd AG")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(out, format="PNG")
    return out.getvalue()


@dataclass
class World:
    """The people and objects the matrix uses, as plain values (no rows leak between
    requests)."""

    users: dict  # role -> User or None
    organisations: dict  # side -> organisation id
    of_side: dict  # object name -> side -> value: each organisation has one
    shared: dict  # object name -> value: the vendor's objects, and mailed secrets

    def value(self, name: str, side: str | None):
        if name in self.of_side:
            return self.of_side[name].get(side)
        return self.shared.get(name)


def brand_logo() -> str:
    """A logo the admin uploaded (``/brand/logo`` answers 404 without one)."""
    admin = User.get(User.email == ROLES["admin_agent"])
    settings.save(admin, two_factor_for_agents=False, name="", colour="", uploads={"logo": png()})
    return "logo"


def build_world(app) -> World:
    with app.app_context():
        demo.load(password=DEMO_PASSWORD)
        fremd = Organisation.create(name="Fremd AG", case_visibility="everyone")
        OrganisationDomain.create(organisation=fremd, domain="fremd.example")
        User.create(
            email=ROLES["foreign_customer"],
            name="Frida Fremd",
            kind="customer",
            organisation=fremd,
            customer_role="portal_admin",
            support_authorised=True,
            sees_all_correspondence=True,
        )
        users = {
            role: (User.get(User.email == email) if email else None)
            for role, email in ROLES.items()
        }
        # side -> (requester of its case, its portal admin, a colleague's address)
        frida = users["foreign_customer"]
        people = {
            "Muster GmbH": (users["member"], users["portal_admin"], "otto@muster.example"),
            "Fremd AG": (frida, frida, "fritz@fremd.example"),
        }
        of_side, mailed = {}, {}
        for side, (requester, portal_admin, colleague) in people.items():
            objects, mailed[side] = organisation_objects(side, requester, portal_admin, colleague)
            for name, value in objects.items():
                of_side.setdefault(name, {})[side] = value
        product = Product.select().order_by(Product.id).first()
        shared = {
            "case_field": "priority",
            "stylesheet": "css/portal.css",
            "brand_kind": brand_logo(),
            "outbox_message": OutboxMessage.select().first().id,
            "agent": User.get(User.email == "sara.second@vendor.example").id,
            "team": Team.select().first().id,
            "product": product.id,
            "product_version": ProductVersion.get(ProductVersion.product == product).id,
            "component": Component.get(Component.product == product).id,
            "development_item": DevelopmentItem.create(key="DEV-1", title="A fix").id,
            "webhook": Webhook.create(
                url="https://erp.example/", events="case.opened", secret="x"
            ).id,
            **knowledge_objects(),
            **self_registrations(),
            **mail_for_admins(),
            "sign_in_provider": sign_in_provider(users["admin_agent"]),
            "mail_purpose": "imap",
            # A mailed secret is the permission, whoever holds it: Muster's stand for all.
            **mailed["Muster GmbH"],
        }
        return World(
            users=users,
            organisations={side: r.organisation_id for side, (r, _, _) in people.items()},
            of_side=of_side,
            shared=shared,
        )


def knowledge_objects() -> dict:
    """A published public article in a category with an image, an announcement for every
    customer and an unsubscribe link (the knowledge base, issue 14)."""
    from helpdesk.knowledge.announcements import unsubscribe_token
    from helpdesk.knowledge.models import Announcement, Article, ArticleFile, Category, Download

    category = Category.create(key="howto", name_de="Anleitungen", name_en="How-tos")
    article = Article.create(
        category=category, audience="public", state="published", title_de="Hilfe"
    )
    announcement = Announcement.create(kind="newsletter", title_de="Neu", title_en="New")
    kept = files.store("handbuch.pdf", PDF)
    download = Download.create(
        kind="documentation",
        product=Product.select().order_by(Product.id).first(),
        audience="public",
        title_de="Handbuch",
        filename=kept.filename,
        stored_name=kept.stored_name,
        content_type=kept.content_type,
        size=kept.size,
        sha256=kept.sha256,
    )
    image = files.store("bild.png", png())
    article_file = ArticleFile.create(article=article, **asdict(image))
    return {
        "article": article.id,
        "article_file": article_file.id,
        "article_file_name": article_file.filename,
        "knowledge_category": category.id,
        "announcement": announcement.id,
        "download": download.id,
        "download_name": download.filename,
        "unsubscribe_token": unsubscribe_token("otto@muster.example"),
    }


def prepared_export(user) -> str:
    """The key of a large export ``user`` asked for, prepared by its job."""
    cases = exporting.CaseList(user, MultiDict({"status": "all"}))
    export = exporting.start(user, "csv", MultiDict(), cases, ZoneInfo("Europe/Vienna"))
    exporting.prepare(export.id)
    return export.key


def organisation_objects(side, requester, portal_admin, colleague) -> tuple[dict, dict]:
    """An organisation's objects (name -> value) and the secrets mailed about them."""
    organisation = requester.organisation
    pending = uploads.pending_upload(requester, files.store("screen.pdf", PDF))
    case = service.open_case(
        service.NewCase(
            requester=requester,
            product=Product.select().first(),
            subject=f"Case of {side}",
            description="Something fails.",
            case_type="fault",
            severity="normal",
        ),
        [pending],
    )
    attachment = Attachment.get(Attachment.case == case.id)
    survey.send_survey(case)
    mail = simple_mail(requester.email, f"Mail of {side}", f"<{requester.id}@customer.example>")
    case_mail = intake.receive(mail, "pipe").message  # opens a case of the organisation
    # A colleague for the user pages, with a picture for the picture route.
    other = User.create(
        email=colleague,
        name=f"Colleague at {side}",
        kind="customer",
        organisation=organisation,
        customer_role="member",
    )
    profile.set_picture(other, other, png())
    reset_secret, _token = tokens.issue(Purpose.RESET, timedelta(hours=1), other)
    sign_in_secret, _token = tokens.issue(Purpose.SIGN_IN_LINK, timedelta(minutes=5), other)
    # An invitation as ``invitations.invite`` makes it, keeping the secret it mails.
    invitation_secret, token = tokens.issue(Purpose.INVITATION, timedelta(days=7))
    invitation = Invitation.create(
        token=token,
        organisation=organisation,
        inviter=portal_admin,
        email="invited." + colleague,
        name="Invited Person",
        role="member",
    )
    news = organisations.add_news_address(portal_admin, organisation, "news." + colleague)
    _secret, api_token = api_tokens.create(
        other, "ERP", utcnow().date() + timedelta(days=9), ["cases:read"]
    )
    objects = {
        "case": case.call_id,
        "attachment": attachment.id,
        "attachment_name": attachment.filename,
        "organisation": organisation.id,
        "domain": OrganisationDomain.get(OrganisationDomain.organisation == organisation).id,
        "organisation_user": other.id,
        "picture_version": other.picture_version,
        "invitation": invitation.id,
        "news_address": news.id,
        "case_mail": case_mail.id,
        **contract_objects(organisation),
        "api_token": api_token.id,
        "case_export": prepared_export(portal_admin),
    }
    secrets = {
        "reset_secret": reset_secret,
        "sign_in_secret": sign_in_secret,
        "invitation_secret": invitation_secret,
        "news_token": organisations.news_token(news),
        "email_token": "not-a-valid-email-change-token",  # the page asks before it changes
        "survey_token": survey.token_for(case),
        "report_figure": "open_by_status",
    }
    return objects, secrets


def contract_objects(organisation) -> dict:
    """A contract with a file and an issued agreement of the organisation (issue 15)."""
    agent = User.get(User.email == ROLES["agent"])
    if agreement.template() is None:
        agreement.upload_template(User.get(User.email == ROLES["admin_agent"]), "t.pdf", pdf())
    contract = contracts.add_contract(
        agent, organisation, kind="maintenance", title="Wartung", starts_on=date(2026, 1, 1)
    )
    return {
        "contract": contract.id,
        "contract_file": contracts.attach_file(agent, contract, "v.pdf", pdf()).id,
        "agreement_file": agreement.issue(agent, organisation).id,
        "time_record": billing.record_time(
            agent, Case.get(Case.organisation == organisation.id), minutes=5, activity="Call"
        ).id,
    }


def pdf() -> bytes:
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    return bytes(document.output())


def simple_mail(sender: str, subject: str, message_id: str) -> bytes:
    return (
        f"From: {sender}\nTo: support@vendor.example\nSubject: {subject}\n"
        f"Message-ID: {message_id}\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n\nPlease help.\n"
    ).encode()


def mail_for_admins() -> dict:
    """Inbound mail waiting for an admin: one held, one that failed."""
    # An agent's mail that answers no case is held whatever MAIL_UNKNOWN_SENDERS says.
    held = simple_mail("sara.second@vendor.example", "Hello", "<held@vendor.example>")
    failed = simple_mail("someone@elsewhere.example", "Hello", "<failed@elsewhere.example>")
    return {
        "held_mail": intake.receive(held, "pipe").message.id,
        "failed_mail": InboundMessage.create(
            message_id="<failed@elsewhere.example>",
            source="pipe",
            sender="someone@elsewhere.example",
            subject="Hello",
            state=InboundState.FAILED,
            reason="RuntimeError: the disk was full",
            raw=failed,
        ).id,
    }


def sign_in_provider(admin) -> int:
    """A single sign-on provider at an address where nothing answers (port 9, discard)."""
    from helpdesk.identity import service as identity

    values = {"name": "Nowhere ID", "issuer": "http://127.0.0.1:9", "client_id": "portal"}
    values |= {"allowed_domains": "vendor.example", "user_claim": "email", "agents_from": ""}
    values |= {"customers": False, "emails_verified": False, "trust_mfa": False, "active": True}
    return identity.create_provider(admin, values, "client-secret").id


def self_registrations() -> dict:
    """Registrations at an unknown domain: one to confirm by its secret, one to approve."""
    unconfirmed = User.create(
        email="ulla.unconfirmed@elsewhere.example",
        name="Ulla Unconfirmed",
        kind="customer",
        password_hash=hash_password(DEMO_PASSWORD),
        approval=Approval.UNCONFIRMED,
    )
    confirm_secret, _token = tokens.issue(Purpose.CONFIRM, timedelta(hours=1), unconfirmed)
    waiting = User.create(
        email="paul.pending@elsewhere.example",
        name="Paul Pending",
        kind="customer",
        email_confirmed_at=utcnow(),
        approval=Approval.PENDING,
    )
    return {"confirm_secret": confirm_secret, "pending_registration": waiting.id}


def objects_of(rule) -> dict:
    """URL argument -> the name of the object of ``World`` it names on this route."""
    own = OBJECT_OF_ENDPOINT.get(rule.endpoint, {})
    return {argument: own.get(argument, OBJECT_OF.get(argument)) for argument in rule.arguments}


def url_for_rule(rule, world: World, side: str | None, given: dict | None = None) -> str:
    """The rule's URL with every argument filled from ``world`` (objects of ``side``), or
    with the URL text ``given`` names for it."""
    objects = objects_of(rule)

    def fill(match):
        argument = match.group(1)
        if given and argument in given:
            return given[argument]
        name = objects[argument]
        value = world.value(name, side) if name else None
        assert value is not None, f"no value for <{argument}> in {rule.rule} ({rule.endpoint})"
        return quote(str(value))

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", fill, rule.rule)


def sides_of(rule, world: World) -> tuple:
    """Both organisations when the route names an object of one, else just once."""
    return SIDES if set(objects_of(rule).values()) & set(world.of_side) else (None,)


def methods_of(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def client_for(app, world: World, role: str):
    client = app.test_client()
    user = world.users[role]
    return client.sign_in_as(user) if user is not None else client


def outcome(response) -> str:
    """What a response amounts to: ok, refused (403/404), sign-in, or the status itself."""
    status = response.status_code
    if status in (302, 303) and urlsplit(response.location).path == "/sign-in":
        return "sign-in"
    if status in (403, 404):
        return "refused"
    if status < 400 or status in (422, 429):
        return "ok"
    return str(status)


def expected(endpoint: str, role: str, world: World, side: str | None) -> set[str]:
    allowed = ACCESS[endpoint]
    if role not in allowed:
        return {"sign-in"} if role == "anonymous" else {"refused"}
    user = world.users[role]
    if (
        side is not None
        and role not in AGENTS
        and user.organisation_id != world.organisations[side]
    ):
        return {"refused"}  # another organisation's object: as if it did not exist
    if role == "anonymous":
        return {"ok", "sign-in"}  # a public route may still send a visitor to sign in
    return {"sign-in"} if endpoint in ENDS_AT_SIGN_IN else {"ok"}


def rules_of(app, endpoint: str):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]


def test_every_route_has_a_rule(app):
    # The API's routes answer tokens, not sign-ins: their rows are in tests/api/test_api_matrix.py.
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if not r.endpoint.startswith("api.")}
    missing = sorted(endpoints - set(ACCESS))
    assert not missing, (
        "routes without a row in ACCESS of tests/test_permission_matrix.py (say who may "
        f"use them): {missing}"
    )
    gone = sorted(set(ACCESS) - endpoints)
    assert not gone, f"ACCESS names endpoints the app no longer has: {gone}"


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_permission_matrix(app, endpoint):
    world = build_world(app)
    rules = rules_of(app, endpoint)
    if not rules:
        pytest.skip(f"{endpoint} is not a route of this app")
    wrong = []
    for rule in rules:
        for side in sides_of(rule, world):
            url = url_for_rule(rule, world, side)
            for method in methods_of(rule):
                data = FORMS.get(endpoint, {})
                for role in ROLES:
                    if method != "GET":
                        bare = client_for(app, world, role).open(
                            url, method=method, data=data, csrf=False
                        )
                        if bare.status_code != 400:
                            wrong.append(
                                f"{method} {url} as {role} without CSRF token: {bare.status_code}"
                            )
                    if endpoint in RENEW:
                        with app.app_context():
                            RENEW[endpoint](world)
                    response = client_for(app, world, role).open(url, method=method, data=data)
                    want = expected(endpoint, role, world, side)
                    got = outcome(response)
                    if got not in want:
                        wrong.append(
                            f"{method} {url} as {role}: {got} ({response.status_code}), "
                            f"expected {' or '.join(sorted(want))}"
                        )
    assert not wrong, "\n".join(wrong)


def snapshot() -> dict:
    """Every row of every table, to compare before and after a request."""
    return {
        model.__name__: sorted(map(_comparable, model.select().tuples())) for model in ALL_MODELS
    }


def _comparable(row: tuple) -> str:
    # PostgreSQL hands binary columns out as memoryviews, whose repr is their address.
    return repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))


#: The tables a GET may change, by endpoint, and why.
COUNTED_ON_GET = {
    # An article page counts its reading when it is rendered (once per session), on the
    # server, so that readers without JavaScript count too; a customer's reading is kept for
    # the agents' "read before writing" (the knowledge base, issue 14). Nothing else changes.
    "knowledge.article": {"Article", "ArticleRead"},
    # An export of data writes its audit row (the audit log misses nothing, issue 17).
    "cases.export": {"AuditLog"},
}


def test_get_changes_nothing(app):
    """No GET changes state: every GET route, as every role, leaves every table as it was
    (but for the counted readings and audited exports of ``COUNTED_ON_GET``)."""
    world = build_world(app)
    changed = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        for side in sides_of(rule, world):
            url = url_for_rule(rule, world, side)
            for role in ROLES:
                client = client_for(app, world, role)  # signing in writes a sign-in record
                with app.app_context():
                    before = snapshot()
                client.get(url)
                with app.app_context():
                    after = snapshot()
                counted = COUNTED_ON_GET.get(rule.endpoint, set())
                tables = [
                    name for name in before if before[name] != after[name] and name not in counted
                ]
                if tables:
                    changed.append(f"GET {url} as {role} changed {tables}")
    assert not changed, "\n".join(changed)
