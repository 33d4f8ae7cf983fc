"""Changing and deleting the partnership's own rules: checked like a new rule, audited, and a rule
that has already found wording is retired rather than deleted, so the usage report keeps it."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from harbour.access import policy
from harbour.access.models import AuditEvent
from harbour.language import selectors, services
from harbour.language.models import LanguageRule


def by_rules(findings):
    """The rules' findings only: the sentence model (ADR 0044) rightly flags "sold herself"
    too, and these tests are about the partnership's rule."""
    return [f for f in findings if not f.rule_id.startswith("model-")]


pytestmark = pytest.mark.django_db

RULE: dict[str, Any] = {
    "pattern": ["sell", "REFLEXIVE"],
    "suggestion": "is being sexually exploited",
    "reason": "Children cannot sell themselves.",
    "example": "She has been selling herself at parties.",
}


@pytest.fixture
def rule(administrator):
    return services.language_rule_add(actor=administrator, **RULE)


def used(practitioner, rule):
    """Someone saves wording that the rule finds: the usage report now counts it."""
    findings = services.language_check_record(
        actor=practitioner, text="He sold himself for a phone.", context="case_note"
    )
    assert [f.rule_id for f in findings] == [rule.rule_id]


def html(response):
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


# Changing a rule -------------------------------------------------------------------------------


def test_a_changed_rule_applies_at_once_keeps_its_id_and_is_audited(administrator, rule):
    assert selectors.partnership_checker().check("He sold himself for money.")
    changed = services.language_rule_update(
        actor=administrator,
        rule=rule,
        **{
            **RULE,
            "pattern": ["sell", "REFLEXIVE", "for"],
            "example": "She sold herself for a bag.",
        },
    )
    assert changed.rule_id == "local-sell"
    assert LanguageRule.objects.get().pattern == ["sell", "REFLEXIVE", "for"]
    checker = selectors.partnership_checker()
    assert by_rules(checker.check("He sold himself.")) == []
    assert [f.rule_id for f in checker.check("He sold himself for money.")] == ["local-sell"]
    event = AuditEvent.objects.get(event="language.rule_changed")
    assert event.detail == {
        "rule_id": "local-sell",
        "changed": ["pattern", "example"],
        "pattern_before": ["sell", "REFLEXIVE"],
        "pattern": ["sell", "REFLEXIVE", "for"],
    }


def test_an_unchanged_rule_writes_nothing(administrator, rule):
    services.language_rule_update(actor=administrator, rule=rule, **RULE)
    assert not AuditEvent.objects.filter(event="language.rule_changed").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"pattern": ["ANY?"]}, "pattern"),
        ({"example": "Nothing to see here."}, "example"),
        ({"example": "The man sold himself as a mentor."}, "example"),  # about an adult
    ],
)
def test_a_change_that_would_never_fire_is_refused(administrator, rule, overrides, field):
    with pytest.raises(ValidationError) as caught:
        services.language_rule_update(actor=administrator, rule=rule, **{**RULE, **overrides})
    assert field in caught.value.error_dict
    rule.refresh_from_db()
    assert rule.pattern == ["sell", "REFLEXIVE"]
    assert rule.example == RULE["example"]
    assert not AuditEvent.objects.filter(event="language.rule_changed").exists()


def test_only_administrators_change_or_delete_rules(practitioner, leader, rule):
    for actor in (practitioner, leader):
        with pytest.raises(policy.Forbidden):
            services.language_rule_update(actor=actor, rule=rule, **RULE)
        with pytest.raises(policy.Forbidden):
            services.language_rule_delete(actor=actor, rule=rule)
    assert LanguageRule.objects.filter(pk=rule.pk, retired_at__isnull=True).exists()


# Deleting a rule -------------------------------------------------------------------------------


def test_a_rule_that_never_found_anything_is_deleted_and_the_audit_keeps_its_words(
    administrator, rule
):
    assert services.language_rule_delete(actor=administrator, rule=rule) == "deleted"
    assert not LanguageRule.objects.exists()
    assert by_rules(selectors.partnership_checker().check("She sold herself.")) == []
    event = AuditEvent.objects.get(event="language.rule_deleted")
    assert event.detail["pattern"] == ["sell", "REFLEXIVE"]
    assert event.detail["suggestion"] == RULE["suggestion"]


