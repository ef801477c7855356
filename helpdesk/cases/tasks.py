"""Jobs of cases: large exports and periodic housekeeping."""

from datetime import timedelta

from huey import crontab

from helpdesk.cases import exporting, files
from helpdesk.cases.models import Attachment
from helpdesk.jobs import huey
from helpdesk.timeutil import utcnow

#: How long a file uploaded with a form that never went through is kept.
PENDING_UPLOAD_LIFETIME = timedelta(days=1)


@huey.periodic_task(crontab(minute="17"))
def remove_abandoned_uploads():
    """Delete pending uploads (files of forms never sent) older than a day, rows and files."""
    return remove_pending_before(utcnow() - PENDING_UPLOAD_LIFETIME)


def remove_pending_before(cutoff) -> int:
    abandoned = list(
        Attachment.select(Attachment.id, Attachment.stored_name).where(
            Attachment.case.is_null() & (Attachment.created_at < cutoff)
        )
    )
    for attachment in abandoned:
        files.remove(attachment.stored_name)
    if abandoned:
        Attachment.delete().where(Attachment.id.in_([a.id for a in abandoned])).execute()
    return len(abandoned)


@huey.task()
def prepare_export(export_id: int):
    """Write a large case export and mail its link (``exporting.prepare``)."""
    export = exporting.prepare(export_id)
    return export.id if export else None


@huey.periodic_task(crontab(minute="23"))
def remove_expired_exports():
    """Delete the case exports past their lifetime, rows and files."""
    return exporting.remove_expired()
