"""Reads for the language checker: the rules in force (defaults merged with the partnership's,
compiled once and cached until the rules change) and the leaders' usage report."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from harbour.access import policy
from harbour.disclosure import Published
from harbour.language import permissions
from harbour.language.checker import (
    ABOUT_ANYONE,
    ABOUT_CHILD,
    MODEL_PREFIX,
    Checker,
    Pattern,
    PatternError,
    Rule,
    default_checker,
    load_default_model,
    load_default_rules,
)
from harbour.language.models import CheckSource, LanguageCheck, LanguageCheckFinding, LanguageRule
from harbour.partnership.models import Staff
from harbour.web import published

logger = logging.getLogger(__name__)

REPORT_MONTHS = 12

_lock = threading.Lock()
_cached: dict[str, tuple[tuple[Any, ...], Checker]] = {}


def rule_from_model(row: LanguageRule) -> Rule:
    return Rule(
        id=row.rule_id,
        title=" ".join(row.pattern),
        patterns=(Pattern(tuple(row.pattern)),),
        suggestion=row.suggestion,
        reason=row.reason,
        about=ABOUT_CHILD if row.about_child else ABOUT_ANYONE,
    )


def _rules_stamp() -> tuple[int, Any]:
    """Changes whenever a rule is added, changed, switched on or off, or deleted: every process
    compares it on each check, so a change made in one process reaches all of them."""
    stamp = LanguageRule.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
    return stamp["count"], stamp["latest"]


def live_model() -> bool:
    """Whether practitioners are shown the sentence model's suggestions beside the rules'
    (``HARBOUR_LANGUAGE_MODEL``, off unless the partnership turns it on; ADR 0044's addendum:
    on ordinary notes it flags too much that is not there)."""
    return bool(getattr(settings, "HARBOUR_LANGUAGE_MODEL", False))


def partnership_checker() -> Checker:
    """The default rules plus the partnership's active rules, compiled once per change."""
    statistical = live_model()
    stamp = (*_rules_stamp(), statistical)
    with _lock:
        cached = _cached.get("checker")
        if cached is not None and cached[0] == stamp:
            return cached[1]
    if stamp[0] == 0 and statistical:
        checker = default_checker()
    elif stamp[0] == 0:
        checker = Checker(load_default_rules(), statistical=False)
    else:
        base = default_checker()
        rules = []
        for row in LanguageRule.objects.filter(is_active=True).order_by("added_at", "pk"):
            try:
                base.compile(row.pattern)
            except PatternError:
                # A rule that a later release can no longer read must not stop every check.
                logger.warning("Language rule %s no longer compiles; skipped", row.rule_id)
                continue
            rules.append(rule_from_model(row))
        checker = Checker(load_default_rules().with_rules(rules), statistical=statistical)
    with _lock:
        _cached["checker"] = (stamp, checker)
    return checker


def rule_titles() -> dict[str, str]:
    """Every rule's title by id, retired rules included, so past counts keep their names."""
    titles = {rule.id: rule.title for rule in load_default_rules().rules}
    model = load_default_model()
    if model is not None:
        for category in model.categories:
            titles[MODEL_PREFIX + category] = model.advice[category]["title"] + " (model)"
    for rule_id, pattern, retired_at in LanguageRule.objects.values_list(
        "rule_id", "pattern", "retired_at"
    ):
        titles[rule_id] = " ".join(pattern) + (" (deleted)" if retired_at else "")
    return titles


def partnership_rules(*, actor: Staff) -> list[LanguageRule]:
    """The partnership's rules in use or switched off; retired (deleted) rules are not listed."""
    permissions.require_manage_rules(actor)
    return list(LanguageRule.objects.filter(retired_at__isnull=True).select_related("added_by"))


def partnership_rule_get(*, actor: Staff, rule_id: str) -> LanguageRule:
    """One of the partnership's rules to change; a retired rule is not found."""
    permissions.require_manage_rules(actor)
    rule = LanguageRule.objects.filter(rule_id=rule_id, retired_at__isnull=True).first()
    if rule is None:
        raise policy.NotFound(rule_id)
    return rule


def rule_findings(*, actor: Staff, rule: LanguageRule) -> int:
    """How many times the rule has found wording, on save or while typing (counts, no text)."""
    permissions.require_manage_rules(actor)
    found = LanguageCheckFinding.objects.filter(rule_id=rule.rule_id).aggregate(n=Sum("count"))
    return int(found["n"] or 0)


