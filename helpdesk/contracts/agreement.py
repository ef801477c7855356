"""The data-processing agreement (AVV, DOC-2) as a workflow: none -> blank issued -> signed ->
countersigned.

The vendor uploads a template (a PDF). Issuing makes the organisation's blank: a cover page
made out to it (name and addresses, written with fpdf2) in front of the template's pages
(joined with pypdf). The customer's portal admin uploads the signed copy, or an agent attaches
one that came by mail; the vendor uploads the countersigned version, which replaces the blank
in the customer's view. Each step keeps its file, sets its timestamp, writes an audit row and
mails the people concerned, all in one transaction.
"""

import io

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from helpdesk import audit
from helpdesk.accounts.models import CustomerRole, Organisation, User
from helpdesk.cases import files
from helpdesk.contracts.models import Agreement, AgreementFile
from helpdesk.contracts.service import ContractError, people_of
from helpdesk.db import db
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.i18n import speaking
from helpdesk.mail import notify
from helpdesk.permissions import ensure, ensure_admin, ensure_agent, may_sign_agreement
from helpdesk.timeutil import utcnow

PDF = "application/pdf"


def template() -> AgreementFile | None:
    """The vendor's current template, if one was uploaded."""
    return (
        AgreementFile.select()
        .where(AgreementFile.organisation.is_null() & (AgreementFile.kind == "template"))
        .order_by(AgreementFile.id.desc())
        .first()
    )


def agreement_of(organisation: Organisation) -> Agreement:
    """The organisation's agreement (unsaved, state "none", when nothing happened yet)."""
    found = Agreement.get_or_none(Agreement.organisation == organisation.id)
    return found or Agreement(organisation=organisation)


def documents(organisation: Organisation) -> dict[str, AgreementFile]:
    """The newest file of each step, by kind (blank, signed, countersigned)."""
    rows = AgreementFile.select().where(AgreementFile.organisation == organisation.id)
    return {row.kind: row for row in rows.order_by(AgreementFile.id)}


def upload_template(actor: User, filename: str, data: bytes) -> AgreementFile:
    """A vendor admin uploads the template every blank is made from."""
    ensure_admin(actor)
    _pages(data)  # refuse what pypdf cannot read before it is kept
    with db.atomic():
        kept = _keep(actor, None, "template", filename, data)
        audit.record(actor, "agreement.template", kept, None, {"file": kept.filename})
    return kept


def issue(actor: User, organisation: Organisation) -> AgreementFile:
    """Make the organisation's blank AVV from the template (none -> issued)."""
    ensure(
        may_sign_agreement(actor, organisation.id),
        _l("Only the portal admin or an agent may request the agreement."),
    )
    agreement = agreement_of(organisation)
    if agreement.state != "none":
        raise ContractError(_l("The agreement has already been issued."))
    source = template()
    if source is None:
        raise ContractError(_l("The vendor has not provided an agreement template yet."))
    blank = blank_pdf(organisation, files.path_of(source.stored_name).read_bytes())
    now = utcnow()
    with db.atomic():
        kept = _keep(actor, organisation, "blank", _("data-processing-agreement.pdf"), blank)
        Agreement.create(organisation=organisation, issued_at=now)
        _step(actor, organisation, "agreement.issued", "issued", _portal_admins(organisation))
    return kept


def upload_signed(actor: User, organisation: Organisation, filename: str, data: bytes):
    """The signed copy (issued -> signed): the portal admin's upload, or an agent's."""
    ensure(
        may_sign_agreement(actor, organisation.id),
        _l("Only the portal admin or an agent may upload the signed agreement."),
    )
    return _advance(
        actor, organisation, "issued", "signed", filename, data, _vendor_people(organisation)
    )


def upload_countersigned(actor: User, organisation: Organisation, filename: str, data: bytes):
    """The vendor's countersigned version (signed -> countersigned); agents only."""
    ensure_agent(actor, _l("Only the vendor countersigns the agreement."))
    return _advance(
        actor,
        organisation,
        "signed",
        "countersigned",
        filename,
        data,
        _portal_admins(organisation),
    )


def _advance(actor, organisation, expected, step, filename, data, recipients):
    agreement = agreement_of(organisation)
    if agreement.state != expected:
        raise ContractError(_l("The agreement is not waiting for this document."), "file")
    _pages(data)
    with db.atomic():
        kept = _keep(actor, organisation, step, filename, data)
        setattr(agreement, f"{step}_at", utcnow())
        agreement.save()
        _step(actor, organisation, f"agreement.{step}", step, recipients)
    return kept


def _keep(actor, organisation, kind, filename, data) -> AgreementFile:
    try:
        stored = files.store(filename, data)
    except files.UploadError as error:
        raise ContractError(str(error), "file") from error
    if stored.content_type != PDF:
        files.remove(stored.stored_name)
        raise ContractError(_l("Please upload the agreement as a PDF file."), "file")
    return AgreementFile.create(
        organisation=organisation, kind=kind, uploaded_by=actor, **vars(stored)
    )


def _pages(data: bytes) -> int:
    """The number of pages of a readable PDF; ``ContractError`` for anything else."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return len(PdfReader(io.BytesIO(data)).pages)
    except (PyPdfError, ValueError, KeyError, TypeError) as error:
        raise ContractError(_l("Please upload the agreement as a PDF file."), "file") from error


def _step(actor, organisation, action, step, recipients) -> None:
    audit.record(actor, action, organisation, {}, {"agreement": step})
    for person in recipients:
        notify.send("agreement_step", person, step=step, organisation=organisation)


def _portal_admins(organisation: Organisation) -> list[User]:
    return people_of(organisation.id, CustomerRole.PORTAL_ADMIN)


def _vendor_people(organisation: Organisation) -> list[User]:
    """Who at the vendor hears of a signed copy: the customer's account manager, else the
    vendor's admins."""
    manager = organisation.account_manager
    if manager is not None and manager.active:
        return [manager]
    return list(
        User.select().where((User.kind == "agent") & User.is_admin & User.active).order_by(User.id)
    )


def blank_pdf(organisation: Organisation, template_pdf: bytes) -> bytes:
    """The blank made out to ``organisation``: a cover page, then the template's pages."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    with speaking(current_app.config["BABEL_DEFAULT_LOCALE"]):
        lines = [
            (16, _("Data-processing agreement")),
            (12, _("Made out to: %(name)s", name=organisation.name)),
        ]
        for label, address in (
            (_("Correspondence address"), organisation.correspondence_address),
            (_("Billing address"), organisation.billing_address),
        ):
            if address:
                lines.append((11, f"{label}:\n{address.strip()}"))
        lines.append((11, _("Issued on %(date)s", date=format_date(utcnow().date()))))
        lines.append((10, _("Please sign the agreement and upload the signed copy in the portal.")))
    pdf = FPDF()
    pdf.set_title(latin1(lines[0][1]))
    pdf.add_page()
    for size, text in lines:
        pdf.set_font("helvetica", size=size)
        pdf.multi_cell(0, size * 0.6, latin1(text))
        pdf.ln(4)
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(bytes(pdf.output()))))
    writer.append(PdfReader(io.BytesIO(template_pdf)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def latin1(text: str) -> str:
    """The PDF's core font writes Latin-1; other characters become "?"."""
    return str(text).encode("latin-1", "replace").decode("latin-1")
