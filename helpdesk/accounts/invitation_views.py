"""The portal admin's invitations page and the invitee's acceptance (ACC-4)."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from helpdesk import ratelimit
from helpdesk.accounts import invitations
from helpdesk.accounts.forms import AcceptInvitationForm, ConfirmForm, InvitationForm
from helpdesk.accounts.invitations import Invitation
from helpdesk.accounts.tokens import State
from helpdesk.web import render

bp = Blueprint("invitations", __name__)


def _inviter():
    if not invitations.may_invite(current_user):
        abort(404)
    return current_user


def _form(**kwargs) -> InvitationForm:
    form = InvitationForm(**kwargs)
    form.role.choices = [
        SelectChoice(role, str(invitations.ROLE_LABELS[role]))
        for role in invitations.grantable_roles(current_user)
    ]
    return form


def _page(form, status=200):
    return render(
        "accounts/invitations.html",
        form=form,
        pending=list(invitations.pending(current_user.organisation_id)),
        revoke_form=ConfirmForm(),
        role_labels=invitations.ROLE_LABELS,
        status=status,
    )


@bp.route("/organisation/invitations", methods=["GET", "POST"])
@login_required
def index():
    inviter = _inviter()
    form = _form()
    if not form.is_submitted():
        form.language.data = inviter.language or "de"
        return _page(form)
    if not form.validate():
        return _page(form, status=422)
    if not ratelimit.allow("invitation_inviter", str(inviter.id)):
        flash(_("Too many invitations. Please wait a while and try again."), "error")
        return _page(form, status=429)
    try:
        invitations.invite(
            inviter,
            form.name.data,
            form.email.data,
            form.role.data,
            support_authorised=form.support_authorised.data,
            information_recipient=form.information_recipient.data,
            language=form.language.data,
        )
    except invitations.Refused as refused:
        form.email.errors.append(str(refused))
        return _page(form, status=422)
    flash(_("The invitation to %(email)s is on its way.", email=form.email.data), "info")
    return redirect(url_for("invitations.index"))


@bp.route("/organisation/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke(invitation_id):
    inviter = _inviter()
    invitation = (
        invitations.pending(inviter.organisation_id).where(Invitation.id == invitation_id).first()
    )
    if invitation is None:
        abort(404)
    if ConfirmForm().validate():
        invitations.revoke(inviter, invitation)
        flash(_("The invitation to %(email)s is revoked.", email=invitation.email), "info")
    return redirect(url_for("invitations.index"))


@bp.route("/invitation/<secret>", methods=["GET", "POST"])
def accept(secret):
    state, invitation = invitations.check(secret)
    if state != State.VALID:
        return render("accounts/invitation_invalid.html", state=state, status=410)
    form = AcceptInvitationForm(name=invitation.name)
    form.person = (invitation.email, form.name.data or "")
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render(
            "accounts/accept.html", form=form, invitation=invitation, secret=secret, status=status
        )
    state, _user = invitations.accept(secret, form.name.data, form.password.data)
    if state != State.VALID:
        return render("accounts/invitation_invalid.html", state=state, status=410)
    flash(_("Welcome! Your account is ready; please sign in."), "info")
    return redirect(url_for("accounts.sign_in"))