# The leaders' report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamMonthRow:
    month: dt.date
    agency: str
    team: str
    checks_on_save: Published
    checks_with_suggestions: Published
    suggestions_on_save: Published
    checks_while_typing: Published
    by_rule: dict[str, Published]


@dataclass(frozen=True)
class RuleRow:
    rule_id: str
    title: str
    found_on_save: Published
    suggested_while_typing: Published


@dataclass(frozen=True)
class LanguageReport:
    since: dt.date
    team_months: list[TeamMonthRow]
    rules: list[RuleRow]
    rule_ids: list[str]


def _report_since(months: int) -> dt.datetime:
    today = timezone.localdate()
    year, month = today.year, today.month - (months - 1)
    while month < 1:
        month += 12
        year -= 1
    return timezone.make_aware(dt.datetime(year, month, 1))


def _month(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def language_report(*, actor: Staff, months: int = REPORT_MONTHS) -> LanguageReport:
    """Suggestions by team and month, and by rule, for the last ``months`` calendar months.

    Counts on save are what ended up in records; checks while typing run at each pause, so
    they show use of the checker rather than how often a phrase was written."""
    permissions.require_report(actor)
    since = _report_since(months)
    checks = LanguageCheck.objects.filter(checked_at__gte=since)
    on_save = Q(source=CheckSource.SUBMIT)
    typing = Q(source=CheckSource.TYPING)
    rows = (
        checks.annotate(month=TruncMonth("checked_at"))
        .values("month", "agency__name", "team__name")
        .annotate(
            checks_on_save=Count("id", filter=on_save),
            with_suggestions=Count("id", filter=on_save & Q(finding_count__gt=0)),
            suggestions_on_save=Sum("finding_count", filter=on_save),
            checks_while_typing=Count("id", filter=typing),
        )
        .order_by("-month", "agency__name", "team__name")
    )
    findings = LanguageCheckFinding.objects.filter(check_run__checked_at__gte=since)
    saved = Q(check_run__source=CheckSource.SUBMIT)
    per_team_rule: dict[tuple[Any, ...], int] = defaultdict(int)
    for item in (
        findings.filter(saved)
        .annotate(month=TruncMonth("check_run__checked_at"))
        .values("month", "check_run__agency__name", "check_run__team__name", "rule_id")
        .annotate(total=Sum("count"))
    ):
        key = (
            _month(item["month"]),
            item["check_run__agency__name"],
            item["check_run__team__name"],
            item["rule_id"],
        )
        per_team_rule[key] += item["total"]
    titles = rule_titles()
    by_rule = {
        item["rule_id"]: item
        for item in findings.values("rule_id").annotate(
            on_save=Sum("count", filter=saved),
            typing=Sum("count", filter=Q(check_run__source=CheckSource.TYPING)),
        )
    }
    rule_ids = [rule.id for rule in load_default_rules().rules]
    rule_ids += sorted(set(titles) - set(rule_ids))
    rule_ids += sorted(set(by_rule) - set(rule_ids))
    team_months = []
    for row in rows:
        month = _month(row["month"])
        agency, team = row["agency__name"] or "", row["team__name"] or ""
        team_months.append(
            TeamMonthRow(
                month=month,
                agency=agency,
                team=team,
                checks_on_save=published.count(row["checks_on_save"]),
                checks_with_suggestions=published.count(row["with_suggestions"]),
                suggestions_on_save=published.count(row["suggestions_on_save"] or 0),
                checks_while_typing=published.count(row["checks_while_typing"]),
                by_rule={
                    rule_id: published.count(
                        per_team_rule[(month, row["agency__name"], row["team__name"], rule_id)]
                    )
                    for rule_id in rule_ids
                },
            )
        )
    rules = [
        RuleRow(
            rule_id=rule_id,
            title=titles.get(rule_id, rule_id),
            found_on_save=published.count((by_rule.get(rule_id) or {}).get("on_save") or 0),
            suggested_while_typing=published.count((by_rule.get(rule_id) or {}).get("typing") or 0),
        )
        for rule_id in rule_ids
    ]
    return LanguageReport(
        since=since.date(), team_months=team_months, rules=rules, rule_ids=rule_ids
    )
