from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField
from wtforms.validators import Optional

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
