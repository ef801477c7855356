"""A plugin package to start from (``flask --app wsgi new-plugin NAME``): a pyproject with its
entry point, a module answering two hooks, and tests on the fixtures of ``helpdesk.testing``.

The files are the templates in ``files/`` (``$name`` and ``$dist`` are filled in); the
folder ``package`` becomes the plugin's package and ``test_plugin.py`` its test module.
"""

import keyword
import re
from pathlib import Path
from string import Template

FILES = Path(__file__).parent / "files"
NAME = re.compile(r"[a-z][a-z0-9_]*")


class SkeletonError(ValueError):
    """The name cannot be a plugin's, or the target exists already."""


def write(name: str, directory: Path) -> Path:
    """Write the plugin ``name`` into ``directory / name`` and return that folder."""
    if not NAME.fullmatch(name) or keyword.iskeyword(name):
        raise SkeletonError(
            f"{name!r} is no plugin name: lower-case letters, digits and underscores, "
            "starting with a letter (it is the Python package's name, e.g. my_vendor)"
        )
    project = directory / name
    if project.exists():
        raise SkeletonError(f"{project} exists already; choose another name or directory")
    values = {"name": name, "dist": name.replace("_", "-")}
    for template in sorted(FILES.rglob("*.tmpl")):
        relative = template.relative_to(FILES).with_suffix("")
        relative = Path(*(name if part == "package" else part for part in relative.parts))
        if relative.name == "test_plugin.py":
            relative = relative.with_name(f"test_{name}.py")
        target = project / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(Template(template.read_text()).substitute(values))
    return project
