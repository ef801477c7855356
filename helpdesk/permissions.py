"""Who may do what: the role rules of every view and service, written once.

Views take the decorators: ``require_agent``, ``require_admin``, ``require_customer``,
``require_portal_admin`` sign the visitor in first, then answer 404 to everyone else, so
nobody learns that a page they may not use exists (the permission matrix,
``tests/test_permission_matrix.py``, holds every route to it). A blueprint whose every page
is for one role decorates its ``before_request`` function.

Services do not trust their view: they ask the ``may_...`` functions, or call ``ensure_agent``
and ``ensure_admin``, which raise ``NotAllowed`` (a ``CaseError``, so the case pages show its
reason like any other refusal; elsewhere, uncaught, it answers 404 like the decorators).

Which cases and entries a person sees is not decided here but in the queries
(``helpdesk.cases.access``); this module decides which actions a role may take.
"""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from helpdesk.accounts.models import CustomerRole, User
from helpdesk.cases.errors import CaseError
from helpdesk.i18n import lazy_gettext as _l


class NotAllowed(CaseError):
    """An action the actor's role does not allow; the message is in the actor's language."""


# Questions --------------------------------------------------------------------------------


def may_work_cases(user: User) -> bool:
    """Agents work every organisation's cases: the queue, internal notes, assigning."""
    return bool(user.is_authenticated and user.is_agent)


def may_administer(user: User) -> bool:
    """Vendor admins run the portal: agents, organisations, products, calendar, mail."""
    return may_work_cases(user) and user.is_admin


def is_customer(user: User) -> bool:
    return bool(user.is_authenticated and user.is_customer)


def is_portal_admin(user: User) -> bool:
    """The customer who manages their organisation's people (ACC-4)."""
    return is_customer(user) and user.customer_role == CustomerRole.PORTAL_ADMIN


def may_manage_organisation(user: User, organisation_id: int | None) -> bool:
    """The organisation's portal admin, and the vendor's admins (they designate the first
    portal admin, seed 001)."""
    if may_work_cases(user):
        return user.is_admin
    return is_portal_admin(user) and user.organisation_id == organisation_id


def may_decide_registrations(user: User) -> bool:
    """Vendor admins and team managers approve registrations at unknown domains (ACC-3)."""
    return may_work_cases(user) and (user.is_admin or user.is_manager)


# Refusals for services ------------------------------------------------------------------


def ensure_agent(actor: User, message=None, field: str | None = None) -> None:
    """Raise ``NotAllowed`` (with ``message``, about form field ``field``) unless ``actor``
    works cases."""
    if not may_work_cases(actor):
        raise NotAllowed(message or _l("Only agents may do this."), field)


def ensure_admin(actor: User) -> None:
    """Raise ``NotAllowed`` unless ``actor`` is a vendor admin."""
    if not may_administer(actor):
        raise NotAllowed(_l("Only vendor admins may do this."))


# Decorators for views -------------------------------------------------------------------


def _requiring(allowed: Callable[[User], bool]):
    def decorator(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if not allowed(current_user):
                abort(404)
            return view(*args, **kwargs)

        return guarded

    return decorator


#: Signed in as an agent, else 404.
require_agent = _requiring(may_work_cases)
#: Signed in as a vendor admin, else 404.
require_admin = _requiring(may_administer)
#: Signed in as a customer user, else 404.
require_customer = _requiring(is_customer)
#: Signed in as a portal admin (of their own organisation), else 404.
require_portal_admin = _requiring(is_portal_admin)


# Contracts and the data-processing agreement (DOC-1, DOC-2) -------------------------------


def may_see_contracts(user: User, organisation_id: int | None) -> bool:
    """Agents see every organisation's contracts and documents; a customer their own
    organisation's when portal admin or authorised for support."""
    if may_work_cases(user):
        return True
    return (
        is_customer(user)
        and user.organisation_id == organisation_id
        and (is_portal_admin(user) or bool(user.support_authorised))
    )


def may_sign_agreement(user: User, organisation_id: int | None) -> bool:
    """The organisation's portal admin requests the blank AVV and uploads the signed copy;
    an agent may do both for them (a copy that came by mail)."""
    return may_work_cases(user) or (
        is_portal_admin(user) and user.organisation_id == organisation_id
    )


def ensure(allowed: bool, message) -> None:
    """Raise ``NotAllowed`` with ``message`` unless ``allowed``."""
    if not allowed:
        raise NotAllowed(message)
