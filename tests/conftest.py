"""What only this repository's tests share; the fixtures themselves come from the installed
pytest plugin ``helpdesk.testing`` (``make_app``, ``app``, the clients, ``demo_people``,
``open_case``, ``smtp_server``, ``clock``), as they do for a plugin in its own package.

The database is chosen by ``DATABASE_URL``: unset, a fresh SQLite file per session; set to a
PostgreSQL URL, a fresh database is created beside the named one for this session and dropped
afterwards. ``REDIS_URL`` set puts huey on Redis (under a name of its own) for the tests that
use a real queue; all others run tasks immediately.
"""

from pathlib import Path

import pytest

from helpdesk import plugins
from helpdesk.plugins import discover
from helpdesk.testing import DEMO_PASSWORD, SECRET, fresh_postgres_database

__all__ = ["DEMO_PASSWORD", "ROOT", "SECRET", "VENDOR_PLUGINS", "fresh_postgres_database"]

ROOT = Path(__file__).resolve().parent.parent


def vendor_plugins(folder: Path = ROOT / "plugins") -> list[str]:
    """Every plugin the suite's plugin tests run for: those in ``folder`` and those installed
    with an entry point in the group ``helpdesk``, found as the portal finds them."""
    return sorted(discover(folder))


VENDOR_PLUGINS = vendor_plugins()


@pytest.fixture(autouse=True)
def _marked_hooks_reach_a_plugin(request, monkeypatch):
    """A test marked ``@pytest.mark.hook("helpdesk_...")`` fails unless the portal called that
    hook with a plugin's implementation among those asked (not the core's alone): the marks
    are the registry of which test covers which hook (``tests/test_hooks.py``)."""
    marked = {name for mark in request.node.iter_markers("hook") for name in mark.args}
    if not marked:
        yield
        return
    called = set()

    def before(hook_name, hook_impls, kwargs):
        if any(not impl.plugin_name.startswith("core") for impl in hook_impls):
            called.add(hook_name)

    def build_recording_manager(app, core, extra=()):
        manager = build_manager(app, core, extra)
        manager.add_hookcall_monitoring(before, lambda *_: None)
        return manager

    build_manager = plugins.build_manager
    monkeypatch.setattr(plugins, "build_manager", build_recording_manager)
    yield
    if marked - called:
        pytest.fail(f"marked for {sorted(marked - called)}, which no plugin was asked")
