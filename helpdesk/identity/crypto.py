"""Secrets kept in the database (a provider's client secret), encrypted with Fernet.

The key comes from the configuration: ``SECRETS_KEY``, one or more Fernet keys separated by
commas (the first encrypts; all decrypt, so a key can be rotated). Without it the key is
derived from ``SECRET_KEY``: then a new ``SECRET_KEY`` makes the stored secrets unreadable
and an admin enters them again (the provider page says so).
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:  # imported where used: most requests never touch a stored secret
    from cryptography.fernet import MultiFernet


class SecretUnreadable(Exception):
    """A stored secret that none of the configured keys opens."""


def _fernet() -> MultiFernet:
    from cryptography.fernet import Fernet, MultiFernet

    configured = current_app.config.get("SECRETS_KEY") or ""
    keys = [key.strip() for key in configured.split(",") if key.strip()]
    if not keys:
        digest = hashlib.sha256(b"helpdesk-secrets:" + current_app.secret_key.encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(secret: str) -> str:
    """The secret as Fernet token text (safe for a text column)."""
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    """The secret back; raises ``SecretUnreadable`` when no configured key opens it."""
    from cryptography.fernet import InvalidToken

    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError) as error:
        raise SecretUnreadable from error
