from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp, ValidationError

from helpdesk.i18n import lazy_gettext as _l
from helpdesk.identity.service import PROVIDER_FIELDS
from helpdesk.oneline import SingleLine


def _strip(value):
    return value.strip() if value else value


def https(form, field):
    """An address of the provider: https, except on this machine (a test or a tunnel)."""
    parts = urlsplit(field.data or "")
    if parts.scheme != "https" and parts.hostname not in ("localhost", "127.0.0.1"):
        raise ValidationError(_l("A web address starting with https://."))


DOMAINS = Regexp(
    r"^[\sa-zA-Z0-9.,@-]*$",
    message=_l("Mail domains such as example.com, separated by spaces or commas."),
)


class StartForm(FlaskForm):
    """The button that sends a sign-in to a provider (a POST: no sign-in starts by a link)."""

    next = HiddenField()


class ClientForm(FlaskForm):
    """A registration at a provider: what the sign-in and the mailbox forms both ask."""

    client_id = StringField(
        _l("Client ID"),
        validators=[DataRequired(), Length(max=500), SingleLine()],
        filters=[_strip],
    )
    client_secret = PasswordField(
        _l("Client secret"),
        description=_l("Stored encrypted. Leave empty to keep the stored one."),
        validators=[Optional(), Length(max=2000)],
    )


class ProviderForm(ClientForm):
    name = StringField(
        _l("Name on the button"),
        validators=[DataRequired(), Length(max=100), SingleLine()],
        filters=[_strip],
    )
    issuer = StringField(
        _l("Issuer URL"),
        description=_l(
            "Microsoft 365: https://login.microsoftonline.com/<tenant id>/v2.0 · "
            "Google: https://accounts.google.com"
        ),
        validators=[
            DataRequired(),
            URL(require_tld=False, message=_l("A web address starting with https://.")),
            https,
            Length(max=500),
            SingleLine(),
        ],
        filters=[_strip],
    )
    allowed_domains = TextAreaField(
        _l("Mail domains that may sign in"),
        description=_l("People with an account at these domains may sign in this way."),
        validators=[Length(max=5000), DOMAINS],
    )
    user_claim = StringField(
        _l("Claim naming the account"),
        default="email",
        description=_l("Usually email; preferred_username or upn for Microsoft 365."),
        validators=[
            DataRequired(),
            Length(max=100),
            Regexp(r"^[A-Za-z0-9_:.-]+$", message=_l("The name of a claim, such as email.")),
            SingleLine(),
        ],
        filters=[_strip],
    )
    agents_from = TextAreaField(
        _l("Domains whose new people become agents"),
        description=_l(
            "Someone of these domains without an account gets an agent account at the first "
            "sign-in. Leave empty to create nobody."
        ),
        validators=[Length(max=5000), DOMAINS],
    )
    customers = BooleanField(_l("Customers of these domains may sign in this way too"))
    emails_verified = BooleanField(
        _l("The provider vouches for every address (your own Microsoft 365 or Google tenant)")
    )
    trust_mfa = BooleanField(
        _l("The provider's multi-factor sign-in replaces the portal's second factor")
    )
    active = BooleanField(_l("Active"), default=True)

    def values(self) -> dict:
        values = {name: getattr(self, name).data for name in PROVIDER_FIELDS}
        for name in ("allowed_domains", "agents_from"):
            values[name] = values[name] or ""
        return values
