"""Case files: taken from a form as pending uploads, served only to those who may see them.

A file is served when its case is visible to the user, it belongs to that case, and
``access.visible_attachments`` lets the user open it (public, and not of a message the
correspondence rule withholds; PERM-1, PERM-3, PERM-4); anything else is a 404 that does not say
whether the file exists. Everything but a few raster image types is a download, never shown
by the browser, and the browser is told not to guess the type.
"""

from flask import abort, current_app, request, send_file
from flask_login import current_user, login_required

from helpdesk.accounts.models import User
from helpdesk.cases import access, files, uploads
from helpdesk.cases.models import Attachment
from helpdesk.cases.views.blueprint import bp

#: A served file may not run anything, even when a browser ends up rendering it.
FILE_CSP = "default-src 'none'; img-src 'self'; sandbox"


@bp.route("/cases/<call_id>/attachments/<int:attachment_id>/<path:filename>")
@login_required
def attachment(call_id: str, attachment_id: int, filename: str):
    # ``filename`` only makes the URL readable and the browser's download name right; the
    # stored name is what is served.
    case = access.case_by_call_id(current_user, call_id)
    if case is None:
        abort(404)
    query = Attachment.select().where(Attachment.id == attachment_id)
    found = access.visible_attachments(current_user, case, query).first()
    if found is None:
        abort(404)
    return send_attachment(found, download=found.content_type not in files.INLINE_SAFE)


def send_attachment(found: Attachment, download: bool = True):
    """The stored file of ``found`` (one its reader may open), never run by a browser."""
    path = files.path_of(found.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=found.content_type,
        as_attachment=download,
        download_name=found.filename,
        etag=found.sha256,
        max_age=None,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["Cache-Control"] = "private, no-store"
    return response


def take_uploads(user: User) -> tuple[list[Attachment], list[str]]:
    """The request's files stored as ``user``'s pending uploads, with those kept from an
    earlier try (``pending`` ids), and the reasons for every file that was refused.

    Refused files are only reported: the caller posts nothing when there are reasons and
    shows the form again with the accepted files kept, so no file has to be chosen twice.
    """
    kept = uploads.pending_uploads(user, request.form.getlist("pending"))
    problems = []
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    for upload in request.files.getlist("files"):
        if not upload or not upload.filename:
            continue  # an empty file input still sends a part
        # One byte over the limit is enough for ``store`` to refuse it.
        data = upload.stream.read(limit + 1)
        try:
            stored = files.store(upload.filename, data)
        except files.UploadError as error:
            problems.append(str(error))
            continue
        kept.append(uploads.pending_upload(user, stored))
    return kept, problems
