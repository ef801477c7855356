"""The house has floors and no circles (the developer guide's "The shape of ours").

- **Bottom**: configuration, database, i18n, time, the hook caller (``helpdesk.hooks``) and
  the policy objects (``helpdesk.policy``). They import nothing of the areas. (The hook
  specifications name the areas' models in their signatures, so they stand on the models.)
- **Middle**: each area's models and services (``cases.service``, ``mail.outbox``,
  ``sla.timers``...). They may call hooks and the public functions of lower services.
- **Top**: views (modules named ``views`` or ``*_views``, the modules of a ``views`` package,
  and every module that builds a blueprint), the CLI (``helpdesk.cli`` and each area's
  ``cli``), the app factory (``helpdesk``, whose ``create_app`` lists the core's plugins and
  every blueprint), and what stands on the app factory (the worker, the test kit).

The import graph of ``helpdesk/`` is read from the source with ``ast``, imports inside
functions included (they are real dependencies, only later), migrations excluded (they are
frozen copies). The rules: no cycle; nothing below the top floor imports a top-floor module;
the bottom floor imports only itself; no module imports another module's ``_private`` names
(make them public or move them); only the case service and its parts write ``Case`` rows.
"""

import ast
import graphlib
from dataclasses import dataclass
from pathlib import Path

import helpdesk

PACKAGE = Path(helpdesk.__file__).resolve().parent

#: Modules above the app factory: they build an app themselves.
ON_THE_FACTORY = ("helpdesk.worker", "helpdesk.testing")

#: The bottom floor: these import no helpdesk module outside this set.
BOTTOM = {
    "helpdesk.config",
    "helpdesk.db",
    "helpdesk.model_rows",  # the rows of db.Prepared's queries
    "helpdesk.i18n",
    "helpdesk.timeutil",
    "helpdesk.hooks",
    "helpdesk.policy",
    "helpdesk.oneline",
}


@dataclass(frozen=True)
class Import:
    """``importer`` takes ``module`` (a helpdesk module), or the name ``name`` from it."""

    importer: str
    module: str
    name: str | None
    line: int


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name, without the migrations themselves (the
    runner, ``helpdesk.migrations``, counts)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "migrations" in parts[:-1] and parts[-1] != "__init__":
            continue
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = modules()


def _owner(dotted: str) -> str | None:
    """The helpdesk module that defines ``dotted`` (a module or a name in one), if any."""
    while dotted and dotted not in MODULES:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def imports_of(name: str) -> list[Import]:
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if target := _owner(alias.name):
                    found.append(Import(name, target, None, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    found.append(Import(name, f"{base}.{alias.name}", None, node.lineno))
                elif target := _owner(base):
                    found.append(Import(name, target, alias.name, node.lineno))
    return [each for each in found if each.module != name]


IMPORTS = {name: imports_of(name) for name in MODULES}


def is_top(name: str) -> bool:
    parts = name.split(".")
    return (
        name == "helpdesk"
        or name.startswith(ON_THE_FACTORY)
        or parts[-1] in ("views", "cli")
        or parts[-1].endswith("_views")
        or "views" in parts[1:-1]
        or "Blueprint(" in MODULES[name].read_text()
    )


def test_the_graph_is_read():
    """The reader finds what it must (a check of the check): relative imports, imports
    inside functions, and names taken from a module."""
    assert {"helpdesk", "helpdesk.cases.service", "helpdesk.hooks"} <= set(MODULES)
    taken = {(each.module, each.name) for each in IMPORTS["helpdesk"]}
    assert ("helpdesk.plugins", "build_manager") in taken  # inside create_app
    assert any(
        each.module == "helpdesk.cases.views.blueprint"
        for each in IMPORTS["helpdesk.cases.views.detail"]
    )


def test_no_import_cycles():
    graph = {name: {each.module for each in IMPORTS[name]} for name in MODULES}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        # graphlib names each module before the one that imports it
        cycle = " -> ".join(reversed(error.args[1]))
        raise AssertionError(f"import cycle: {cycle}") from None


def test_nothing_below_the_top_floor_imports_views_cli_or_the_app_factory():
    wrong = sorted(
        {
            f"{each.importer}:{each.line} imports {each.module}"
            for name in MODULES
            if not is_top(name)
            for each in IMPORTS[name]
            if is_top(each.module)
        }
    )
    assert not wrong, "\n".join(wrong)


def test_the_bottom_floor_imports_only_the_bottom_floor():
    assert set(MODULES) >= BOTTOM
    wrong = sorted(
        {
            f"{each.importer}:{each.line} imports {each.module}"
            for name in BOTTOM
            for each in IMPORTS[name]
            if each.module not in BOTTOM
        }
    )
    assert not wrong, "\n".join(wrong)


def _private(name: str | None) -> bool:
    return bool(name) and name.startswith("_") and not name.startswith("__")


def _module_aliases(name: str) -> dict[str, str]:
    """The local names under which ``name`` holds other helpdesk modules."""
    aliases = {}
    for node in ast.walk(ast.parse(MODULES[name].read_text())):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                local = alias.asname or alias.name
                if isinstance(node, ast.ImportFrom):
                    dotted = f"{node.module}.{alias.name}" if node.module else None
                    if dotted in MODULES and dotted != name:
                        aliases[local] = dotted
                elif alias.asname and alias.name in MODULES:
                    aliases[local] = alias.name
    return aliases


def test_no_module_uses_another_modules_private_names():
    wrong = [
        f"{each.importer}:{each.line} imports {each.module}.{each.name}"
        for name in MODULES
        for each in IMPORTS[name]
        if _private(each.name)
    ]
    for name, path in MODULES.items():
        aliases = _module_aliases(name)
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and _private(node.attr)
            ):
                wrong.append(f"{name}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    assert not wrong, "\n".join(wrong)


#: The modules that write ``Case`` rows: the case service and its parts.
CASE_WRITERS = {"helpdesk.cases.service", "helpdesk.cases.changes", "helpdesk.cases.opening"}
WRITES = {"create", "insert", "insert_many", "update", "delete", "bulk_update", "replace"}


def test_only_the_case_service_writes_case_rows():
    """Other areas change a case through ``helpdesk.cases.changes`` (``set_status``,
    ``touch``, ``claim``...), so every change is announced to the plugins."""
    wrong = [
        f"{name}:{node.lineno} Case.{node.func.attr}"
        for name, path in MODULES.items()
        if name not in CASE_WRITERS
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "Case"
        and node.func.attr in WRITES
    ]
    assert not wrong, "\n".join(wrong)
