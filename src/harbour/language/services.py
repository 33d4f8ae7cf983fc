"""Writes for the language checker: recording a check (counts only, never the text) and the
partnership's own rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.language import permissions, selectors
from harbour.language.checker import (
    ABOUT_ANYONE,
    ABOUT_CHILD,
    Checker,
    Finding,
    Pattern,
    PatternError,
    Rule,
    default_checker,
    load_default_rules,
)
from harbour.language.models import (
    CheckContext,
    CheckSource,
    LanguageCheck,
    LanguageCheckFinding,
    LanguageRule,
    StoredFinding,
)
from harbour.partnership.models import Staff

S = TypeVar("S", bound=StoredFinding)

NO_MATCH_IN_EXAMPLE = (
    "The pattern finds nothing in the example sentence: check the words, or change the example"
)


@transaction.atomic
def language_check_record(
    *, actor: Staff, text: str, context: str, source: str = CheckSource.SUBMIT
) -> list[Finding]:
    """Check ``text`` with the partnership's rules and record that the check happened: who, their
    agency and team, when, where in Harbour, and how many findings of each rule. The text is not
    stored. Blank text is not checked and not recorded."""
    permissions.require_check(actor)
    if context not in CheckContext.values:
        raise ValueError(f"Unknown language check context: {context!r}")
    if source not in CheckSource.values:
        raise ValueError(f"Unknown language check source: {source!r}")
    if not text.strip():
        return []
    findings = selectors.partnership_checker().check(text)
    run = LanguageCheck.objects.create(
        staff=actor,
        role=actor.role,
        agency_id=actor.agency_id,
        team_id=actor.team_id,
        context=context,
        source=source,
        word_count=len(text.split()),
        finding_count=len(findings),
    )
    counts = Counter(finding.rule_id for finding in findings)
    LanguageCheckFinding.objects.bulk_create(
        LanguageCheckFinding(check_run=run, rule_id=rule_id, count=count)
        for rule_id, count in sorted(counts.items())
    )
    return findings


def stored_findings_for(
    model: type[S],
    *,
    texts: Mapping[str, str],
    checker: Checker | None = None,
    memo: dict[str, list[Finding]] | None = None,
    **owner: Any,
) -> list[S]:
    """Check each text that arrived from another system (by field name) with the partnership's
    rules and return, unsaved, a row of ``model`` (an app's ``StoredFinding``) for each finding,
    with the version of the rule that found it and ``owner`` (the text's holder) filled in. The
    texts are not changed. A caller checking many passes ``checker`` (``partnership_checker()``)
    read once for all of them, and may pass ``memo`` to check a text repeated across them once
    (a file's templated summaries). Not recorded in the leaders' usage report, which counts what
    Harbour's own staff write (ADR 0030)."""
    if checker is None:
        checker = selectors.partnership_checker()
    now = timezone.now()
    rows = []
    for name, text in texts.items():
        if not text or not text.strip():
            continue
        found = memo.get(text) if memo is not None else None
        if found is None:
            found = checker.check(text)
            if memo is not None:
                memo[text] = found
        for finding in found:
            rows.append(
                model(
                    field_name=name,
                    start=finding.start,
                    end=finding.end,
                    text=finding.text[:500],
                    rule_id=finding.rule_id,
                    rule_version=finding.rule_version,
                    suggestion=finding.suggestion[:500],
                    reason=finding.reason[:1000],
                    checked_at=now,
                    **owner,
                )
            )
    return rows


def _check_rule(
    *,
    rule_id: str,
    pattern: list[str],
    suggestion: str,
    reason: str,
    example: str,
    about_child: bool,
) -> None:
    """The pattern must compile and must flag its own example (with the about-the-child guard
    applied), so a rule that can never fire is refused."""
    try:
        default_checker().compile(pattern)
    except PatternError as error:
        raise ValidationError({"pattern": str(error)}) from error
    candidate = Rule(
        id=rule_id,
        title=" ".join(pattern),
        patterns=(Pattern(tuple(pattern)),),
        suggestion=suggestion,
        reason=reason,
        about=ABOUT_CHILD if about_child else ABOUT_ANYONE,
    )
    trial = Checker(load_default_rules().with_rules([candidate]))
    if not any(finding.rule_id == rule_id for finding in trial.check(example)):
        raise ValidationError({"example": NO_MATCH_IN_EXAMPLE})


def _new_rule_id(pattern: list[str]) -> str:
    words = [token for token in pattern if not token.isupper()]
    base = "local-" + (slugify(" ".join(words))[:40].strip("-") or "rule")
    rule_id, n = base, 1
    while LanguageRule.objects.filter(rule_id=rule_id).exists():
        n += 1
        rule_id = f"{base}-{n}"
    return rule_id


@transaction.atomic
def language_rule_add(
    *,
    actor: Staff,
    pattern: list[str],
    suggestion: str,
    reason: str,
    example: str,
    about_child: bool = True,
) -> LanguageRule:
    """Add a rule to the partnership's list. The pattern must compile and must flag its own
    example (with the about-the-child guard applied), so a rule that can never fire is refused."""
    permissions.require_manage_rules(actor)
    rule_id = _new_rule_id(pattern)
    _check_rule(
        rule_id=rule_id,
        pattern=pattern,
        suggestion=suggestion,
        reason=reason,
        example=example,
        about_child=about_child,
    )
    rule = LanguageRule(
        rule_id=rule_id,
        pattern=list(pattern),
        suggestion=suggestion,
        reason=reason,
        example=example,
        about_child=about_child,
        added_by=actor,
    )
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        event="language.rule_added",
        subject=rule,
        detail={"rule_id": rule_id, "pattern": list(pattern)},
    )
    return rule


@transaction.atomic
def language_rule_set_active(*, actor: Staff, rule: LanguageRule, is_active: bool) -> LanguageRule:
    permissions.require_manage_rules(actor)
    _require_current(rule)
    if rule.is_active != is_active:
        rule.is_active = is_active
        rule.save(update_fields=["is_active", "updated_at"])
        audit_record(
            actor=actor,
            event="language.rule_switched_on" if is_active else "language.rule_switched_off",
            subject=rule,
            detail={"rule_id": rule.rule_id},
        )
    return rule


def _require_current(rule: LanguageRule) -> None:
    if rule.retired_at is not None:
        raise policy.NotFound(rule.rule_id)


@transaction.atomic
def language_rule_update(
    *,
    actor: Staff,
    rule: LanguageRule,
    pattern: list[str],
    suggestion: str,
    reason: str,
    example: str,
    about_child: bool = True,
) -> LanguageRule:
    """Change one of the partnership's rules, checked as a new rule is. The rule keeps its id, so
    the usage report's counts stay with it; the audit event keeps the words before and after."""
    permissions.require_manage_rules(actor)
    _require_current(rule)
    _check_rule(
        rule_id=rule.rule_id,
        pattern=pattern,
        suggestion=suggestion,
        reason=reason,
        example=example,
        about_child=about_child,
    )
    before = list(rule.pattern)
    values: dict[str, Any] = {
        "pattern": list(pattern),
        "suggestion": suggestion,
        "reason": reason,
        "example": example,
        "about_child": about_child,
    }
    changed = [name for name, value in values.items() if getattr(rule, name) != value]
    if not changed:
        return rule
    for name in changed:
        setattr(rule, name, values[name])
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        event="language.rule_changed",
        subject=rule,
        detail={
            "rule_id": rule.rule_id,
            "changed": changed,
            "pattern_before": before,
            "pattern": list(pattern),
        },
    )
    return rule


@transaction.atomic
def language_rule_delete(*, actor: Staff, rule: LanguageRule) -> str:
    """Delete one of the partnership's rules. A rule that has found wording is retired rather
    than deleted: switched off, out of the rules pages, but kept so that the usage report still
    names it (ADR 0009). Returns ``"deleted"`` or ``"retired"``."""
    permissions.require_manage_rules(actor)
    _require_current(rule)
    rule = LanguageRule.objects.select_for_update().get(pk=rule.pk)
    _require_current(rule)
    detail: dict[str, Any] = {
        "rule_id": rule.rule_id,
        "pattern": list(rule.pattern),
        "suggestion": rule.suggestion,
        "reason": rule.reason,
        "example": rule.example,
        "about_child": rule.about_child,
    }
    if LanguageCheckFinding.objects.filter(rule_id=rule.rule_id).exists():
        rule.is_active = False
        rule.retired_at = timezone.now()
        rule.retired_by = actor
        rule.save(update_fields=["is_active", "retired_at", "retired_by", "updated_at"])
        audit_record(actor=actor, event="language.rule_retired", subject=rule, detail=detail)
        return "retired"
    audit_record(actor=actor, event="language.rule_deleted", subject=rule, detail=detail)
    rule.delete()
    return "deleted"
