"""A signed-in person changes their e-mail address (issue 16): double opt-in.

The request asks for the password; a link goes to the new address and a notice to the old
one. Only following the link changes the address. The link is signed (with ``SECRET_KEY``
and its own salt) and names the account, its address at the time and the new address, so it
works for a day and only once: after the change, or any other change of the address, the
old address in it no longer fits.
"""

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from helpdesk import audit
from helpdesk.accounts.models import User
from helpdesk.accounts.passwords import verify_password
from helpdesk.accounts.service import WrongPassword, normalise_email
from helpdesk.db import db
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.mail.notify import send
from helpdesk.web import external_url

SALT = "email-change"
LIFETIME = timedelta(hours=24)


class EmailChangeError(ValueError):
    """The change cannot be made; the message says why, in the user's language."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def request_change(user: User, password: str, new_address: str) -> str:
    """Mail the confirmation link to ``new_address`` and a notice to the current one;
    returns the normalised new address."""
    if not verify_password(user.password_hash, password):
        raise WrongPassword(password)
    new = normalise_email(new_address)
    if new == user.email:
        raise EmailChangeError(_l("This is your address already."))
    if User.select().where(User.email == new).exists():
        raise EmailChangeError(_l("This address cannot be used for your account."))
    token = _serializer().dumps({"user": user.id, "from": user.email, "to": new})
    link = external_url("profile.confirm_email", token=token)
    with db.atomic():
        send("account_email_confirm", new, language=user.language, name=user.name, link=link)
        send("account_email_notice", user, new=new)
    return new


def confirm(token: str) -> User:
    """Change the address the link names; the link's account, old address and age are
    checked first."""
    try:
        data = _serializer().loads(token, max_age=int(LIFETIME.total_seconds()))
    except SignatureExpired as expired:
        raise EmailChangeError(_l("This link has expired. Please ask for a new one.")) from expired
    except BadSignature as bad:
        raise EmailChangeError(_l("This link is not valid.")) from bad
    user = User.get_or_none(User.id == data.get("user"))
    if user is None or user.email != data.get("from"):
        raise EmailChangeError(_l("This link was used already or is no longer valid."))
    new = data.get("to", "")
    with db.atomic():
        if User.select().where(User.email == new).exists():
            raise EmailChangeError(_l("This address cannot be used for your account."))
        User.update(email=new).where(User.id == user.id).execute()
        audit.record(user, "user.email", user, {"email": user.email}, {"email": new})
    return User.get_by_id(user.id)
