from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from helpdesk.accounts import passwords
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.oneline import SingleLine


class SignInForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(), Length(max=254), SingleLine()],
        filters=[lambda value: value.strip() if value else value],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    remember = BooleanField(_l("Stay signed in on this device"))
    next = HiddenField()


# Forms that choose a password, and the other account forms (ACC-1..4).


class PasswordPolicy:
    """The password policy as a WTForms validator. The address and name it compares with
    come from the form's ``email``/``name`` fields, or from ``form.person`` (a ``User``, or
    a ``(email, name)`` pair) on forms that do not ask for them."""

    def __call__(self, form, field):
        email = form.email.data if hasattr(form, "email") else ""
        name = form.name.data if hasattr(form, "name") else ""
        person = getattr(form, "person", None)
        if isinstance(person, tuple):
            email, name = person
        elif person is not None:
            email, name = person.email, person.name
        found = passwords.problems(field.data or "", email or "", name or "")
        if found:
            raise ValidationError(" ".join(found))


#: The portal's languages, each named in itself.
LANGUAGE_CHOICES = [SelectChoice("de", "Deutsch"), SelectChoice("en", "English")]


def _strip(value):
    return value.strip() if value else value


def new_password_fields():
    """The two fields of a new password: the password under the policy, and its repetition."""
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=1000), PasswordPolicy()]
    )
    repeat = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    return password, repeat


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(), Length(max=254), SingleLine()],
        filters=[_strip],
    )


class ResetPasswordForm(FlaskForm):
    password, repeat = new_password_fields()


class RegistrationForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(), Length(max=200), SingleLine()],
        filters=[_strip],
    )
    email = EmailField(
        _l("Your personal work address"),
        validators=[DataRequired(), Email(), Length(max=254), SingleLine()],
        filters=[_strip],
    )
    password, repeat = new_password_fields()
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="de")


class ConfirmForm(FlaskForm):
    """A button only: the link in the mail shows it, the POST does the work (mail scanners
    open links, they do not press buttons)."""


class ApproveRegistrationForm(FlaskForm):
    organisation = SelectField(_l("Existing organisation"), coerce=int, validate_choice=False)
    new_organisation = StringField(
        _l("or a new organisation named"),
        validators=[Length(max=200), SingleLine()],
        filters=[_strip],
    )
    support_authorised = BooleanField(_l("May open cases (support-authorised)"))


class InvitationForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=200), SingleLine()], filters=[_strip]
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(), Length(max=254), SingleLine()],
        filters=[_strip],
    )
    role = SelectField(_l("Role"), choices=[])
    support_authorised = BooleanField(_l("May open cases (support-authorised)"))
    information_recipient = BooleanField(_l("Receives information mails"))
    language = SelectField(_l("Language of the invitation"), choices=LANGUAGE_CHOICES)


class AcceptInvitationForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(), Length(max=200), SingleLine()],
        filters=[_strip],
    )
    password, repeat = new_password_fields()


class TwoFactorCodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40), SingleLine()],
        filters=[lambda value: "".join(value.split()) if value else value],
    )


class PasswordCheckForm(FlaskForm):
    """The current password again: to confirm a registration, to turn the second factor off."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=1000)])
