"""The contracts and documents area (DOC-1, DOC-2): one page per organisation, for its
customers with the right and for agents, with the forms each may use.

Every URL names the organisation; a customer of another one, and an object (contract, file)
of another one, get a 404 (PERM-1). Files are always downloads, never shown inline.
"""

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk import markdown
from helpdesk.accounts.models import Organisation
from helpdesk.cases.models import Case
from helpdesk.cases.views.attachments import serve
from helpdesk.contracts import agreement, service, statements, units
from helpdesk.contracts import projects as project_list
from helpdesk.contracts.models import AgreementFile, Contract, ContractFile
from helpdesk.permissions import (
    may_see_contracts,
    may_sign_agreement,
    may_work_cases,
    require_admin,
    require_customer,
)
from helpdesk.policy import current_policy
from helpdesk.products.models import Product
from helpdesk.timeutil import utcnow
from helpdesk.web import render

bp = Blueprint("contracts", __name__)

ROOT = "/organisations/<int:organisation_id>"


def _organisation_or_404(organisation_id: int, allowed=may_see_contracts) -> Organisation:
    """The organisation if the current user may see its area and ``allowed`` (a question of
    ``helpdesk.permissions``) lets them; a 404 otherwise, before any input is read."""
    if not (
        may_see_contracts(current_user, organisation_id) and allowed(current_user, organisation_id)
    ):
        abort(404)
    organisation = Organisation.get_or_none(Organisation.id == organisation_id)
    if organisation is None:
        abort(404)
    return organisation


@bp.get("/organisation/development")
@require_customer
def projects():
    """The customer's development projects (DOC-4)."""
    return render("contracts/projects.html", projects=project_list.projects_for(current_user))


def _agent(user, organisation_id: int) -> bool:
    return may_work_cases(user)


@bp.get("/contracts")
@login_required
def mine():
    """A customer's own area; an agent's list of organisations."""
    if may_work_cases(current_user):
        organisations = Organisation.select().order_by(Organisation.name).limit(500)
        return render("contracts/organisations.html", organisations=list(organisations))
    if not may_see_contracts(current_user, current_user.organisation_id):
        abort(404)
    return redirect(url_for(".index", organisation_id=current_user.organisation_id))


@bp.get(ROOT + "/contracts")
@login_required
def index(organisation_id: int):
    return _page(_organisation_or_404(organisation_id))


@bp.post(ROOT + "/contracts")
@login_required
def add(organisation_id: int):
    organisation = _organisation_or_404(organisation_id, _agent)
    form = request.form
    try:
        service.add_contract(
            current_user,
            organisation,
            kind=form.get("kind", ""),
            title=form.get("title", ""),
            contract_class=form.get("contract_class", ""),
            starts_on=_day(form.get("starts_on"), "starts_on"),
            ends_on=_day(form.get("ends_on"), "ends_on"),
            notice_period=form.get("notice_period", ""),
            product_ids=_ids(form.getlist("products")),
            units_bought=_number(form.get("units_bought")),
        )
    except service.ContractError as error:
        return _page(organisation, failure=("contract", error), status=422)
    flash(_("The contract was added."), "info")
    return redirect(url_for(".index", organisation_id=organisation.id), 303)


@bp.post(ROOT + "/contracts/<int:contract_id>/files")
@login_required
def add_file(organisation_id: int, contract_id: int):
    organisation = _organisation_or_404(organisation_id, _agent)
    contract = Contract.get_or_none(
        (Contract.id == contract_id) & (Contract.organisation == organisation.id)
    )
    if contract is None:
        abort(404)
    try:
        service.attach_file(current_user, contract, *_upload())
    except service.ContractError as error:
        return _page(organisation, failure=(f"contract-{contract.id}", error), status=422)
    flash(_("The file was added."), "info")
    return redirect(url_for(".index", organisation_id=organisation.id), 303)


@bp.get(ROOT + "/contracts/files/<int:file_id>")
@login_required
def contract_file(organisation_id: int, file_id: int):
    organisation = _organisation_or_404(organisation_id)
    found = (
        ContractFile.select()
        .join(Contract)
        .where((ContractFile.id == file_id) & (Contract.organisation == organisation.id))
        .first()
    )
    return _download(found)


