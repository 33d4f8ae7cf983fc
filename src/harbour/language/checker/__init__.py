"""Child-centred language checker: a plain library with no Django in it, so it can be tested
and benchmarked alone. ``check(text)`` returns findings under the default rules; build a
``Checker`` with ``load_default_rules().with_rules(extra)`` to add the partnership's own. Beside
the rules, a sentence model fitted on the language set's dev part (``model.json``, ADR 0044)
flags sentences the rules miss; its findings carry the rule id ``model-<category>``."""

from harbour.language.checker.engine import (
    ABOUT_ANYONE,
    ABOUT_CHILD,
    MODEL_PREFIX,
    Checker,
    Finding,
    Pattern,
    Rule,
    RuleSet,
    check,
    default_checker,
    load_default_model,
    load_default_rules,
)
from harbour.language.checker.patterns import PatternError

__all__ = [
    "ABOUT_ANYONE",
    "ABOUT_CHILD",
    "MODEL_PREFIX",
    "Checker",
    "Finding",
    "Pattern",
    "PatternError",
    "Rule",
    "RuleSet",
    "check",
    "default_checker",
    "load_default_model",
    "load_default_rules",
]
