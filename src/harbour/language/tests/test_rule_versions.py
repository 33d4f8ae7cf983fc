"""Every finding names the version of the rule that found it (ADR 0030): a digest of what
decides what the rule finds and says, so a stored finding can be told apart from what today's
rules would say."""

from __future__ import annotations

from dataclasses import replace

from harbour.language.checker import Checker, load_default_rules

TEXT = "He is putting himself at risk by going to parties with older males."


def test_a_finding_carries_its_rules_version_and_it_is_stable():
    rules = load_default_rules()
    first, second = Checker(rules), Checker(rules)
    (finding,) = first.check(TEXT)
    assert finding.rule_version == first.rule_version(finding.rule_id)
    assert finding.rule_version == second.rule_version(finding.rule_id)
    assert len(finding.rule_version) == 12
    assert len({first.rule_version(rule.id) for rule in rules.rules}) == len(rules.rules)


def test_changing_a_rule_changes_its_version_and_no_other():
    rules = load_default_rules()
    (finding,) = Checker(rules).check(TEXT)
    changed = replace(
        rules,
        rules=tuple(
            replace(rule, suggestion=rule.suggestion + ", and say who")
            if rule.id == finding.rule_id
            else rule
            for rule in rules.rules
        ),
    )
    before, after = Checker(rules), Checker(changed)
    assert after.rule_version(finding.rule_id) != before.rule_version(finding.rule_id)
    others = [rule.id for rule in rules.rules if rule.id != finding.rule_id]
    assert all(after.rule_version(i) == before.rule_version(i) for i in others)


def test_changing_a_shared_word_class_changes_every_version():
    rules = load_default_rules()
    lexicons = dict(rules.lexicons)
    lexicons["NEG"] = (*lexicons["NEG"], "nae")
    before, after = Checker(rules), Checker(replace(rules, lexicons=lexicons))
    assert all(after.rule_version(r.id) != before.rule_version(r.id) for r in rules.rules)
