"""Announcements (KB-4, ACC-6): news an agent publishes for every customer or one product.

Publishing writes one mail per recipient to the outbox, in the same transaction: every active
information recipient of a matching organisation (in their own language) and every confirmed
news address of it (in every language, its reader being unknown), each address once, none
that unsubscribed. Each mail carries a signed unsubscribe link that works without signing in;
opening it only asks, the page's POST unsubscribes (mail scanners open every link).
Customers see an announcement on their start page until they dismiss it.
"""

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from peewee import IntegrityError

from helpdesk import audit, markdown
from helpdesk.accounts.models import Approval, Kind, Organisation, User
from helpdesk.db import db
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.inputs import parse_id
from helpdesk.knowledge.models import (
    Announcement,
    AnnouncementDismissal,
    NewsOptOut,
    OrganisationProduct,
)
from helpdesk.knowledge.rights import ensure_publisher
from helpdesk.knowledge.service import KnowledgeError
from helpdesk.mail import notify
from helpdesk.organisations.models import NewsAddress
from helpdesk.permissions import is_customer
from helpdesk.products.models import Product
from helpdesk.timeutil import utcnow

SALT = "helpdesk-news-unsubscribe"
#: Announcements a customer's start page shows at most, newest first.
SHOWN = 5


@dataclass(frozen=True)
class AnnouncementKind:
    key: str
    label: object


def kinds() -> list[AnnouncementKind]:
    """The kinds of announcement: the core's four and those of the plugins
    (``helpdesk_knowledge``)."""
    from helpdesk.knowledge.extensions import contributions

    core = [
        AnnouncementKind("release", _l("Release")),
        AnnouncementKind("warning", _l("Technical warning")),
        AnnouncementKind("event", _l("Event invitation")),
        AnnouncementKind("newsletter", _l("Newsletter")),
    ]
    known = {kind.key for kind in core}
    extra = [k for k in contributions().announcement_kinds if k.key not in known]
    return core + extra


def kind_label(key: str):
    return next((kind.label for kind in kinds() if kind.key == key), key)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(email: str) -> str:
    return _serializer().dumps(email.lower())


def address_for_token(token: str) -> str | None:
    try:
        email = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return email if isinstance(email, str) else None


def unsubscribe(email: str) -> bool:
    """No more announcements to ``email``; True when it was still subscribed."""
    try:
        with db.atomic():
            row = NewsOptOut.create(email=email.lower())
            audit.record(None, "news.unsubscribed", row, None, {"email": email.lower()})
    except IntegrityError:
        return False
    return True


def is_unsubscribed(email: str) -> bool:
    return NewsOptOut.select().where(NewsOptOut.email == email.lower()).exists()


def _organisations(product_id: int | None):
    query = Organisation.select(Organisation.id).where(Organisation.is_active)
    if product_id is not None:
        query = query.where(
            Organisation.id.in_(
                OrganisationProduct.select(OrganisationProduct.organisation).where(
                    OrganisationProduct.product == product_id
                )
            )
        )
    return query


def recipients(product_id: int | None) -> tuple[list[User], list[str]]:
    """Who gets an announcement for ``product_id`` (None: every customer): the information
    recipients, and the confirmed news addresses that are nobody's of those; each address
    once, none that unsubscribed."""
    opted_out = NewsOptOut.select(NewsOptOut.email)
    organisations = _organisations(product_id)
    users = list(
        User.select()
        .where(
            (User.kind == Kind.CUSTOMER)
            & User.information_recipient
            & User.active
            & (User.approval == Approval.APPROVED)
            & User.organisation.in_(organisations)
            & User.email.not_in(opted_out)
        )
        .order_by(User.id)
    )
    seen = {user.email.lower() for user in users}
    addresses = []
    for row in (
        NewsAddress.select(NewsAddress.email)
        .where(
            NewsAddress.confirmed_at.is_null(False)
            & NewsAddress.organisation.in_(organisations)
            & NewsAddress.email.not_in(opted_out)
        )
        .order_by(NewsAddress.id)
    ):
        if row.email.lower() not in seen:
            seen.add(row.email.lower())
            addresses.append(row.email)
    return users, addresses


