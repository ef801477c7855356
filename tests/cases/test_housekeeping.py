"""Uploads: content decides the type, and abandoned pending uploads are cleaned up."""

from datetime import timedelta

import pytest

from helpdesk.cases import files, service, tasks, uploads
from helpdesk.cases.models import Attachment
from helpdesk.timeutil import utcnow

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


def test_text_behind_an_image_name_is_refused(ctx):
    with pytest.raises(files.UploadError, match="does not contain what its name says"):
        files.store("screenshot.png", b"<html><script>alert(1)</script></html>")
    assert files.store("error.log", b"Traceback: boom\n").content_type == "text/plain"
    assert files.store("screen.png", PNG).content_type == "image/png"


def test_executables_are_refused_whatever_their_name(ctx):
    with pytest.raises(files.UploadError):
        files.store("harmless.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64)


def test_abandoned_pending_uploads_are_removed_with_their_files(ctx, open_case):
    person = ctx["mia.member"]
    old = uploads.pending_upload(person, files.store("old.log", b"old"))
    fresh = uploads.pending_upload(person, files.store("fresh.log", b"fresh"))
    kept = uploads.pending_upload(person, files.store("kept.log", b"kept"))
    service.add_message(open_case(), person, "with file", attachments=[kept])
    day_ago = utcnow() - timedelta(days=2)
    Attachment.update(created_at=day_ago).where(Attachment.id.in_([old.id, kept.id])).execute()

    assert tasks.remove_abandoned_uploads.call_local() == 1

    remaining = {a.id for a in Attachment.select()}
    assert remaining == {fresh.id, kept.id}  # the attached one stays, however old
    assert not files.path_of(old.stored_name).exists()
    assert files.path_of(kept.stored_name).exists()
