"""Password hashing with argon2id; old hashes are upgraded when their owner signs in."""

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

# argon2id with one of OWASP's recommended settings (12 MiB, three passes, one lane: its
# Password Storage Cheat Sheet counts each of its settings as strong as the others, trading
# memory for passes, and all as strong as argon2-cffi's default of 64 MiB and three passes,
# which RFC 9106 names for machines short of memory). A web worker holds a hash's memory at
# its peak: 64 MiB put each worker's peak at 141-147 MB after a sign-in, 19 MiB (OWASP's
# first setting) at about 101 MB, 12 MiB keeps it under issue 19's 100 MB, at about the same
# CPU per check (34 against 39 ms). Hashes made with other settings still verify and are
# made anew at their owner's next sign-in (``needs_rehash``).
_hasher = PasswordHasher(time_cost=3, memory_cost=12 * 1024, parallelism=1)


# Verifying against this keeps the time of a failed sign-in for an unknown address close to
# the time for a known one, so response times do not reveal who has an account.
# Made on first use, not at import: a worker that never checks a password (most of them, most
# of the time) then never holds a hash's memory.
@cache
def _dummy_hash() -> str:
    return _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


# The policy for a newly chosen password (ACC-1): long enough, not a well-known one, not the
# person's own address or name. Shown as criteria wherever a password is chosen
# (templates/accounts/_password.html) and enforced by ``PasswordPolicy`` in the forms.

_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def min_length() -> int:
    return current_app.config["PASSWORD_MIN_LENGTH"]


def problems(password: str, email: str = "", name: str = "") -> list[str]:
    """Why ``password`` may not be chosen (translated), or an empty list."""
    found = []
    if len(password) < min_length():
        found.append(_("Use at least %(count)d characters.", count=min_length()))
    lowered = password.strip().lower()
    if lowered in common_passwords():
        found.append(_("This password is on a list of well-known passwords."))
    own = {email.strip().lower(), email.strip().lower().partition("@")[0], name.strip().lower()}
    if lowered in own - {""}:
        found.append(_("Do not use your address or your name as the password."))
    return found
