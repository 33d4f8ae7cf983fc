"""Recording checks (counts, never text) and the partnership's own rules."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from harbour.access import policy
from harbour.access.models import AuditEvent
from harbour.language import selectors, services
from harbour.language.models import (
    CheckContext,
    CheckSource,
    LanguageCheck,
    LanguageCheckFinding,
    LanguageRule,
)
from harbour.partnership.models import Role
from harbour.testing import make_staff


def by_rules(findings):
    """The rules' findings only: the sentence model (ADR 0044) rightly flags "sold herself"
    too, and these tests are about the partnership's rule."""
    return [f for f in findings if not f.rule_id.startswith("model-")]


pytestmark = pytest.mark.django_db

NOTE = (
    "Zephyrine is not engaging with her worker. Zephyrine refused to engage again on Friday. "
    "She has been placing herself at risk at the Quillfield flat."
)


def stored_values():
    """Every value in every usage row, as text."""
    values: list[str] = []
    for model in (LanguageCheck, LanguageCheckFinding):
        for row in model.objects.values():
            values.extend(str(value) for value in row.values())
    return values


def test_a_check_records_who_where_and_counts_per_rule(practitioner, team):
    findings = services.language_check_record(
        actor=practitioner, text=NOTE, context=CheckContext.CASE_NOTE
    )
    assert [f.rule_id for f in findings] == ["not_engaging", "not_engaging", "self_placing_at_risk"]
    run = LanguageCheck.objects.get()
    assert run.staff == practitioner
    assert (run.agency, run.team, run.role) == (practitioner.agency, team, Role.LEAD_PRACTITIONER)
    assert (run.context, run.source) == (CheckContext.CASE_NOTE, CheckSource.SUBMIT)
    assert run.finding_count == 3
    assert run.word_count == len(NOTE.split())
    assert dict(run.findings.values_list("rule_id", "count")) == {
        "not_engaging": 2,
        "self_placing_at_risk": 1,
    }


def test_usage_rows_hold_no_text(practitioner):
    services.language_check_record(actor=practitioner, text=NOTE, context=CheckContext.REFERRAL)
    values = " ".join(stored_values())
    for word in ("Zephyrine", "Quillfield", "placing herself", "not engaging", "Friday"):
        assert word not in values


def test_blank_text_is_neither_checked_nor_recorded(practitioner):
    assert services.language_check_record(actor=practitioner, text="  \n", context="plan") == []
    assert not LanguageCheck.objects.exists()


def test_a_clean_text_is_recorded_with_no_findings(practitioner):
    services.language_check_record(
        actor=practitioner, text="She is being exploited.", context="plan"
    )
    run = LanguageCheck.objects.get()
    assert run.finding_count == 0 and not run.findings.exists()


def test_an_unknown_context_is_refused(practitioner):
    with pytest.raises(ValueError, match="context"):
        services.language_check_record(actor=practitioner, text=NOTE, context="diary")


def test_a_deactivated_or_roleless_account_cannot_check(agency):
    for staff in (
        make_staff(agency, Role.REFERRER, is_active=False),
        make_staff(agency, ""),
    ):
        with pytest.raises(policy.Forbidden):
            services.language_check_record(actor=staff, text=NOTE, context="plan")
    assert not LanguageCheck.objects.exists()


def add_rule(actor, **overrides):
    values: dict[str, Any] = {
        "pattern": ["sell", "REFLEXIVE"],
        "suggestion": "is being sexually exploited",
        "reason": "Children cannot sell themselves.",
        "example": "She has been selling herself at parties.",
    }
    values.update(overrides)
    return services.language_rule_add(actor=actor, **values)


def test_an_administrator_adds_a_rule_that_applies_at_once_and_is_audited(administrator):
    before = selectors.partnership_checker()
    assert by_rules(before.check("She sold herself.")) == []
    rule = add_rule(administrator)
    assert rule.rule_id == "local-sell"
    assert rule.added_by == administrator
    checker = selectors.partnership_checker()
    assert checker is not before
    assert [f.rule_id for f in checker.check("He sells himself online.")] == ["local-sell"]
    event = AuditEvent.objects.get(event="language.rule_added")
    assert event.actor_id == administrator.pk
    assert event.detail["rule_id"] == "local-sell"


