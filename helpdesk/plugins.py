"""Builds the plugin manager: specifications, the core's defaults (named by the app factory),
then the enabled plugins. Modules that call hooks get the manager from ``helpdesk.hooks``.

Plugins come from the ``helpdesk`` entry-point group and from the ``plugins/`` folder (a
``name.py`` module or a ``name/`` package). Only the names in ``HELPDESK_PLUGINS`` are
imported; a name that matches nothing stops the start with the list of what exists.
"""

import importlib.util
import sys
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import entry_points
from pathlib import Path

import pluggy
from flask import Flask

from helpdesk import demo_hookspecs, hookspecs

#: The hook specifications: the portal's, and those only the demo data asks.
HOOKSPECS = (hookspecs, demo_hookspecs)

PROJECT_NAME = "helpdesk"


class PluginError(RuntimeError):
    """The configuration names a plugin that cannot be found or loaded."""


def plugins_folder(app: Flask) -> Path:
    return Path(app.config.get("PLUGINS_FOLDER") or Path(app.root_path).parent / "plugins")


def discover(folder: Path) -> dict[str, Callable[[], object]]:
    """Every plugin that could be enabled, by name, with a function that loads it."""
    found: dict[str, Callable[[], object]] = {}
    for entry_point in entry_points(group=PROJECT_NAME):
        found[entry_point.name] = entry_point.load
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.name.startswith(("_", ".")):
                continue
            if path.suffix == ".py":
                found[path.stem] = _file_loader(path.stem, path)
            elif (path / "__init__.py").is_file():
                found[path.name] = _file_loader(path.name, path / "__init__.py")
    return found


def _file_loader(name: str, path: Path) -> Callable[[], object]:
    def load():
        module_name = f"helpdesk_plugins.{name}"
        if module_name in sys.modules:
            return sys.modules[module_name]
        spec = importlib.util.spec_from_file_location(
            module_name,
            path,
            submodule_search_locations=[str(path.parent)] if path.name == "__init__.py" else None,
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception:
            del sys.modules[module_name]
            raise
        return module

    return load


def build_manager(
    app: Flask, core: Mapping[str, object], extra: Iterable[object] = ()
) -> pluggy.PluginManager:
    """The manager for ``app``: the ``core``'s own implementations (by name), the configured
    plugins, then ``extra``."""
    manager = pluggy.PluginManager(PROJECT_NAME)
    for specs in HOOKSPECS:
        manager.add_hookspecs(specs)
    for name, module in core.items():
        manager.register(module, name=name)
    wanted = app.config["HELPDESK_PLUGINS"]
    if wanted:
        available = discover(plugins_folder(app))
        unknown = [name for name in wanted if name not in available]
        if unknown:
            raise PluginError(
                f"unknown plugin(s) {', '.join(unknown)} in HELPDESK_PLUGINS; "
                f"available: {', '.join(sorted(available)) or 'none'}"
            )
        for name in wanted:
            manager.register(available[name](), name=name)
    for plugin in extra:
        manager.register(plugin)
    manager.check_pending()
    return manager
