"""The portal's test fixtures (``make_app``, ``demo_people``, the role clients) with this
plugin enabled: ``app`` is overridden, so every fixture built on it is the Swiss portal.

The fixtures come from the portal's test helpers (run with ``-p tests.conftest`` from the
portal's checkout until they are an installed pytest plugin)."""

import pytest


@pytest.fixture
def app(make_app):
    """The portal with the plugin enabled by its entry point name, as an installation does."""
    return make_app("swiss_hosting")
