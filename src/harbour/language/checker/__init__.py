"""Child-centred language checker: a plain library with no Django in it, so it can be tested
and benchmarked alone. ``check(text)`` returns findings under the default rules; build a
``Checker`` with ``load_default_rules().with_rules(extra)`` to add the partnership's own."""

from harbour.language.checker.engine import (
    ABOUT_ANYONE,
    ABOUT_CHILD,
    Checker,
    Finding,
    Pattern,
    Rule,
    RuleSet,
    check,
    default_checker,
    load_default_rules,
)
from harbour.language.checker.patterns import PatternError

__all__ = [
    "ABOUT_ANYONE",
    "ABOUT_CHILD",
    "Checker",
    "Finding",
    "Pattern",
    "PatternError",
    "Rule",
    "RuleSet",
    "check",
    "default_checker",
    "load_default_rules",
]
