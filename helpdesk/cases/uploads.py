"""Files on their way into a case: kept for the uploader while a form is corrected, then
bound to the case and the timeline entry that carries them."""

from collections.abc import Iterable

from helpdesk.accounts.models import User
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Attachment, Visibility
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.inputs import parse_id


def attach(case, event, uploader, attachments, visibility=Visibility.PUBLIC) -> None:
    """Bind the uploader's pending files to ``case`` and ``event``."""
    ids = [a.id for a in attachments]
    if not ids:
        return
    bound = (
        Attachment.update(case=case, event=event, visibility=visibility)
        .where(
            Attachment.id.in_(ids)
            & Attachment.case.is_null()
            & (Attachment.uploaded_by == uploader)
        )
        .execute()
    )
    if bound != len(ids):
        raise CaseError(_l("A file could not be attached; please upload it again."), "files")


def pending_upload(uploader: User, stored) -> Attachment:
    """Keep a checked file for ``uploader`` until a form that carries it goes through."""
    return Attachment.create(
        uploaded_by=uploader,
        filename=stored.filename,
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
    )


def pending_uploads(uploader: User, ids: Iterable[int]) -> list[Attachment]:
    """The uploader's own pending files among ``ids``; anything else is ignored."""
    ids = [number for number in map(parse_id, ids) if number]
    if not ids:
        return []
    return list(
        Attachment.select().where(
            Attachment.id.in_(ids)
            & Attachment.case.is_null()
            & (Attachment.uploaded_by == uploader)
        )
    )
