"""Opening a case: the customer's form (CASE-2, CASE-3) and the agent's phone form (CASE-7).

One template serves both. Changing the product or the case type asks ``new_fields`` for the
part of the form that depends on them (versions, components, the plugins' fields); without
JavaScript the versions and components of every product are offered, grouped, and a button
shows the fields of the chosen product and type. Files are checked and kept as pending
uploads on every post, so a form that comes back with errors never asks for them again.
"""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.accounts.models import CustomerRole, User
from helpdesk.cases import access, service
from helpdesk.cases.forms import CHECKLIST_FIELDS, CaseForm, case_form
from helpdesk.cases.models import Attachment, Channel
from helpdesk.cases.views.attachments import take_uploads
from helpdesk.cases.views.blueprint import bp
from helpdesk.cases.views.detail import size_label
from helpdesk.contracts import service as contracts
from helpdesk.knowledge import service as knowledge
from helpdesk.permissions import require_agent
from helpdesk.policy import current_policy
from helpdesk.web import render

TEMPLATE = "cases/new.html"


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
def new():
    if current_user.is_agent:
        return redirect(url_for(".new_phone"))
    if not current_user.is_customer:
        abort(404)
    if not access.may_open_case(current_user):
        return _refused()
    return _form_page(phone=False)


@bp.route("/cases/new/phone", methods=["GET", "POST"])
@require_agent
def new_phone():
    return _form_page(phone=True)


@bp.route("/cases/new/fields")
@login_required
def new_fields():
    """The part of the form that depends on product and case type, for htmx; a plain
    request gets the whole form with these two chosen."""
    if not (current_user.is_agent or current_user.is_customer):
        abort(404)
    chosen = {name: request.args.get(name) for name in ("product", "case_type")}
    chosen = {name: value for name, value in chosen.items() if value}
    if not request.htmx:
        return redirect(url_for(".new_phone" if current_user.is_agent else ".new", **chosen))
    form = case_form(request.args, formdata=request.args, meta={"csrf": False})
    return render(TEMPLATE, block="case_fields", form=form)


def _form_page(phone: bool):
    if request.method == "GET":
        return _show(case_form(request.args, phone=phone, fresh=True), phone)
    form = case_form(request.form, phone=phone)
    user = current_user._get_current_object()
    if "refresh" in request.form or "knowledge" in request.form:
        # the no-JavaScript ways to the product's and type's fields and to the suggestions
        uploads, refused = _uploads(user)
        form.files.errors = refused
        suggested = None
        if "knowledge" in request.form:
            suggested = knowledge.suggest(
                user, form.subject.data or "", form.description.data or ""
            )
        return _show(form, phone, uploads, status=422 if refused else 200, suggested=suggested)
    valid = form.validate()
    uploads, refused = _uploads(user)
    form.files.errors = [*form.files.errors, *refused]
    problems = []
    if valid and not refused:
        try:
            case = service.open_case(_new_case(form, user, phone), uploads)
        except service.CaseError as error:
            problems = _place(form, error)
        else:
            return _opened(case, phone)
    return _show(form, phone, uploads, problems=problems, status=422)


def _new_case(form: CaseForm, user: User, phone: bool) -> service.NewCase:
    if phone:
        return form.new_case(opened_by=user, channel=Channel.PHONE)
    return form.new_case(user, channel=Channel.WEB)


def _opened(case, phone: bool):
    if phone:
        flash(
            _(
                "Case %(call_id)s has been opened for %(name)s.",
                call_id=case.call_id,
                name=case.requester.name,
            ),
            "info",
        )
    else:
        flash(_("Your case %(call_id)s has been opened.", call_id=case.call_id), "info")
    return redirect(url_for("cases.detail", call_id=case.call_id), 303)


def _uploads(user: User) -> tuple[list[Attachment], list[str]]:
    """The files of this post and those kept from earlier tries, minus the ones the user
    chose to remove; and the reasons for every refused file."""
    uploads, refused = take_uploads(user)
    dropped = set(request.form.getlist("drop_upload"))
    return [upload for upload in uploads if str(upload.id) not in dropped], refused


def _place(form: CaseForm, error: service.CaseError) -> list[str]:
    """Put a refusal of the domain on its field; what concerns no field of this form (a
    customer who may not open cases) goes above the form."""
    field = form._fields.get(error.field) if error.field else None
    if field is None:
        return [str(error)]
    field.errors = [*field.errors, str(error)]
    return []


def _show(form: CaseForm, phone: bool, uploads=(), problems=(), status: int = 200, suggested=None):
    policy = current_policy()
    needing_impact = [str(s.label) for s in policy.severities if s.needs_impact]
    return render(
        TEMPLATE,
        status=status,
        form=form,
        phone=phone,
        action=url_for(".new_phone" if phone else ".new"),
        uploads=uploads,
        problems=problems,
        severities={s.key: s for s in policy.severities},
        case_types=policy.case_types,
        needing_impact=needing_impact,
        checklist=CHECKLIST_FIELDS,
        size_of=size_label,
        notices=[] if phone else contracts.notices(current_user.organisation),
        suggestions=suggested or [],
        searched=suggested is not None,
    )


def _refused():
    """A customer who is not support-authorised: say so, and who can change it."""
    admins = (
        User.select()
        .where(
            (User.organisation == current_user.organisation_id)
            & User.active
            & (User.customer_role == CustomerRole.PORTAL_ADMIN)
        )
        .order_by(User.name)
    )
    return render("cases/new_refused.html", status=403, admins=list(admins))
