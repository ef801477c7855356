from wtforms import EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional

from helpdesk.i18n import lazy_gettext as _l
from helpdesk.identity.forms import ClientForm, https
from helpdesk.identity.mailbox import PRESETS
from helpdesk.oneline import SingleLine


def _strip(value):
    return value.strip() if value else value


class MailboxForm(ClientForm):
    """Where one mail connection's OAuth2 tokens come from."""

    preset = SelectField(
        _l("Mail service"),
        choices=[SelectChoice(key, preset["label"]) for key, preset in PRESETS.items()]
        + [SelectChoice("generic", _l("Other (generic)"))],
    )
    tenant = StringField(
        _l("Microsoft 365 tenant ID"),
        description=_l("Only for Microsoft 365, when the token address is left empty."),
        validators=[Optional(), Length(max=100), SingleLine()],
        filters=[_strip],
    )
    token_url = StringField(
        _l("Token address"),
        description=_l("Leave empty for the service's own."),
        validators=[Optional(), URL(require_tld=False), https, Length(max=500), SingleLine()],
        filters=[_strip],
    )
    authorize_url = StringField(
        _l("Authorize address (consent)"),
        description=_l(
            "Only for a consent at another service whose OpenID Connect metadata the portal "
            "cannot find (no sign-in provider with this token address). Leave empty otherwise."
        ),
        validators=[Optional(), URL(require_tld=False), https, Length(max=500), SingleLine()],
        filters=[_strip],
    )
    scope = StringField(
        _l("Scopes"),
        description=_l("Leave empty for the service's own."),
        validators=[Optional(), Length(max=500), SingleLine()],
        filters=[_strip],
    )
    username = EmailField(
        _l("Mailbox address"),
        validators=[DataRequired(), Email(), Length(max=254), SingleLine()],
        filters=[_strip],
    )
    host = StringField(
        _l("Mail server"),
        description=_l(
            'Filled from the mail service when left empty; leave it empty with "Other" to use '
            "the configuration's server."
        ),
        validators=[Optional(), Length(max=255), SingleLine()],
        filters=[_strip],
    )
    port = IntegerField(
        _l("Port"),
        description=_l("Empty: the mail service's."),
        validators=[Optional(), NumberRange(min=1, max=65535)],
    )
    security = SelectField(
        _l("Security"),
        choices=[
            SelectChoice("", _l("The mail service's")),
            SelectChoice("ssl", _l("TLS from the start (SSL)")),
            SelectChoice("starttls", "STARTTLS"),
            SelectChoice("none", _l("None (only for a test server)")),
        ],
        default="",
    )
    refresh_token = PasswordField(
        _l("Refresh token of the admin's consent"),
        description=_l(
            "Leave empty to use the client credentials grant (Microsoft 365 app access) or to "
            "keep the stored one."
        ),
        validators=[Optional(), Length(max=5000)],
    )
