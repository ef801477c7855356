"""docs/plugins.md documents every hook of the specifications (``helpdesk/hookspecs.py`` and
``helpdesk/demo_hookspecs.py``), and no hook that is gone.

Each hook has a ``### helpdesk_name(arguments)`` heading in the reference; its section names
every argument in backticks and says how answers combine.
"""

import inspect
import re
from pathlib import Path

import pytest

from helpdesk.plugins import HOOKSPECS

DOCS = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
HOOK_HEADING = re.compile(r"(helpdesk_\w+)\((.*)\)")

HOOKS = {
    name: function
    for specs in HOOKSPECS
    for name, function in inspect.getmembers(specs, inspect.isfunction)
    if name.startswith("helpdesk_")
}


def _sections(markdown: str) -> list[tuple[str, list[str]]]:
    """``(heading, body lines)`` for every heading; ``#`` lines inside code fences are text."""
    sections: list[tuple[str, list[str]]] = []
    in_fence = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
        if not in_fence and re.match(r"#{1,6} ", line):
            sections.append((line, []))
        elif sections:
            sections[-1][1].append(line)
    return sections


def _documented_hooks() -> dict[str, tuple[list[str], str]]:
    """Hook name -> (arguments in its ``###`` heading, text of its section)."""
    documented = {}
    for heading, body in _sections(DOCS.read_text()):
        level, _, title = heading.partition(" ")
        match = HOOK_HEADING.fullmatch(title.strip())
        if level != "###" or not match:
            continue
        name, arguments = match.groups()
        assert name not in documented, f"{name} has two headings in {DOCS.name}"
        documented[name] = ([a.strip() for a in arguments.split(",") if a.strip()], "\n".join(body))
    return documented


DOCUMENTED = _documented_hooks()


def test_hooks_are_found():
    assert "helpdesk_init_app" in HOOKS and len(HOOKS) > 5


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_every_helpdesk_function_is_a_hookspec(name):
    assert hasattr(HOOKS[name], "helpdesk_spec"), f"{name} is missing @hookspec"


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_hookspec_has_a_docstring(name):
    assert inspect.getdoc(HOOKS[name]), f"{name} needs a docstring"


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_hook_is_documented_with_its_arguments(name):
    assert name in DOCUMENTED, f"no '### {name}(...)' heading in docs/{DOCS.name}"
    heading_arguments, text = DOCUMENTED[name]
    arguments = list(inspect.signature(HOOKS[name]).parameters)
    assert heading_arguments == arguments, f"heading should read ### {name}({', '.join(arguments)})"
    unexplained = [a for a in arguments if f"`{a}`" not in text]
    assert not unexplained, f"the section of {name} does not explain {unexplained}"


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_hook_section_says_how_answers_combine(name):
    firstresult = HOOKS[name].helpdesk_spec["firstresult"]
    text = DOCUMENTED.get(name, ("", ""))[1]
    expected = "First answer wins" if firstresult else "Collected"
    assert expected in text, f"the section of {name} should say '{expected}'"


def test_no_documented_hook_is_gone():
    named = {
        name
        for heading, _ in _sections(DOCS.read_text())
        for name in re.findall(r"helpdesk_\w+", heading)
    }
    gone = sorted(named - set(HOOKS))
    assert not gone, f"docs/{DOCS.name} documents hooks that no longer exist: {gone}"
