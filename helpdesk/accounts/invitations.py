"""Invitations (ACC-4): an organisation's portal admin invites a person by address.

The invitee confirms by following the mailed link and choosing name and password (double
opt-in); only then does the account exist. An invitation ends when it expires
(``INVITATION_DAYS``), is revoked, or when the inviter may no longer invite (disabled, or no
longer the organisation's portal admin), and when the address belongs to a disabled account.
"""

from datetime import timedelta

from flask import current_app
from peewee import AutoField, BooleanField, CharField, DateTimeField, ForeignKeyField

from helpdesk import audit
from helpdesk.accounts import service, sessions, tokens
from helpdesk.accounts.models import Approval, CustomerRole, Kind, Organisation, User
from helpdesk.accounts.passwords import hash_password
from helpdesk.accounts.tokens import AccountToken, Purpose, State
from helpdesk.db import BaseModel, db
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.mail.notify import send
from helpdesk.permissions import is_portal_admin
from helpdesk.timeutil import utcnow
from helpdesk.web import external_url

#: Roles from the lowest; an inviter never grants more than their own role.
ROLE_ORDER = [
    CustomerRole.MEMBER,
    CustomerRole.ADMINISTRATOR,
    CustomerRole.MAIN_CONTACT,
    CustomerRole.PORTAL_ADMIN,
]
ROLE_LABELS = {
    CustomerRole.MEMBER: _l("Member"),
    CustomerRole.ADMINISTRATOR: _l("Administrator"),
    CustomerRole.MAIN_CONTACT: _l("Main contact"),
}

#: The state of an invitation that was revoked or whose inviter may no longer invite.
WITHDRAWN = "withdrawn"


class Invitation(BaseModel):
    id = AutoField()
    token = ForeignKeyField(AccountToken, unique=True, on_delete="CASCADE")
    organisation = ForeignKeyField(Organisation, backref="invitations", on_delete="CASCADE")
    inviter = ForeignKeyField(User, backref="invitations_sent", on_delete="CASCADE")
    email = CharField(max_length=254)
    name = CharField(max_length=200)
    role = CharField(max_length=20)
    support_authorised = BooleanField(default=False)
    information_recipient = BooleanField(default=False)
    revoked_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)


class Refused(ValueError):
    """An invitation that may not be made; the message is for the inviter."""


def may_invite(user: User) -> bool:
    return (
        is_portal_admin(user) and user.organisation_id is not None and sessions.account_open(user)
    )


def grantable_roles(inviter: User) -> list[str]:
    """The roles ``inviter`` may give: up to their own, never portal admin."""
    if inviter.customer_role not in ROLE_ORDER:
        return []
    top = ROLE_ORDER.index(inviter.customer_role)
    return [role for role in ROLE_ORDER[: top + 1] if role in ROLE_LABELS]


def pending(organisation_id: int):
    now = utcnow()
    return (
        Invitation.select(Invitation, AccountToken)
        .join(AccountToken)
        .where(
            (Invitation.organisation == organisation_id)
            & Invitation.revoked_at.is_null()
            & AccountToken.used_at.is_null()
            & (AccountToken.expires_at > now)
        )
        .order_by(Invitation.created_at.desc())
    )


def invite(
    inviter: User,
    name: str,
    email: str,
    role: str,
    support_authorised: bool = False,
    information_recipient: bool = False,
    language: str | None = None,
) -> Invitation:
    email = service.normalise_email(email)
    if not may_invite(inviter):
        raise Refused(_l("Only the organisation's portal admin invites people."))
    if role not in grantable_roles(inviter):
        raise Refused(_l("You cannot give this role."))
    if User.select().where(User.email == email).exists():
        raise Refused(_l("This address already has an account."))
    days = current_app.config["INVITATION_DAYS"]
    with db.atomic():
        for older in pending(inviter.organisation_id).where(Invitation.email == email):
            revoke(inviter, older)  # the newest invitation replaces an older one
        secret, token = tokens.issue(Purpose.INVITATION, timedelta(days=days))
        invitation = Invitation.create(
            token=token,
            organisation=inviter.organisation_id,
            inviter=inviter,
            email=email,
            name=name,
            role=role,
            support_authorised=support_authorised,
            information_recipient=information_recipient,
        )
        audit.record(
            inviter, "invitation.sent", invitation, None, {"email": email, "customer_role": role}
        )
        send(
            "account_invitation",
            email,
            language=language or inviter.language,
            name=name,
            inviter=inviter,
            organisation=invitation.organisation,
            days=days,
            link=external_url("invitations.accept", secret=secret),
        )
    return invitation


def revoke(actor: User, invitation: Invitation) -> None:
    """``actor``, a portal admin of the invitation's organisation, withdraws it."""
    if not (may_invite(actor) and actor.organisation_id == invitation.organisation_id):
        raise Refused(_l("Only the organisation's portal admin invites people."))
    now = utcnow()
    with db.atomic():
        Invitation.update(revoked_at=now).where(Invitation.id == invitation.id).execute()
        audit.record(actor, "invitation.revoked", invitation, None, {"email": invitation.email})
        AccountToken.update(used_at=now).where(
            (AccountToken.id == invitation.token_id) & AccountToken.used_at.is_null()
        ).execute()


def _alive(invitation: Invitation) -> bool:
    inviter = invitation.inviter
    disabled = User.select().where((User.email == invitation.email) & ~User.active).exists()
    return (
        invitation.revoked_at is None
        and may_invite(inviter)
        and inviter.organisation_id == invitation.organisation_id  # active: may_invite asked
        and not disabled
    )


def check(secret: str) -> tuple[State | str, Invitation | None]:
    """The invitation a link names and whether it can still be accepted."""
    state, token = tokens.check(secret, Purpose.INVITATION)
    if token is None:
        return state, None
    invitation = Invitation.get(Invitation.token == token.id)
    if invitation.revoked_at is not None or (state == State.VALID and not _alive(invitation)):
        return WITHDRAWN, invitation
    return state, invitation


def accept(secret: str, name: str, password: str) -> tuple[State | str, User | None]:
    """Create the invitee's account from the invitation; the link is used up."""
    state, invitation = check(secret)
    if state != State.VALID:
        return state, None
    with db.atomic():
        state, _ = tokens.consume(secret, Purpose.INVITATION)
        if state != State.VALID:
            return state, None
        if User.select().where(User.email == invitation.email).exists():
            return WITHDRAWN, None
        user = User.create(
            email=invitation.email,
            name=name,
            password_hash=hash_password(password),
            kind=Kind.CUSTOMER,
            organisation=invitation.organisation_id,
            customer_role=invitation.role,
            support_authorised=invitation.support_authorised,
            information_recipient=invitation.information_recipient,
            email_confirmed_at=utcnow(),
            approval=Approval.APPROVED,
        )
        audit.record(user, "invitation.accepted", invitation, None, {"email": user.email})
    return State.VALID, user
