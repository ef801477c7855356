"""A process's memory: large blocks go back to the system when they are freed, client
libraries the process never uses stay out of it, and what lives as long as the process stays
out of the garbage collector's way.

glibc's malloc maps a block of 128 KiB or more on its own and unmaps it when freed, but the
first such block freed raises that threshold to its own size (up to 32 MiB): from then on
blocks of that size come from the heap and stay in the process after they are freed. A web
worker's first password check freed argon2's block (19 MiB then) that way, so every later
check took its memory from the heap and the worker kept it, about 20 MB more for the rest of
its life (issue 19: a worker's peak under 100 MB). Setting the threshold fixes it at glibc's
default.
"""

import ctypes
import ctypes.util
import gc
import sys

#: ``mallopt``'s parameter number for the threshold (glibc's ``M_MMAP_THRESHOLD``).
_M_MMAP_THRESHOLD = -3
_DEFAULT_THRESHOLD = 128 * 1024


def return_large_blocks() -> bool:
    """Keep glibc's threshold for mapped blocks where it starts; False where there is no
    glibc (musl, macOS): their allocators return large blocks anyway."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    mallopt = getattr(ctypes.CDLL(name), "mallopt", None)
    if mallopt is None:
        return False
    return mallopt(_M_MMAP_THRESHOLD, _DEFAULT_THRESHOLD) == 1


def leave_out_unused_clients(app) -> list[str]:
    """Keep PostgreSQL's and Redis's client libraries out of a process configured for neither.

    peewee imports psycopg and huey imports redis at their own import, whether or not the
    process ever connects: on the embedded default (SQLite, huey's SQLite queue) they were 15
    of a web worker's 78 MB after start (psycopg's binary with libpq and OpenSSL about 10,
    redis 6; issue 19: a worker's peak under 100 MB). A ``None`` in ``sys.modules`` is
    Python's own way to make an import fail, which both libraries expect when a client is
    not installed. Only for an app that is not a test's: a test process builds many apps, on
    PostgreSQL or Redis after one on neither. Returns the names left out.
    """
    if app.testing:
        return []
    wanted = {
        "psycopg": str(app.config["DATABASE_URL"]).startswith("postgres"),
        "redis": bool(app.config.get("REDIS_URL")),
    }
    left_out = [name for name, used in wanted.items() if not used and name not in sys.modules]
    for name in left_out:
        sys.modules[name] = None
    return left_out


def keep_long_lived_out_of_collections(app) -> None:
    """Leave the objects that building ``app`` made (modules, compiled templates, the policy,
    the plugins: about 120,000) out of the garbage collector's full collections (``gc.freeze``).
    They live as long as the process, and every full collection walked them all again: a
    timer sweep of 10,000 cases spent 0.6 of its 12 s collecting, in eight full collections
    among the others (callgrind, 1,500 due among 100,000, the whole run: 13.55 -> 13.31 G
    instructions). Refcounting still frees a frozen object that is dropped. Only for an app
    that is not a test's: a test process builds many apps and frees them."""
    if not app.testing:
        gc.freeze()