def test_a_rule_that_has_found_wording_is_retired_and_the_report_still_names_it(
    administrator, practitioner, leader, rule
):
    used(practitioner, rule)
    assert services.language_rule_delete(actor=administrator, rule=rule) == "retired"
    kept = LanguageRule.objects.get()
    assert (kept.is_active, kept.retired_by) == (False, administrator)
    assert kept.retired_at is not None
    # Harbour stops using it, the rules page no longer lists it, and it cannot be changed.
    assert by_rules(selectors.partnership_checker().check("She sold herself.")) == []
    assert selectors.partnership_rules(actor=administrator) == []
    with pytest.raises(policy.NotFound):
        selectors.partnership_rule_get(actor=administrator, rule_id=kept.rule_id)
    for change in (
        lambda: services.language_rule_update(actor=administrator, rule=kept, **RULE),
        lambda: services.language_rule_set_active(actor=administrator, rule=kept, is_active=True),
        lambda: services.language_rule_delete(actor=administrator, rule=kept),
    ):
        with pytest.raises(policy.NotFound):
            change()
    # The usage report still counts it under its words.
    report = selectors.language_report(actor=leader)
    row = next(r for r in report.rules if r.rule_id == "local-sell")
    assert (row.title, row.found_on_save.true_value) == ("sell REFLEXIVE (deleted)", 1)
    assert AuditEvent.objects.get(event="language.rule_retired").detail["rule_id"] == "local-sell"
    # Its id stays taken, so a new rule with the same words does not inherit its counts.
    assert services.language_rule_add(actor=administrator, **RULE).rule_id == "local-sell-2"


# Pages -----------------------------------------------------------------------------------------


def test_the_rules_page_links_each_rule_to_change_and_delete(client, administrator, rule):
    client.force_login(administrator)
    body = html(client.get(reverse("language:rules")))
    assert f'href="{reverse("language:rule-edit", args=[rule.rule_id])}"' in body
    assert f'href="{reverse("language:rule-delete", args=[rule.rule_id])}"' in body


def test_an_administrator_changes_a_rule_through_the_form(client, administrator, rule):
    client.force_login(administrator)
    url = reverse("language:rule-edit", args=[rule.rule_id])
    form = html(client.get(url))
    assert "Change a language rule" in form
    assert 'value="sell REFLEXIVE"' in form
    refused = html(client.post(url, {**RULE, "pattern": "sell REFLEXIVE", "example": "Fine."}))
    assert "govuk-error-summary" in refused
    assert "The pattern finds nothing in the example sentence" in refused
    response = client.post(
        url,
        {
            **RULE,
            "pattern": "sell REFLEXIVE",
            "suggestion": "is being exploited",
            "about_child": "on",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.suggestion == "is being exploited"
    assert AuditEvent.objects.filter(event="language.rule_changed").count() == 1


def test_deleting_asks_first_and_then_deletes(client, administrator, rule):
    client.force_login(administrator)
    url = reverse("language:rule-delete", args=[rule.rule_id])
    page = html(client.get(url))
    assert "Are you sure you want to delete this rule?" in page
    assert "It has not found any wording yet" in page
    assert LanguageRule.objects.exists()  # asking deletes nothing
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("language:rules")
    assert "Rule deleted: sell REFLEXIVE" in html(response)
    assert not LanguageRule.objects.exists()
    assert client.get(url).status_code == 404


def test_deleting_a_used_rule_says_it_will_be_kept(client, administrator, practitioner, rule):
    used(practitioner, rule)
    client.force_login(administrator)
    url = reverse("language:rule-delete", args=[rule.rule_id])
    assert "This rule has found wording 1 time." in html(client.get(url))
    body = html(client.post(url, follow=True))
    assert "so the usage report still names it" in body
    assert "has not added any rules yet" in body
    assert LanguageRule.objects.get().retired_at is not None


def test_only_administrators_reach_change_and_delete(client, practitioner, leader, rule):
    for actor in (practitioner, leader):
        client.force_login(actor)
        for name in ("language:rule-edit", "language:rule-delete"):
            url = reverse(name, args=[rule.rule_id])
            assert client.get(url).status_code == 403
            assert client.post(url, RULE).status_code == 403
    assert LanguageRule.objects.filter(retired_at__isnull=True).count() == 1
