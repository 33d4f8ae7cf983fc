"""Every access decision lives in ``access/policy.py`` (ADR 0002): a lint, walking the syntax
tree of every module outside the policy, fails on the shapes a decision takes when it is made
somewhere else —

* comparing a role (``actor.role == Role.X``, ``x.role in {...}``, anything compared with
  ``Role.X``);
* comparing the actor's agency or identity (``x.agency_id == actor.agency_id``,
  ``referral.referrer_id != request.user.pk``);
* scoping a query by the actor (``.filter(front_door_id=actor.agency_id)``,
  ``Q(referrer_id=actor.pk)``), or choosing people by a staff role
  (``.filter(role=Role.FRONT_DOOR_MANAGER)``: who is told or offered is a decision too; a
  filter the user chose, ``.filter(role=role)``, is not);
* deciding on the basis of a decision (``decision.basis != "break_glass"``) instead of asking
  the policy what that basis allows.

Writing who did something (``recorded_by=actor``, ``recorded_by_agency=actor.agency``) is not a
decision and is not flagged. Tests, migrations, the synthetic partnership's generator and the
factories build worlds rather than decide, and are not walked."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]  # src/harbour
POLICY = SRC / "access" / "policy.py"
# Names that hold the person acting.
ACTORS = {"actor", "user", "viewer", "me"}
ACTOR_ATTRIBUTES = {"pk", "id", "agency_id", "agency", "role", "team_id", "team"}
QUERY_CALLS = {"filter", "exclude", "get", "Q", "get_or_create", "update_or_create"}


def _is_actor(node: ast.AST) -> bool:
    """``actor``, ``request.user``, ``self.actor``."""
    if isinstance(node, ast.Name):
        return node.id in ACTORS
    return isinstance(node, ast.Attribute) and node.attr in ACTORS | {"user"}


def _actor_attribute(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute) and node.attr in ACTOR_ATTRIBUTES and _is_actor(node.value)
    )


# Names that hold a member of staff (whose ``role`` is a staff role, unlike an event's or a
# meeting attendee's).
STAFF = ACTORS | {"staff", "appointee", "member", "recipient", "account", "person"}


def _role(node: ast.AST) -> bool:
    """A member of staff's role (``actor.role``, ``request.user.role``, ``staff.role``) or a
    staff role (``Role.X``; not the enum's own ``Role.values``, ``Role.choices``: asking whether
    a stored code is a role at all decides nothing)."""
    if isinstance(node, ast.Attribute) and node.attr == "role":
        holder = node.value
        return (isinstance(holder, ast.Name) and holder.id in STAFF) or _is_actor(holder)
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Role"
        and node.attr not in {"values", "choices", "labels", "names"}
    )


def _basis(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "basis") or (
        isinstance(node, ast.Name) and node.id == "basis"
    )


def _roles_collection(node: ast.AST) -> bool:
    return isinstance(node, ast.Set | ast.List | ast.Tuple) and any(_role(e) for e in node.elts)


def offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_role(o) or _roles_collection(o) for o in operands):
                found.append(f"{path}:{node.lineno} compares a role")
            elif any(_actor_attribute(o) for o in operands):
                found.append(f"{path}:{node.lineno} compares the actor's agency or identity")
            elif any(_basis(o) for o in operands):
                found.append(f"{path}:{node.lineno} decides on a decision's basis")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in QUERY_CALLS and any(
                _actor_attribute(k.value) or _is_actor(k.value) for k in node.keywords
            ):
                found.append(f"{path}:{node.lineno} scopes a query by the actor")
            elif name in QUERY_CALLS and any(
                k.arg in {"role", "role__in"} and (_role(k.value) or _roles_collection(k.value))
                for k in node.keywords
            ):
                found.append(f"{path}:{node.lineno} chooses people by their role")
    return found


def walked() -> list[Path]:
    skipped = {"tests", "migrations", "demo", "testing", "conftest.py"}
    modules = [
        path
        for path in sorted(SRC.rglob("*.py"))
        if path != POLICY and not skipped & set(path.relative_to(SRC).parts)
    ]
    assert len(modules) > 50, "the lint found too few modules: it would pass vacuously"
    return modules


def test_no_access_decision_outside_the_policy():
    problems = [problem for module in walked() for problem in offences(module)]
    assert problems == [], "decide these in access/policy.py:\n" + "\n".join(problems)


def test_the_lint_catches_each_shape(tmp_path):
    bad = tmp_path / "selectors.py"
    bad.write_text(
        "def mine(actor, qs, referral):\n"
        "    if actor.role == Role.FRONT_DOOR_MANAGER:\n"
        "        pass\n"
        "    if referral.front_door_id == actor.agency_id:\n"
        "        pass\n"
        "    if staff.role in {Role.REFERRER, Role.ANALYST}:\n"
        "        pass\n"
        "    qs.filter(front_door_id=actor.agency_id)\n"
        "    if decision.basis != 'break_glass':\n"
        "        pass\n"
        "    Staff.objects.filter(agency=agency, role=Role.FRONT_DOOR_MANAGER)\n"
        "    return Q(referrer_id=request.user.pk)\n"
    )
    assert len(offences(bad)) == 7
    fine = tmp_path / "services.py"
    fine.write_text(
        "def write(actor, child):\n"
        "    Need(child=child, recorded_by=actor, recorded_by_agency=actor.agency).save()\n"
        "    audit_record(actor=actor, child=child)\n"
        "    if event.role == EventRole.VICTIM or attendee.role == 'police':\n"
        "        pass\n"
        "    return policy.can(actor, Action.CHILD_VIEW)\n"
    )
    assert offences(fine) == []
