from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    ColorField,
    EmailField,
    FileField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from helpdesk.accounts.models import CaseVisibility
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.oneline import SingleLine


def _strip(value):
    return value.strip() if value else value


KEY = [
    DataRequired(),
    Length(max=50),
    Regexp(r"^[a-zA-Z0-9_.-]+$", message=_l("Letters, digits, dots, dashes and underscores only.")),
    SingleLine(),  # $ matches before a final line break
]
NAME = [DataRequired(), Length(max=200), SingleLine()]


class AgentForm(FlaskForm):
    name = StringField(_l("Name"), validators=NAME, filters=[_strip])
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(), Length(max=254), SingleLine()],
        filters=[_strip],
    )
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=12, max=1000)])
    team = SelectField(_l("Team"), coerce=int)
    support_level = SelectField(
        _l("Support level"), coerce=int, choices=[SelectChoice(n, str(n)) for n in (1, 2, 3)]
    )
    is_manager = BooleanField(_l("Team manager"))
    is_admin = BooleanField(_l("Vendor admin"))
    active = BooleanField(_l("Active"), default=True)


def _name_field(label):
    return StringField(label, validators=NAME, filters=[_strip])


class NameForm(FlaskForm):
    """The names of a team, product or component: pages show the one in the user's language."""

    name_de = _name_field(_l("Name in German"))
    name_en = _name_field(_l("Name in English"))

    def names(self) -> dict[str, str]:
        return {"name_de": self.name_de.data, "name_en": self.name_en.data}


class KeyNameForm(NameForm):
    key = StringField(_l("Key"), validators=KEY, filters=[_strip])


class ProductForm(NameForm):
    active = BooleanField(_l("Active"))


class VersionForm(FlaskForm):
    name = StringField(
        _l("Version"), validators=[DataRequired(), Length(max=50), SingleLine()], filters=[_strip]
    )
    supported = BooleanField(_l("Supported"), default=True)


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=NAME, filters=[_strip])
    case_visibility = SelectField(
        _l("Who sees the organisation's cases"),
        choices=[
            SelectChoice(CaseVisibility.EVERYONE, _l("Every user sees all cases")),
            SelectChoice(
                CaseVisibility.MAIN_CONTACTS,
                _l("Main contacts and administrators see all; others their own and followed"),
            ),
        ],
    )
    is_active = BooleanField(_l("Active"), default=True)
    # Who looks after the customer at the vendor; the choices are the teams and the agents,
    # 0 for nobody.
    account_team_id = SelectField(_l("Team that looks after the customer"), coerce=int)
    account_manager_id = SelectField(_l("Customer service manager"), coerce=int)


class DomainForm(FlaskForm):
    domain = StringField(
        _l("Mail domain"),
        validators=[DataRequired(), Length(max=253), SingleLine()],
        filters=[_strip],
    )


class SettingsForm(FlaskForm):
    """The admin's settings (``helpdesk.admin.settings`` checks the values)."""

    two_factor_for_agents = BooleanField(
        _l("Agents must sign in with a second factor"),
        description=_l("An agent without one is sent to set it up before anything else."),
    )
    name = StringField(
        _l("Vendor name"),
        validators=[Optional(), Length(max=100), SingleLine()],
        filters=[_strip],
        description=_l("In the page header, the title and every mail. Empty: the plugin's."),
    )
    colour = ColorField(
        _l("Colour"),
        validators=[Optional(), SingleLine()],
        description=_l("Buttons, links and the mail header."),
    )
    logo = FileField(
        _l("Logo"), description=_l("PNG, JPEG, GIF or WebP; shown at most 480 x 128 pixels.")
    )
    remove_logo = BooleanField(_l("Remove the logo"))
    favicon = FileField(
        _l("Favicon"), description=_l("A square picture; shown at most 64 x 64 pixels.")
    )
    remove_favicon = BooleanField(_l("Remove the favicon"))
