"""The hook caller: the running app's plugin manager, for every module that asks the plugins.

It sits on the bottom floor and imports nothing of the domain, so any service may call hooks
without importing the manager's builder (``helpdesk.plugins``), which only the app factory
uses.
"""

import pluggy
from flask import current_app


def plugin_manager() -> pluggy.PluginManager:
    """The plugin manager ``create_app`` built for the current app."""
    return current_app.extensions["plugins"]
