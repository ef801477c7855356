"""Finding, enabling and checking plugins (PLUG-1, PLUG-2)."""

import sys
import textwrap

import pytest
from pluggy import PluginValidationError

from helpdesk.hookspecs import hookimpl
from helpdesk.plugins import PluginError
from tests.conftest import VENDOR_PLUGINS


def test_unknown_plugin_name_stops_the_start(make_app):
    with pytest.raises(PluginError, match=r"no_such_vendor.*available: .*erp_handbook"):
        make_app("no_such_vendor")


def test_misspelled_hook_is_caught_at_start(make_app):
    class Misspelled:
        @hookimpl
        def helpdesk_case_typez(self):
            return []

    with pytest.raises(PluginValidationError, match="helpdesk_case_typez"):
        make_app(Misspelled())


def test_core_defaults_are_registered_trylast(app):
    manager = app.extensions["plugins"]
    implementations = manager.hook.helpdesk_case_types.get_hookimpls()
    core = [impl for impl in implementations if impl.plugin_name == "core"]
    assert core and all(impl.trylast for impl in core)


def test_manager_lives_on_each_app(make_app):
    first, second = make_app(), make_app(VENDOR_PLUGINS[0])
    assert first.extensions["plugins"] is not second.extensions["plugins"]
    assert first.extensions["plugins"].get_plugin(VENDOR_PLUGINS[0]) is None
    assert second.extensions["plugins"].get_plugin(VENDOR_PLUGINS[0]) is not None


def test_plugin_from_a_folder_module_and_package(make_app, tmp_path):
    folder = tmp_path / "plugins"
    (folder / "as_package").mkdir(parents=True)
    (folder / "as_module.py").write_text(
        textwrap.dedent(
            """
            from helpdesk.hookspecs import hookimpl
            from helpdesk.policy import CaseType, Label

            @hookimpl
            def helpdesk_case_types():
                return [CaseType("from_module", Label("Modul", "Module"))]
            """
        )
    )
    (folder / "as_package" / "__init__.py").write_text(
        "from .teams import helpdesk_teams  # noqa: F401\n"
    )
    (folder / "as_package" / "teams.py").write_text(
        textwrap.dedent(
            """
            from helpdesk.hookspecs import hookimpl

            @hookimpl
            def helpdesk_teams():
                return [("support", "Support"), ("pkg", "From a package")]
            """
        )
    )
    app = make_app("as_module", "as_package", PLUGINS_FOLDER=str(folder))
    assert [t.key for t in app.extensions["policy"].case_types] == ["from_module"]
    assert app.extensions["plugins"].hook.helpdesk_teams()[1] == ("pkg", "From a package")


def test_plugin_from_an_entry_point(make_app, tmp_path, monkeypatch):
    """A package installed with an entry point in the ``helpdesk`` group is found by name."""
    (tmp_path / "vendor_pkg.py").write_text(
        textwrap.dedent(
            """
            from helpdesk.hookspecs import hookimpl

            @hookimpl
            def helpdesk_teams():
                return [("support", "Support"), ("ep", "Entry point team")]
            """
        )
    )
    dist = tmp_path / "vendor_pkg-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: vendor-pkg\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[helpdesk]\nfrom_entry_point = vendor_pkg\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        app = make_app("from_entry_point")
        assert app.extensions["plugins"].hook.helpdesk_teams()[1] == ("ep", "Entry point team")
    finally:
        sys.modules.pop("vendor_pkg", None)


def test_disabled_folder_plugins_are_never_imported(make_app, tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "broken.py").write_text("raise RuntimeError('imported although not enabled')\n")
    make_app(PLUGINS_FOLDER=str(folder))
    with pytest.raises(RuntimeError, match="imported although not enabled"):
        make_app("broken", PLUGINS_FOLDER=str(folder))
