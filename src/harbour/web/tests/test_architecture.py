"""House rules that keep child data behind the policy: views never query child-identifiable
models; they call selectors, which take the actor and audit."""

import ast
from pathlib import Path

from harbour.children.models import CHILD_IDENTIFIABLE_MODELS
from harbour.frontdoor.models import FRONT_DOOR_CHILD_MODELS
from harbour.identity.models import IDENTITY_CHILD_MODELS
from harbour.notices.models import NOTICES_CHILD_MODELS

SRC = Path(__file__).resolve().parents[2]  # src/harbour
CHILD_MODEL_NAMES = {
    model.__name__
    for model in (
        *CHILD_IDENTIFIABLE_MODELS,
        *FRONT_DOOR_CHILD_MODELS,
        *IDENTITY_CHILD_MODELS,
        *NOTICES_CHILD_MODELS,
    )
} | {
    "WorkingRelationship",
    "BreakGlassGrant",
    "SourceRecord",
    "GroundTruth",
}


def view_modules():
    # An app's JSON API is a view too (frontdoor/api.py).
    modules = (
        sorted(SRC.glob("*/*views.py"))
        + sorted(SRC.glob("*/views/*.py"))
        + sorted(SRC.glob("*/api.py"))
    )
    assert modules, "no views found: the check would pass vacuously"
    return modules


def offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".models"):
            for alias in node.names:
                if alias.name in CHILD_MODEL_NAMES:
                    found.append(f"{path}:{node.lineno} imports {alias.name}")
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"objects", "_default_manager", "_base_manager"}
            and isinstance(node.value, ast.Name)
            and node.value.id in CHILD_MODEL_NAMES
        ):
            found.append(f"{path}:{node.lineno} queries {node.value.id}.{node.attr}")
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {
            "get_object_or_404",
            "get_list_or_404",
        }:
            found.append(f"{path}:{node.lineno} looks up an object without the policy")
    return found


def test_views_do_not_query_child_identifiable_models():
    problems = [problem for module in view_modules() for problem in offences(module)]
    assert problems == []


def test_the_check_catches_a_direct_query(tmp_path):
    bad = tmp_path / "views.py"
    bad.write_text(
        "from harbour.children.models import Child\n"
        "def page(request, pk):\n"
        "    return Child.objects.get(pk=pk)\n"
    )
    assert len(offences(bad)) == 2
