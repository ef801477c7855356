"""Managing an organisation's users and profile, as plain functions every channel calls.

Who may: the organisation's active portal admins, and the vendor's admins (they designate
the first portal admin, seed 001). The rules (ACC-4):

- roles rank portal admin > main contact > administrator > member; nobody grants a role
  above their own (a portal admin may make another portal admin: seed 001 has the customer
  designate its portal admin, and an organisation needs a deputy);
- on themselves a manager may only lower rights, never raise them, so no one signs
  themselves up for more than they were given;
- the last active portal admin stays: not demoted, disabled or removed;
- disabling ends every sign-in of the person: they are signed out everywhere at once.

"Removing" a person never deletes them: their cases and timeline entries stay the
organisation's record (a case's requester is RESTRICT). The account is disabled and
anonymised instead: name, address, phone and picture are replaced and every right is taken,
so the address is free to be invited again. Every change is audited with before and after.
"""

import secrets

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from helpdesk import audit
from helpdesk.accounts import profile, sessions
from helpdesk.accounts.models import CaseVisibility, CustomerRole, Kind, Organisation, User
from helpdesk.db import db
from helpdesk.mail import notify
from helpdesk.organisations.models import NewsAddress
from helpdesk.permissions import may_manage_organisation
from helpdesk.timeutil import utcnow

RANK = {
    CustomerRole.MEMBER: 0,
    CustomerRole.ADMINISTRATOR: 1,
    CustomerRole.MAIN_CONTACT: 2,
    CustomerRole.PORTAL_ADMIN: 3,
}
FLAGS = ("support_authorised", "information_recipient", "sees_all_correspondence")
MAX_NEWS_ADDRESSES = 3
NEWS_SALT = "news-address-confirm"
NEWS_MAX_AGE = 7 * 24 * 3600


class RuleError(ValueError):
    """A change the rules refuse, with the reason in the user's language."""


def users_of(organisation_id: int):
    """The organisation's customer users by name, in one query."""
    return (
        User.select()
        .where((User.organisation == organisation_id) & (User.kind == Kind.CUSTOMER))
        .order_by(User.active.desc(), User.name, User.id)
    )


def _rank(user: User) -> int:
    return RANK.get(user.customer_role, 0)


def _is_last_portal_admin(user: User) -> bool:
    if user.customer_role != CustomerRole.PORTAL_ADMIN or not user.active:
        return False
    others = User.select().where(
        (User.organisation == user.organisation_id)
        & (User.customer_role == CustomerRole.PORTAL_ADMIN)
        & User.active
        & (User.id != user.id)
    )
    return not others.exists()


def _check(actor: User, user: User) -> None:
    if not may_manage_organisation(actor, user.organisation_id) or user.kind != Kind.CUSTOMER:
        raise LookupError(user.id)


def _lock(user: User) -> User:
    """The user as stored now, inside the caller's transaction."""
    return User.get_by_id(user.id)


def set_rights(actor: User, user: User, role: str, flags: dict[str, bool]) -> User:
    """Give ``user`` ``role`` and ``flags`` (support_authorised, information_recipient,
    sees_all_correspondence); raise ``RuleError`` when a rule forbids it."""
    if role not in RANK:
        raise RuleError(_("Please choose a role."))
    with db.atomic():
        user = _lock(user)
        _check(actor, user)
        if actor.is_customer and RANK[role] > _rank(actor):
            raise RuleError(_("You cannot give a role above your own."))
        if actor.id == user.id:
            raising = RANK[role] > _rank(user) or any(
                flags.get(name) and not getattr(user, name) for name in FLAGS
            )
            if raising:
                raise RuleError(_("You cannot raise your own rights."))
        if role != CustomerRole.PORTAL_ADMIN and _is_last_portal_admin(user):
            raise RuleError(_("The organisation needs at least one active portal admin."))
        values = {"customer_role": role, **{name: bool(flags.get(name)) for name in FLAGS}}
        before, after = audit.changes(user, ["customer_role", *FLAGS], values)
        if after:
            user.save(only=[getattr(User, name) for name in after])
            audit.record(actor, "user.rights", user, before, after)
    return user


