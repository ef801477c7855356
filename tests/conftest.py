"""What only this repository's tests share; the fixtures themselves come from the installed
pytest plugin ``helpdesk.testing`` (``make_app``, ``app``, the clients, ``demo_people``,
``open_case``, ``smtp_server``, ``clock``), as they do for a plugin in its own package.

The database is chosen by ``DATABASE_URL``: unset, a fresh SQLite file per session; set to a
PostgreSQL URL, a fresh database is created beside the named one for this session and dropped
afterwards. ``REDIS_URL`` set puts huey on Redis (under a name of its own) for the tests that
use a real queue; all others run tasks immediately.
"""

from pathlib import Path

from helpdesk.plugins import discover
from helpdesk.testing import DEMO_PASSWORD, SECRET, fresh_postgres_database

__all__ = ["DEMO_PASSWORD", "ROOT", "SECRET", "VENDOR_PLUGINS", "fresh_postgres_database"]

ROOT = Path(__file__).resolve().parent.parent

#: Every plugin the suite's plugin tests run for: the ``plugins/`` folder's and those
#: installed with an entry point in the group ``helpdesk``.
VENDOR_PLUGINS = sorted(discover(ROOT / "plugins"))