def test_the_compiled_checker_is_reused_until_the_rules_change(administrator):
    first = selectors.partnership_checker()
    assert selectors.partnership_checker() is first
    rule = add_rule(administrator)
    second = selectors.partnership_checker()
    assert second is not first
    assert selectors.partnership_checker() is second
    services.language_rule_set_active(actor=administrator, rule=rule, is_active=False)
    third = selectors.partnership_checker()
    assert third is not second
    assert by_rules(third.check("She sold herself.")) == []
    assert AuditEvent.objects.filter(event="language.rule_switched_off").count() == 1


def test_rule_ids_do_not_clash(administrator):
    first = add_rule(administrator)
    second = add_rule(
        administrator, pattern=["sell", "REFLEXIVE", "for"], example="sold herself for"
    )
    assert (first.rule_id, second.rule_id) == ("local-sell", "local-sell-for")
    third = add_rule(administrator)
    assert third.rule_id == "local-sell-2"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"pattern": ["ANY?"]}, "pattern"),
        ({"pattern": ["NOTACLASS"]}, "pattern"),
        ({"example": "Nothing to see here."}, "example"),
        # The guard applies to the example too: this one is about an adult.
        ({"example": "The man sold himself as a mentor."}, "example"),
    ],
)
def test_a_rule_that_would_never_fire_is_refused(administrator, overrides, field):
    with pytest.raises(ValidationError) as caught:
        add_rule(administrator, **overrides)
    assert field in caught.value.error_dict
    assert not LanguageRule.objects.exists()


def test_only_administrators_manage_rules(practitioner, leader):
    for actor in (practitioner, leader):
        with pytest.raises(policy.Forbidden):
            add_rule(actor)


def test_a_stored_rule_that_no_longer_compiles_is_skipped(administrator):
    add_rule(administrator)
    LanguageRule.objects.create(
        rule_id="local-broken",
        pattern=["RETIREDCLASS"],
        suggestion="s",
        reason="r",
        example="e",
        added_by=administrator,
    )
    checker = selectors.partnership_checker()
    assert [f.rule_id for f in checker.check("She sold herself.")] == ["local-sell"]


def test_the_report_counts_by_team_month_and_rule(practitioner, leader, analyst):
    services.language_check_record(actor=practitioner, text=NOTE, context="case_note")
    services.language_check_record(
        actor=practitioner, text="He is a gang member.", context="minutes", source="typing"
    )
    services.language_check_record(actor=practitioner, text="All well.", context="plan")
    for actor in (leader, analyst):
        report = selectors.language_report(actor=actor)
        (row,) = report.team_months
        assert (row.agency, row.team) == (practitioner.agency.name, practitioner.team.name)
        counted = (row.checks_on_save, row.checks_with_suggestions, row.suggestions_on_save)
        assert [n.true_value for n in counted] == [2, 1, 3]
        # Published: 1 to 4 is [c] (harbour.disclosure); 0 is shown.
        assert [str(n) for n in counted] == ["[c]", "[c]", "[c]"]
        assert row.checks_while_typing.true_value == 1
        assert row.by_rule["not_engaging"].true_value == 2
        assert str(row.by_rule["gang_label"]) == "0"  # found only while typing
        by_rule = {r.rule_id: r for r in report.rules}
        assert by_rule["not_engaging"].found_on_save.true_value == 2
        assert by_rule["gang_label"].suggested_while_typing.true_value == 1
        assert str(by_rule["gang_label"].found_on_save) == "0"


def test_only_leaders_and_analysts_see_the_report(practitioner, administrator):
    for actor in (practitioner, administrator):
        with pytest.raises(policy.Forbidden):
            selectors.language_report(actor=actor)
