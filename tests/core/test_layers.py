"""Imports point down: the domain-free `workbook` package imports no domain app, and `areas` (below
the registry: households belong to villages) imports the registry only where it still must."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "jingzhun"
DOMAIN_APPS = (
    "accounts",
    "areas",
    "registry",
    "assessment",
    "procedures",
    "exports",
    "imports",
    "comparison",
)
# The job apps run what the domain apps register (kinds): they import none of them.
JOB_APPS = ("exports", "imports")
# Pending: the tree page's household and person counts read the registry's models.
AREAS_MAY_IMPORT_REGISTRY = {"areas/views.py"}


def _imports(path: Path) -> set[str]:
    """Every jingzhun module `path` imports (absolute or relative, at any depth in the file)."""
    package = ".".join(path.relative_to(SOURCE.parent).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(str(node.args[0].value))
    return {name for name in found if name.startswith("jingzhun.")}


def _offenders(folder: str, forbidden: tuple[str, ...], allowed: set[str]) -> list[str]:
    offenders = []
    for path in sorted((SOURCE / folder).rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        if relative in allowed:
            continue
        for module in sorted(_imports(path)):
            if module.split(".")[1] in forbidden:
                offenders.append(f"{relative}: {module}")
    return offenders


def test_the_workbook_package_imports_no_domain_app():
    assert _offenders("workbook", DOMAIN_APPS, set()) == []


@pytest.mark.parametrize("app", JOB_APPS)
def test_the_job_apps_import_no_domain_app(app):
    domain = ("areas", "registry", "assessment", "procedures", "comparison")
    assert _offenders(app, domain, set()) == []


def test_areas_imports_the_registry_only_for_the_tree_counts():
    assert _offenders("areas", ("registry",), AREAS_MAY_IMPORT_REGISTRY) == []


def test_the_check_sees_the_pending_import():
    assert "jingzhun.registry.models" in _imports(SOURCE / "areas" / "views.py")
    assert "jingzhun.workbook" in _imports(SOURCE / "areas" / "excel" / "importer.py")


def test_core_imports_no_domain_app():
    """`core` is the floor every app stands on (scoping, paging, bulk writes, help): the home
    page, which reads the registry, lives in `dashboard` (the top floor), not here."""
    domain = ("areas", "registry", "assessment", "procedures", "comparison", "exports", "imports")
    assert _offenders("core", (*domain, "dashboard"), set()) == []
