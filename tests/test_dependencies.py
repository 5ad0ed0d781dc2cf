"""Every third-party module the application imports at run time is a declared runtime
dependency: a production install (`pip install .`, without the dev extra) must not fail on a
package that only happened to be present through the test tools."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "agora"


def runtime_distributions() -> set[str]:
    """The closure of pyproject's runtime requirements (not the dev extra), through the
    installed packages' metadata."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    seen: set[str] = set()
    pending = [Requirement(line) for line in project["dependencies"]]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        extras = frozenset(requirement.extras)
        pending.extend(_requirements(requirement.name, extras))
    return seen


def _requirements(distribution: str, extras: frozenset[str]) -> list[Requirement]:
    found: list[Requirement] = []
    for line in metadata.requires(distribution) or []:
        requirement = Requirement(line)
        marker = requirement.marker
        if marker is None or any(marker.evaluate({"extra": e}) for e in extras | {""}):
            found.append(requirement)
    return found


def _type_checking_only(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name | ast.Attribute) and "TYPE_CHECKING" in ast.unparse(
        node.test
    )


def runtime_imports(tree: ast.AST) -> set[str]:
    """Top-level module names imported outside `if TYPE_CHECKING:` blocks."""
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def application_modules() -> list[Path]:
    return [
        path
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.relative_to(PACKAGE).parts and path.name != "conftest.py"
    ]


def test_runtime_imports_are_declared_dependencies() -> None:
    declared = runtime_distributions()
    providers = metadata.packages_distributions()
    missing = []
    for path in application_modules():
        for module in runtime_imports(ast.parse(path.read_text(), str(path))):
            if module in sys.stdlib_module_names or module in {"agora", "__future__"}:
                continue
            distributions = {canonicalize_name(d) for d in providers.get(module, [])}
            if not distributions & declared:
                missing.append(f"{path.relative_to(PACKAGE.parent)}: {module}")
    assert not missing, "imported at run time but not a runtime dependency:\n" + "\n".join(
        sorted(missing)
    )


def test_the_check_sees_an_undeclared_import() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "import hypothesis\n"
        "if TYPE_CHECKING:\n    import pytest\n"
    )
    assert runtime_imports(tree) == {"typing", "hypothesis"}
    assert "hypothesis" not in runtime_distributions()
    assert "django" in runtime_distributions()
