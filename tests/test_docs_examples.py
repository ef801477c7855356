"""Every python example of docs/plugins.md runs (PLUG-4), by what its first line says:

- ``# plugins/NAME.py``: a plugin file. Enabled by name, the app must start.
- ``# tests/NAME.py``: a test module, run by pytest in a process of its own, as a plugin's
  author runs it: the fixtures of ``helpdesk.testing``, the page's plugin files in the
  plugins folder.
- ``# instance/config.py``: the configuration; the app factory reads it from the instance
  folder and must enable what it names.
- Anything else is a piece of a plugin module, run after the imports the page says the
  pieces leave out (its blocks of imports alone, and ``hookimpl``). Registered as a plugin,
  the app must start, and each of its hooks without arguments must answer.
"""

import ast
import importlib.util
import inspect
import os
import re
import subprocess
import sys
import textwrap

import pytest

from helpdesk import create_app
from helpdesk.testing import SECRET
from tests.conftest import ROOT

DOCS = ROOT / "docs" / "plugins.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", DOCS.read_text(), re.MULTILINE | re.DOTALL)
FILE_LINE = re.compile(r"# ((plugins|tests|instance)/[\w/]+\.py)\n")


def _files(kind: str) -> dict[str, str]:
    """The blocks whose first line names a file under ``kind/``: path -> text."""
    found = {}
    for block in BLOCKS:
        match = FILE_LINE.match(block)
        if match and match.group(2) == kind:
            found[match.group(1)] = block
    return found


def _imports_only(block: str) -> bool:
    return all(isinstance(node, ast.Import | ast.ImportFrom) for node in ast.parse(block).body)


PLUGIN_FILES, TEST_FILES, CONFIG_FILES = _files("plugins"), _files("tests"), _files("instance")
PIECES = [block for block in BLOCKS if not FILE_LINE.match(block)]
PRELUDE = "from helpdesk.hookspecs import hookimpl\n" + "".join(
    block for block in PIECES if _imports_only(block)
)


@pytest.fixture
def plugins_folder(tmp_path):
    """The page's plugin files, in a folder of their own."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    for path, text in PLUGIN_FILES.items():
        (tmp_path / path).write_text(text)
    return folder


def test_the_page_has_examples_of_every_kind():
    assert PLUGIN_FILES and TEST_FILES and CONFIG_FILES and len(PIECES) > 20
    assert "SlaPolicy" in PRELUDE and "MailCase" in PRELUDE and "BusinessCalendar" in PRELUDE


@pytest.mark.parametrize("path", sorted(PLUGIN_FILES))
def test_plugin_file_starts_an_app(make_app, plugins_folder, path):
    name = path.removeprefix("plugins/").removesuffix(".py")
    app = make_app(name, PLUGINS_FOLDER=str(plugins_folder))
    assert app.extensions["plugins"].has_plugin(name)


@pytest.mark.parametrize("path", sorted(CONFIG_FILES))
def test_configuration_enables_the_plugin(schema, plugins_folder, tmp_path, monkeypatch, path):
    monkeypatch.delenv("HELPDESK_PLUGINS", raising=False)
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(CONFIG_FILES[path])
    app = create_app(
        {
            "TESTING": True,
            "HUEY_IMMEDIATE": True,
            "SECRET_KEY": SECRET,
            "DATABASE_URL": schema,
            "INSTANCE_PATH": str(instance),
            "PLUGINS_FOLDER": str(plugins_folder),
        }
    )
    named = re.search(r"HELPDESK_PLUGINS = \[(.*)\]", CONFIG_FILES[path]).group(1)
    for name in re.findall(r'"(\w+)"', named):
        assert app.extensions["plugins"].has_plugin(name)


def test_the_test_modules_pass(plugins_folder, tmp_path):
    """Run as a plugin's author runs them; ``make_app`` finds the page's plugin files."""
    for path, text in TEST_FILES.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent(
            f"""
            import functools

            import pytest


            @pytest.fixture
            def make_app(make_app):
                return functools.partial(make_app, PLUGINS_FOLDER={str(plugins_folder)!r})
            """
        )
    )
    tests = sum(len(re.findall(r"^def test_", text, re.MULTILINE)) for text in TEST_FILES.values())
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{tests} passed" in run.stdout


@pytest.mark.parametrize(
    "number", [n for n, block in enumerate(PIECES) if not _imports_only(block)]
)
def test_piece_of_a_plugin_runs_in_an_app(make_app, tmp_path, monkeypatch, number):
    name = f"docs_example_{number}"
    path = tmp_path / f"{name}.py"
    path.write_text(PRELUDE + "\n" + PIECES[number])
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)  # a blueprint finds its folder by it
    spec.loader.exec_module(module)
    make_app(module)
    hooks = [
        function
        for hook, function in inspect.getmembers(module, inspect.isfunction)
        if hook.startswith("helpdesk_") and not inspect.signature(function).parameters
    ]
    for hook in hooks:
        assert hook() is not None, hook.__name__
