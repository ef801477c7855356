"""The admin's settings (issue 16, ``/admin/settings``): whether agents must sign in with a
second factor, and the vendor's face (name, colour, logo, favicon) over the plugin's.

Kept in the small key-value table ``portal_setting``; each process keeps the whole table for
``CACHE_SECONDS`` (``current``), so pages pay no query for it: a change shows at once in the
process that saved it, in the others within that time. The logo and favicon are uploads
re-encoded as PNG (nothing of the upload is served as it came) and served from
``/brand/<kind>`` as images the browser must not sniff.
"""

import base64
import hashlib
import re
import time
from dataclasses import replace

from flask import current_app, has_app_context
from peewee import CharField, DateTimeField, TextField

from helpdesk import audit
from helpdesk.accounts import profile
from helpdesk.db import BaseModel, db
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.policy import Branding, Label
from helpdesk.timeutil import utcnow

#: The keys of what the admin can set (``audit.FIELDS`` names them on the audit page).
TWO_FACTOR = "two_factor_for_agents"
NAME, COLOUR = "brand_name", "brand_colour"
IMAGES = {"logo": (480, 128), "favicon": (64, 64)}  # kind: the largest size kept
MAX_NAME = 100
CACHE_SECONDS = 30


class PortalSetting(BaseModel):
    key = CharField(max_length=50, primary_key=True)
    value = TextField()
    updated_at = DateTimeField(default=utcnow)


class SettingsError(ValueError):
    """A setting refused; ``field`` names the form field it belongs to."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field


def current() -> dict[str, str]:
    """Every setting, read at most once in ``CACHE_SECONDS`` by this process."""
    kept = current_app.extensions.get("portal_settings") if has_app_context() else None
    if kept is not None and kept[0] > time.monotonic():
        return kept[1]
    values = {row.key: row.value for row in PortalSetting.select()}
    if has_app_context():
        current_app.extensions["portal_settings"] = (time.monotonic() + CACHE_SECONDS, values)
    return values


def two_factor_required(user) -> bool:
    """Whether ``user`` must have a second factor before working: agents, when the admin
    says so."""
    return bool(user.is_agent and current().get(TWO_FACTOR) == "1")


def branding(base: Branding) -> Branding:
    """``base`` (the plugin's answer) with what the admin set in its place."""
    values = current()
    changes = {}
    if values.get(NAME):
        changes["name"] = Label(values[NAME], values[NAME])
    if values.get(COLOUR):
        changes["colour"] = values[COLOUR]
    for kind in IMAGES:
        stored = values.get(f"brand_{kind}")
        if stored:
            # the digest in the address: a new picture is a new address, the old one stays cached
            version = hashlib.sha256(stored.encode()).hexdigest()[:12]
            changes[kind] = f"/brand/{kind}?v={version}"
    return replace(base, **changes) if changes else base


def image(kind: str) -> bytes | None:
    """The stored PNG of ``kind`` (logo or favicon), if the admin uploaded one."""
    stored = current().get(f"brand_{kind}") if kind in IMAGES else None
    return base64.b64decode(stored) if stored else None


def save(
    actor,
    *,
    two_factor_for_agents: bool,
    name: str,
    colour: str,
    uploads: dict[str, bytes],
    removals: set[str] = frozenset(),
) -> dict:
    """Check and store the settings; ``uploads`` are new pictures by kind, ``removals`` the
    kinds to drop. Audited with what changed (pictures by a digest). Returns the changes."""
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        raise SettingsError("name", _l("At most %(count)s characters.", count=MAX_NAME))
    colour = colour.strip().lower()
    if colour and not re.fullmatch(r"#[0-9a-f]{6}", colour):
        raise SettingsError("colour", _l("A colour as #rrggbb, for example #1f5fbf."))
    wanted = {TWO_FACTOR: "1" if two_factor_for_agents else "", NAME: name, COLOUR: colour}
    for kind, data in uploads.items():
        try:
            png = profile.clean_picture(data, IMAGES[kind])
        except profile.PictureError as error:
            raise SettingsError(kind, error) from None
        wanted[f"brand_{kind}"] = base64.b64encode(png).decode()
    for kind in removals - set(uploads):
        wanted[f"brand_{kind}"] = ""
    before_values = current()
    changed = {key: value for key, value in wanted.items() if before_values.get(key, "") != value}
    if not changed:
        return {}
    with db.atomic():
        now = utcnow()
        for key, value in changed.items():
            (
                PortalSetting.insert(key=key, value=value, updated_at=now)
                .on_conflict(
                    conflict_target=[PortalSetting.key],
                    update={PortalSetting.value: value, PortalSetting.updated_at: now},
                )
                .execute()
            )
        audit.record(
            actor,
            "settings.changed",
            PortalSetting(key="portal"),
            {key: _logged(key, before_values.get(key, "")) for key in changed},
            {key: _logged(key, value) for key, value in changed.items()},
        )
    if has_app_context():
        current_app.extensions.pop("portal_settings", None)
    return changed


def _logged(key: str, value: str):
    """A setting as the audit log keeps it: a flag as yes or no, a picture by its digest."""
    if key == TWO_FACTOR:
        return value == "1"
    if key.startswith("brand_") and key not in (NAME, COLOUR):
        return hashlib.sha256(value.encode()).hexdigest()[:12] if value else ""
    return value
