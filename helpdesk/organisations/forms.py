from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from helpdesk.accounts.models import CaseVisibility, CustomerRole
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.oneline import SingleLine

ROLE_LABELS = {
    CustomerRole.PORTAL_ADMIN: _l("Portal admin"),
    CustomerRole.MAIN_CONTACT: _l("Main contact"),
    CustomerRole.ADMINISTRATOR: _l("Administrator"),
    CustomerRole.MEMBER: _l("Member"),
}

FLAG_LABELS = {
    "support_authorised": _l("Support-authorised"),
    "information_recipient": _l("Information recipient"),
    "sees_all_correspondence": _l("May see all correspondence"),
}


class ProfileForm(FlaskForm):
    correspondence_address = TextAreaField(
        _l("Correspondence address"), validators=[Length(max=1000)]
    )
    billing_address = TextAreaField(_l("Billing address"), validators=[Length(max=1000)])
    delivery_address = TextAreaField(_l("Delivery address"), validators=[Length(max=1000)])
    case_visibility = RadioField(
        _l("Who sees the organisation's cases"),
        choices=[
            SelectChoice(CaseVisibility.EVERYONE, _l("Every user sees all cases")),
            SelectChoice(
                CaseVisibility.MAIN_CONTACTS,
                _l("Main contacts and administrators see all; others their own and followed"),
            ),
        ],
        validators=[DataRequired()],
    )


class NewsAddressForm(FlaskForm):
    email = EmailField(
        _l("E-mail address for update and product news"),
        validators=[DataRequired(), Email(), Length(max=254), SingleLine()],
        filters=[lambda value: value.strip() if value else value],
    )
