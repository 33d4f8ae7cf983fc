"""The engine is plain Python: nothing in it imports Django or the rest of Harbour."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
OWN = "harbour.identity.linkage"


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_no_module_imports_django_or_the_rest_of_harbour() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 5
    offending = [
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in modules
        for name in _imports(path)
        if name == "django"
        or name.startswith("django.")
        or name.startswith("django_")
        or (name.startswith("harbour") and name != OWN and not name.startswith(f"{OWN}."))
    ]
    assert offending == []


def test_the_check_catches_a_django_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text(
        "from django.db import models\nimport harbour.children.models\n"
        "from harbour.identity.linkage import model\n"
    )
    assert _imports(module) == ["django.db", "harbour.children.models", OWN]