@bp.post(ROOT + "/agreement/issue")
@login_required
def issue(organisation_id: int):
    organisation = _organisation_or_404(organisation_id, may_sign_agreement)
    return _step(organisation, lambda: agreement.issue(current_user, organisation))


@bp.post(ROOT + "/agreement/signed")
@login_required
def signed(organisation_id: int):
    organisation = _organisation_or_404(organisation_id, may_sign_agreement)
    return _step(
        organisation, lambda: agreement.upload_signed(current_user, organisation, *_upload())
    )


@bp.post(ROOT + "/agreement/countersigned")
@login_required
def countersigned(organisation_id: int):
    organisation = _organisation_or_404(organisation_id, _agent)
    return _step(
        organisation,
        lambda: agreement.upload_countersigned(current_user, organisation, *_upload()),
    )


@bp.get(ROOT + "/agreement/files/<int:file_id>")
@login_required
def agreement_file(organisation_id: int, file_id: int):
    organisation = _organisation_or_404(organisation_id)
    found = AgreementFile.get_or_none(
        (AgreementFile.id == file_id) & (AgreementFile.organisation == organisation.id)
    )
    return _download(found)


@bp.route("/admin/agreement-template", methods=["GET", "POST"])
@require_admin
def template():
    failure = None
    if request.method == "POST":
        try:
            agreement.upload_template(current_user, *_upload())
        except service.ContractError as error:
            failure = error
        else:
            flash(_("The agreement template was uploaded."), "info")
            return redirect(url_for(".template"), 303)
    return render(
        "contracts/template.html",
        status=422 if failure else 200,
        current=agreement.template(),
        failure=failure,
    )


@bp.get("/admin/agreement-template/file")
@require_admin
def template_file():
    return _download(agreement.template())


def _step(organisation: Organisation, action):
    try:
        action()
    except service.ContractError as error:
        return _page(organisation, failure=("agreement", error), status=422)
    flash(_("The data-processing agreement was updated."), "info")
    return redirect(url_for(".index", organisation_id=organisation.id), 303)


def _upload() -> tuple[str, bytes]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise service.ContractError(_("Please choose a file."), "file")
    return upload.filename, upload.stream.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)


def _ids(values: list[str]) -> list[int]:
    """Ids chosen in a list; anything else is refused as not from the list."""
    if not all(v.isascii() and v.isdigit() and len(v) <= 9 for v in values):
        raise service.ContractError(_("Please choose products from the list."), "products")
    return [int(v) for v in values]


def _number(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 6 else None


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise service.ContractError(_("Please give a date as YYYY-MM-DD."), field) from None


def _download(found):
    if found is None:
        abort(404)
    return serve(found)


def _page(organisation: Organisation, failure=None, status: int = 200):
    agent = may_work_cases(current_user)
    state = agreement.agreement_of(organisation)
    documents = agreement.documents(organisation)
    context = {
        "organisation": organisation,
        "contracts": service.contracts_of(organisation.id),
        "kind_label": service.kind_label,
        "agreement": state,
        "documents": documents,
        # The customer sees the countersigned version in place of the blank.
        "shown_agreement": documents.get("countersigned") or documents.get("blank"),
        "may_sign": may_sign_agreement(current_user, organisation.id),
        "has_template": agreement.template() is not None,
        "balances": units.balances(organisation.id),
        "months": statements.recent_months(utcnow().date()),
        "pages": [
            (page, markdown.render(str(page.content)))
            for page in service.document_pages(current_user, organisation)
        ],
        "agent": agent,
        "failure": failure,
        "typed": request.form if request.method == "POST" else {},
    }
    if agent:
        context |= {
            "kinds": service.kinds(),
            "classes": current_policy().contract_classes,
            "products": list(Product.select().where(Product.active).order_by(Product.id)),
            "open_cases": list(
                Case.select()
                .where((Case.organisation == organisation.id) & (Case.is_open == True))  # noqa: E712
                .order_by(Case.id.desc())
                .limit(20)
            ),
        }
    return render("contracts/index.html", status=status, **context)
