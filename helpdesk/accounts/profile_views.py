"""``/account/profile``: a person's own profile and picture; pictures served to those who may
see the person (``profile.may_see_picture``), as PNG the browser is told not to sniff."""

from flask import Blueprint, abort, current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from helpdesk.accounts import email_change, profile, service, sessions
from helpdesk.accounts.models import User
from helpdesk.accounts.profile_forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    PictureForm,
    ProfileForm,
)
from helpdesk.web import render

bp = Blueprint("profile", __name__)

DEFAULT_TIMEZONE = "Europe/Vienna"


def _page(form, picture_form, status=200, password_form=None, email_form=None):
    return render(
        "accounts/profile.html",
        form=form,
        picture_form=picture_form,
        password_form=password_form or ChangePasswordForm(formdata=None),
        email_form=email_form or ChangeEmailForm(formdata=None),
        status=status,
    )


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def edit():
    languages = current_app.config["LANGUAGES"]
    form = ProfileForm(
        languages,
        name=current_user.name,
        phone=current_user.phone,
        language=current_user.language or current_app.config["BABEL_DEFAULT_LOCALE"],
        timezone=current_user.timezone or DEFAULT_TIMEZONE,
    )
    if not form.is_submitted():
        return _page(form, PictureForm(formdata=None))
    if form.validate():
        profile.update(current_user, current_user, form.data)
        flash(_("Saved."), "info")
        return redirect(url_for(".edit"))
    return _page(form, PictureForm(formdata=None), 422)


@bp.post("/account/profile/picture")
@login_required
def picture():
    form = PictureForm()
    upload = request.files.get("picture")
    if form.validate():
        limit = current_app.config["MAX_PICTURE_BYTES"]
        data = upload.stream.read(limit + 1) if upload else b""
        try:
            profile.set_picture(current_user, current_user, data)
        except profile.PictureError as error:
            form.picture.errors = [str(error)]
        else:
            flash(_("Your picture is saved."), "info")
            return redirect(url_for(".edit"))
    languages = current_app.config["LANGUAGES"]
    return _page(ProfileForm(languages, obj=current_user, formdata=None), form, 422)


@bp.post("/account/password")
@login_required
def change_password():
    """A signed-in person's new password, the current one asked first; their other
    sign-ins end, this browser stays signed in."""
    form = ChangePasswordForm()
    if form.validate():
        try:
            service.change_password(current_user, form.current.data, form.password.data)
        except service.WrongPassword:
            form.current.errors = [_("This is not your current password.")]
        else:
            login_user(sessions.start(User.get_by_id(current_user.id)))
            flash(_("Your password is changed. Other devices are signed out."), "info")
            return redirect(url_for(".edit"), 303)
    languages = current_app.config["LANGUAGES"]
    profile_form = ProfileForm(languages, obj=current_user, formdata=None)
    return _page(profile_form, PictureForm(formdata=None), 422, password_form=form)


@bp.post("/account/email")
@login_required
def change_email():
    """Ask for a new address: a confirmation link to it, a notice to the current one."""
    form = ChangeEmailForm()
    if form.validate():
        try:
            new = email_change.request_change(
                current_user, form.email_password.data, form.email.data
            )
        except service.WrongPassword:
            form.email_password.errors = [_("This is not your current password.")]
        except email_change.EmailChangeError as error:
            form.email.errors = [str(error)]
        else:
            flash(
                _("Please follow the link we sent to %(address)s to confirm it.", address=new),
                "info",
            )
            return redirect(url_for(".edit"), 303)
    languages = current_app.config["LANGUAGES"]
    profile_form = ProfileForm(languages, obj=current_user, formdata=None)
    return _page(profile_form, PictureForm(formdata=None), 422, email_form=form)


@bp.route("/account/email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The link from the new address's mailbox: the token is the permission. A GET only
    asks (mail scanners open links), the button's POST changes the address."""
    if request.method == "GET":
        return render("accounts/confirm_email.html", token=token)
    try:
        user = email_change.confirm(token)
    except email_change.EmailChangeError as error:
        flash(str(error), "error")
        return redirect(url_for("home.index"))
    flash(_("Your e-mail address is now %(address)s.", address=user.email), "info")
    return redirect(url_for("home.index"))


@bp.post("/account/profile/picture/remove")
@login_required
def remove_picture():
    profile.remove_picture(current_user, current_user)
    flash(_("Your picture is removed."), "info")
    return redirect(url_for(".edit"))


@bp.get("/people/<int:user_id>/picture/<int:version>.png")
@login_required
def show_picture(user_id: int, version: int):
    person = User.get_or_none(User.id == user_id)
    if (
        person is None
        or not person.picture_version
        or not profile.may_see_picture(current_user, person)
    ):
        abort(404)
    path = profile.picture_path(person)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/png", max_age=None, etag=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
