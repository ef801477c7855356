"""The personal profile (ACC-5): name, phone, language, time zone and a picture.

A picture is only ever kept as we drew it ourselves: Pillow must recognise a raster image
of an accepted format within the size limits, and it is scaled down and written anew as a
PNG. Nothing of the upload survives but pixels: no EXIF (GPS included), no comments, no
trailing bytes a browser could be tricked into reading as something else.
"""

import io
import warnings
import zoneinfo
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from helpdesk import audit
from helpdesk.accounts.models import User
from helpdesk.db import db

PICTURE_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
PICTURE_SIZE = 256  # the longest side as stored
MAX_PICTURE_PIXELS = 40_000_000  # a decompression bomb stops here, before decoding
PROFILE_FIELDS = ("name", "phone", "language", "timezone")


class PictureError(ValueError):
    """A picture that is refused, with the reason in the user's language."""


@cache
def timezones() -> list[str]:
    return sorted(name for name in zoneinfo.available_timezones() if "/" in name)


def update(actor: User, user: User, values: dict) -> User:
    """Store the profile fields in ``values``; audited when the user is someone else's."""
    cleaned = {name: values[name] for name in PROFILE_FIELDS if name in values}
    if "phone" in cleaned:
        cleaned["phone"] = (cleaned["phone"] or "").strip() or None
    with db.atomic():
        before, after = audit.changes(user, list(PROFILE_FIELDS), cleaned)
        if after:
            user.save(only=[getattr(User, name) for name in after])
            audit.record(actor, "user.profile", user, before, after)
    return user


def picture_folder() -> Path:
    folder = Path(current_app.instance_path) / "pictures"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def picture_path(user: User) -> Path:
    return picture_folder() / f"{user.id}.png"


def clean_picture(data: bytes, size: tuple[int, int] = (PICTURE_SIZE, PICTURE_SIZE)) -> bytes:
    """The picture re-encoded as a PNG of at most ``size``; raise ``PictureError`` when
    refused."""
    from PIL import Image, UnidentifiedImageError  # here: most requests never see a picture

    limit = current_app.config["MAX_PICTURE_BYTES"]
    if not data:
        raise PictureError(_("Please choose a picture."))
    if len(data) > limit:
        raise PictureError(
            _("The picture is larger than %(limit)s MB.", limit=limit // (1024 * 1024))
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=sorted(PICTURE_FORMATS))
            if image.width * image.height > MAX_PICTURE_PIXELS:
                raise PictureError(_("The picture has too many pixels."))
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PictureError(_("This is not a PNG, JPEG, GIF or WebP picture.")) from None
    except (OSError, SyntaxError, ValueError):
        raise PictureError(_("The picture is damaged and cannot be read.")) from None
    image = image.convert("RGBA")
    image.thumbnail(size)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def set_picture(actor: User, user: User, data: bytes) -> User:
    """Check, re-encode and store ``data`` as ``user``'s picture."""
    png = clean_picture(data)
    with db.atomic():
        user.picture_version += 1
        user.save(only=[User.picture_version])
        audit.record(actor, "user.picture", user, None, {"picture_version": user.picture_version})
        temporary = picture_path(user).with_suffix(".tmp")
        temporary.write_bytes(png)
        temporary.replace(picture_path(user))
    return user


def remove_picture(actor: User, user: User) -> User:
    with db.atomic():
        if user.picture_version:
            drop_picture(user)
            user.save(only=[User.picture_version])
            audit.record(actor, "user.picture_removed", user, None, None)
    return user


def drop_picture(user: User) -> None:
    """Forget the picture (the caller saves ``user``)."""
    if user.picture_version:
        picture_path(user).unlink(missing_ok=True)
        user.picture_version = 0


def may_see_picture(viewer: User, person: User) -> bool:
    """Same organisation, or one side is an agent: agents see everyone, and customers see
    the agents who answer them."""
    if viewer.is_agent or person.is_agent:
        return True
    return viewer.organisation_id is not None and viewer.organisation_id == person.organisation_id
