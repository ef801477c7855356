"""``flask new-plugin NAME`` (PLUG-4): the skeleton it writes is a working plugin whose own
tests pass with the fixtures of ``helpdesk.testing``, and it follows the house style."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


@pytest.fixture
def written(app, tmp_path):
    """The skeleton of ``shop_vendor`` as the command writes it into ``tmp_path``."""
    result = app.test_cli_runner().invoke(
        args=["new-plugin", "shop_vendor", "--directory", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    return tmp_path / "shop_vendor"


def test_the_skeleton_has_an_entry_point_hooks_and_tests(written):
    assert (
        '[project.entry-points.helpdesk]\nshop_vendor = "shop_vendor"'
        in (written / "pyproject.toml").read_text()
    )
    assert (written / "shop_vendor" / "__init__.py").is_file()
    assert (written / "tests" / "test_shop_vendor.py").is_file()


def test_the_skeleton_loads_as_a_plugin(written, make_app, monkeypatch):
    monkeypatch.syspath_prepend(str(written))
    monkeypatch.delitem(sys.modules, "shop_vendor", raising=False)
    import shop_vendor

    policy = make_app(shop_vendor).extensions["policy"]
    assert [t.key for t in policy.case_types] == ["question", "fault"]
    assert policy.priority_for("fault", "critical", None) == "high"
    assert policy.priority_for("question", "critical", None) == "normal"


def test_the_skeletons_own_tests_pass(written):
    """Run as its author would, in a process of its own, the plugin importable (not
    installed) and the fixtures from the installed ``helpdesk.testing``."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=written,
        env={**os.environ, "PYTHONPATH": str(written)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout


def test_the_skeleton_follows_the_house_style(written):
    for command in (["check"], ["format", "--check"]):
        run = subprocess.run(
            [BIN / "ruff", *command, "--no-cache", "."], cwd=written, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("name", ["MyVendor", "1st", "my-vendor", "class"])
def test_a_name_that_is_no_package_name_is_refused(app, tmp_path, name):
    out = tmp_path / "out"
    result = app.test_cli_runner().invoke(args=["new-plugin", name, "--directory", str(out)])
    assert result.exit_code == 2 and "is no plugin name" in result.output
    assert not out.exists()


def test_an_existing_folder_is_never_overwritten(app, tmp_path):
    (tmp_path / "shop_vendor").mkdir()
    result = app.test_cli_runner().invoke(
        args=["new-plugin", "shop_vendor", "--directory", str(tmp_path)]
    )
    assert result.exit_code == 2 and "exists already" in result.output
    assert list((tmp_path / "shop_vendor").iterdir()) == []
