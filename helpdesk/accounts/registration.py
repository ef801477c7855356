"""Self-registration (ACC-3): a personal address, confirmed by a mailed link (double opt-in).

The organisation is found by the confirmed address's domain; an unknown domain waits for a
vendor agent's approval. Until then the person has no organisation and so sees no case (the
case queries narrow by organisation), and cannot sign in.

Registering an address that has an account answers the same as a new one: the owner gets a
note instead. A second registration of a still unconfirmed address replaces the first
(name, password, new link): whoever owns the mailbox wins. Confirming asks for the password
chosen at registration, so nobody can register someone else's address with a password of
their own and have the owner confirm it for them.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from helpdesk import audit
from helpdesk.accounts import domains, service, tokens
from helpdesk.accounts.models import Approval, CustomerRole, Kind, Organisation, User
from helpdesk.accounts.passwords import hash_password, verify_password
from helpdesk.accounts.tokens import Purpose, State
from helpdesk.db import db
from helpdesk.mail.notify import send
from helpdesk.permissions import may_decide_registrations
from helpdesk.timeutil import utcnow
from helpdesk.web import external_url


def register(name: str, email: str, password: str, language: str) -> None:
    email = service.normalise_email(email)
    hashed = hash_password(password)  # on every path: the answer's time tells nothing
    with db.atomic():
        user = User.get_or_none(User.email == email)
        if user is None:
            user = User.create(
                email=email,
                name=name,
                password_hash=hashed,
                kind=Kind.CUSTOMER,
                language=language,
                approval=Approval.UNCONFIRMED,
            )
        elif user.approval == Approval.UNCONFIRMED:
            user.name, user.password_hash, user.language = name, hashed, language
            user.save(only=[User.name, User.password_hash, User.language])
        else:
            send("account_exists", user, link=external_url("reset.forgot"))
            return
        tokens.kill_unused(user, Purpose.CONFIRM)
        hours = current_app.config["CONFIRM_TOKEN_HOURS"]
        secret, _ = tokens.issue(Purpose.CONFIRM, timedelta(hours=hours), user)
        send("account_confirm", user, link=external_url("registration.confirm", secret=secret))


@dataclass
class Confirmation:
    state: State | str  # a token state, or "password" when the password was not right
    user: User | None = None
    organisation: Organisation | None = None


def confirm(secret: str, password: str) -> Confirmation:
    """Confirm the address; join the organisation of its domain or wait for approval."""
    state, token = tokens.check(secret, Purpose.CONFIRM)
    if state != State.VALID:
        return Confirmation(state)
    if not verify_password(token.user.password_hash, password):
        return Confirmation("password")
    with db.atomic():
        state, token = tokens.consume(secret, Purpose.CONFIRM)
        if state != State.VALID:
            return Confirmation(state)
        user = token.user
        extra = frozenset(d.lower() for d in current_app.config["FREE_MAIL_DOMAINS"])
        organisation = domains.organisation_for_address(user.email, extra)
        user.email_confirmed_at = utcnow()
        if organisation is not None:
            # A member, not support-authorised: their portal admin decides that.
            _join(user, organisation, CustomerRole.MEMBER, support_authorised=False)
        else:
            user.approval = Approval.PENDING
            user.save(only=[User.email_confirmed_at, User.approval])
    return Confirmation(State.VALID, user, organisation)


def _join(user: User, organisation: Organisation, role: str, support_authorised: bool) -> None:
    user.organisation = organisation
    user.customer_role = role
    user.support_authorised = support_authorised
    user.approval = Approval.APPROVED
    user.save(
        only=[
            User.organisation,
            User.customer_role,
            User.support_authorised,
            User.approval,
            User.email_confirmed_at,
        ]
    )


def pending():
    return User.select().where(User.approval == Approval.PENDING).order_by(User.created_at)


class Refused(ValueError):
    """A decision the rules do not allow, whatever the form offered."""


def _check_decision(decider: User, user: User) -> None:
    if not may_decide_registrations(decider):
        raise Refused(f"{decider.email} may not decide on registrations")
    if user.approval != Approval.PENDING:
        raise Refused(f"{user.email} is not waiting for a decision")


def approve(
    decider: User,
    user: User,
    organisation: Organisation | None,
    new_name: str = "",
    support_authorised: bool = False,
) -> Organisation:
    """``decider`` lets ``user`` in: into ``organisation`` (an active one), or into a new
    one named ``new_name`` whose portal admin they become (somebody must administer it)."""
    _check_decision(decider, user)
    if organisation is not None and not organisation.is_active:
        raise Refused(f"{organisation.name} is not active")
    with db.atomic():
        if organisation is None:
            organisation = Organisation.create(name=new_name)
            role = CustomerRole.PORTAL_ADMIN
        else:
            role = CustomerRole.MEMBER
        _join(user, organisation, role, support_authorised)
        audit.record(decider, "registration.approved", user, None, {"customer_role": role})
        send("account_approved", user, organisation=organisation, link=external_url("home.index"))
    return organisation


def reject(decider: User, user: User) -> None:
    _check_decision(decider, user)
    with db.atomic():
        user.approval = Approval.REJECTED
        user.save(only=[User.approval])
        audit.record(decider, "registration.rejected", user, None, {"email": user.email})
        send("account_rejected", user)
