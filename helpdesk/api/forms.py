from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField, URLField
from wtforms.validators import Optional

from helpdesk.api.webhooks import EVENTS
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.oneline import SingleLine


class TokenForm(FlaskForm):
    """A new personal access token; the rules are checked by ``tokens.create``."""

    name = StringField(
        _l("Name"),
        description=_l("What the token is for, e.g. our ERP."),
        validators=[SingleLine()],
    )
    expires_on = DateField(_l("Valid until"), validators=[Optional()])
    scopes = SelectMultipleField(_l("Scopes"), choices=[], validate_choice=False)


class WebhookForm(FlaskForm):
    """A webhook to register; the address checks and the rules are ``webhooks.register``'s."""

    url = URLField(
        _l("Address"),
        description=_l("Where each event is sent, e.g. https://erp.example.com/portal-events"),
        validators=[SingleLine()],
    )
    events = SelectMultipleField(_l("Events"), choices=list(EVENTS.items()), validate_choice=False)
    allowed_host = StringField(
        _l("Allowed internal host"),
        description=_l(
            "Only for a receiver in your own network: its host name, which may then lead to "
            "a private address. Leave empty otherwise."
        ),
        validators=[SingleLine()],
    )
