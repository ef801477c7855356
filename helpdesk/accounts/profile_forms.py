from flask_wtf import FlaskForm
from wtforms import EmailField, FileField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from helpdesk.accounts.forms import new_password_fields
from helpdesk.accounts.profile import timezones
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.oneline import SingleLine

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=200), SingleLine()],
        filters=[lambda value: value.strip() if value else value],
    )
    phone = StringField(_l("Phone"), validators=[Length(max=50), SingleLine()])
    # A select always has a value chosen: no "required" attribute (HTML forbids it here).
    language = SelectField(
        _l("Language"), validators=[DataRequired()], render_kw={"required": False}
    )
    timezone = SelectField(
        _l("Time zone"), validators=[DataRequired()], render_kw={"required": False}
    )

    def __init__(self, languages, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [
            SelectChoice(code, LANGUAGE_NAMES.get(code, code)) for code in languages
        ]
        self.timezone.choices = [SelectChoice(name, name) for name in timezones()]


class PictureForm(FlaskForm):
    picture = FileField(_l("Picture (PNG, JPEG, GIF or WebP)"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1000)])
    password, repeat = new_password_fields()


class ChangeEmailForm(FlaskForm):
    email = EmailField(
        _l("New e-mail address"),
        validators=[DataRequired(), Email(), Length(max=254), SingleLine()],
        filters=[lambda value: value.strip() if value else value],
    )
    email_password = PasswordField(
        _l("Your password"), validators=[DataRequired(), Length(max=1000)]
    )