def publish(actor, values: dict) -> tuple[Announcement, int]:
    """Publish an announcement from ``values`` and mail it; ``(announcement, mails)``."""
    ensure_publisher(actor)
    cleaned = {
        n: (values.get(n) or "").strip() for n in ("title_de", "title_en", "body_de", "body_en")
    }
    if not (cleaned["title_de"] or cleaned["title_en"]):
        raise KnowledgeError(_l("Give the announcement a title in German or English."), "title_de")
    if any(len(cleaned[n]) > 200 for n in ("title_de", "title_en")):
        raise KnowledgeError(_l("A title has at most 200 characters."), "title_de")
    if any(len(cleaned[n]) > 50_000 for n in ("body_de", "body_en")):
        raise KnowledgeError(_l("The text is too long."), "body_de")
    kind = values.get("kind")
    if kind not in {k.key for k in kinds()}:
        raise KnowledgeError(_l("Choose the kind of announcement."), "kind")
    product = None
    if values.get("product"):
        product_id = parse_id(str(values.get("product")))
        product = Product.get_or_none(Product.id == product_id) if product_id else None
        if product is None:
            raise KnowledgeError(_l("Choose a product."), "product")
    with db.atomic():
        announcement = Announcement.create(
            kind=kind,
            product=product.id if product else None,
            created_by=actor.id,
            published_at=utcnow(),
            **cleaned,
        )
        users, addresses = recipients(announcement.product_id)
        for user in users:
            _mail(announcement, user, user.email)
        for address in addresses:
            _mail(announcement, address, address)
        audit.record(
            actor,
            "announcement.published",
            announcement,
            None,
            {
                "kind": kind,
                "product": product.key if product else None,
                "mails": len(users) + len(addresses),
            },
        )
    return announcement, len(users) + len(addresses)


def _mail(announcement: Announcement, to, email: str) -> None:
    notify.send(
        "announcement",
        to,
        language_unknown=isinstance(to, str),
        announcement=announcement,
        kind_label=kind_label,
        plain=markdown.plain,
        unsubscribe=unsubscribe_token(email),
    )


def current_for(user) -> list[Announcement]:
    """The announcements ``user`` (a customer) has not dismissed, newest first."""
    if not is_customer(user):
        return []
    own_products = OrganisationProduct.select(OrganisationProduct.product).where(
        OrganisationProduct.organisation == user.organisation_id
    )
    dismissed = AnnouncementDismissal.select(AnnouncementDismissal.announcement).where(
        AnnouncementDismissal.user == user.id
    )
    return list(
        Announcement.select()
        .where(
            (Announcement.product.is_null() | Announcement.product.in_(own_products))
            & Announcement.id.not_in(dismissed)
        )
        .order_by(Announcement.published_at.desc(), Announcement.id.desc())
        .limit(SHOWN)
    )


def dismiss(user, announcement_id: int) -> bool:
    """``user`` has read the announcement; False when it is none of theirs."""
    if not is_customer(user):
        return False
    announcement = Announcement.get_or_none(Announcement.id == announcement_id)
    if announcement is None:
        return False
    if announcement.product_id is not None and not (
        OrganisationProduct.select()
        .where(
            (OrganisationProduct.organisation == user.organisation_id)
            & (OrganisationProduct.product == announcement.product_id)
        )
        .exists()
    ):
        return False
    try:
        with db.atomic():
            AnnouncementDismissal.create(user=user.id, announcement=announcement_id)
    except IntegrityError:
        pass  # dismissed before
    return True


def all_announcements():
    return list(Announcement.select().order_by(Announcement.id.desc()).limit(100))


def start_page(user) -> dict:
    """What a customer's start page shows of the announcements (the template's names)."""
    return {
        "announcements": current_for(user),
        "announcement_label": kind_label,
        "announcement_html": lambda text: markdown.render(text, image_prefixes=("/static/",)),
    }