def set_active(actor: User, user: User, active: bool) -> User:
    """Enable or disable ``user``; disabling signs them out everywhere."""
    with db.atomic():
        user = _lock(user)
        _check(actor, user)
        if user.active == active:
            return user
        if not active and _is_last_portal_admin(user):
            raise RuleError(_("The organisation needs at least one active portal admin."))
        user.active = active
        user.save(only=[User.active])
        if not active:
            sessions.end_all(user)
        audit.record(
            actor,
            "user.enabled" if active else "user.disabled",
            user,
            {"active": not active},
            {"active": active},
        )
    return user


def remove(actor: User, user: User) -> User:
    """Disable and anonymise ``user``; their cases stay with the organisation."""
    with db.atomic():
        user = _lock(user)
        _check(actor, user)
        if _is_last_portal_admin(user):
            raise RuleError(_("The organisation needs at least one active portal admin."))
        before = {"name": user.name, "email": user.email, "customer_role": user.customer_role}
        profile.drop_picture(user)
        user.name = _("Former user")
        user.email = f"removed-{user.id}-{secrets.token_hex(4)}@removed.invalid"
        user.phone = None
        user.password_hash = None
        user.active = False
        sessions.end_all(user)
        user.customer_role = CustomerRole.MEMBER
        for name in FLAGS:
            setattr(user, name, False)
        user.save()
        audit.record(actor, "user.removed", user, before, {"name": user.name, "email": user.email})
    return user


ADDRESS_FIELDS = ("correspondence_address", "billing_address", "delivery_address")


def update_profile(actor: User, organisation: Organisation, values: dict) -> Organisation:
    """Store the addresses and the case visibility setting (PERM-2)."""
    if not may_manage_organisation(actor, organisation.id):
        raise LookupError(organisation.id)
    if values.get("case_visibility") not in set(CaseVisibility):
        raise RuleError(_("Please choose who sees the organisation's cases."))
    cleaned = {name: (values.get(name) or "").strip() or None for name in ADDRESS_FIELDS}
    cleaned["case_visibility"] = values["case_visibility"]
    with db.atomic():
        before, after = audit.changes(organisation, [*ADDRESS_FIELDS, "case_visibility"], cleaned)
        if after:
            organisation.save(only=[getattr(Organisation, name) for name in after])
            audit.record(actor, "organisation.profile", organisation, before, after)
    return organisation


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=NEWS_SALT)


def news_token(address: NewsAddress) -> str:
    return _serializer().dumps([address.id, address.email])


def add_news_address(actor: User, organisation: Organisation, email: str) -> NewsAddress:
    """Add an address for update and product news and send it the confirmation link."""
    if not may_manage_organisation(actor, organisation.id):
        raise LookupError(organisation.id)
    email = email.strip().lower()
    with db.atomic():
        existing = NewsAddress.select().where(NewsAddress.organisation == organisation.id)
        if any(row.email == email for row in existing):
            raise RuleError(_("This address is already on the list."))
        if len(list(existing)) >= MAX_NEWS_ADDRESSES:
            raise RuleError(_("At most %(count)s addresses get update and product news.", count=3))
        address = NewsAddress.create(organisation=organisation, email=email)
        audit.record(actor, "news_address.added", organisation, None, {"email": email})
        notify.send(
            "news_address_confirm",
            email,
            language=actor.language,
            organisation=organisation,
            token=news_token(address),
        )
    return address


def news_address_for_token(token: str) -> NewsAddress | None:
    """The address a confirmation link names, or None when it is forged, old or gone."""
    try:
        address_id, email = _serializer().loads(token, max_age=NEWS_MAX_AGE)
    except (SignatureExpired, BadSignature, ValueError, TypeError):
        return None
    return NewsAddress.get_or_none((NewsAddress.id == address_id) & (NewsAddress.email == email))


def confirm_news_address(address: NewsAddress) -> NewsAddress:
    """Confirm ``address``; confirming again changes nothing."""
    with db.atomic():
        updated = (
            NewsAddress.update(confirmed_at=utcnow())
            .where((NewsAddress.id == address.id) & NewsAddress.confirmed_at.is_null())
            .execute()
        )
        if updated:
            audit.record(None, "news_address.confirmed", address, None, {"email": address.email})
    return NewsAddress.get_by_id(address.id)


def remove_news_address(actor: User, address: NewsAddress) -> None:
    if not may_manage_organisation(actor, address.organisation_id):
        raise LookupError(address.id)
    with db.atomic():
        address.delete_instance()
        audit.record(actor, "news_address.removed", address, {"email": address.email}, None)
