"""The language pages: the as-you-type endpoint (auth, CSRF, fragment), checking without
JavaScript, the leaders' report and its CSV, and the administrators' rules."""

import csv
import io
import re

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from harbour.language import services
from harbour.language.forms import LanguageCheckedTextarea
from harbour.language.models import CheckContext, LanguageCheck, LanguageRule
from harbour.web.wording import wording_findings_for

pytestmark = pytest.mark.django_db

CHECK = reverse("language:check")


def html(response):
    return response.content.decode()


def post_check(client, text, **extra):
    data = {"language_field": "note", "note": text, "language_context": "case_note", **extra}
    return client.post(CHECK, data, HTTP_HX_REQUEST="true")


# The as-you-type endpoint ----------------------------------------------------------------------


def test_the_endpoint_returns_suggestions_as_a_fragment_and_records_a_typing_check(
    client, practitioner
):
    client.force_login(practitioner)
    response = post_check(client, "Mia has been placing herself at risk.")
    assert response.status_code == 200
    body = html(response)
    assert "<html" not in body
    assert "govuk-inset-text" in body
    assert "1 suggestion for child-centred language" in body
    assert "‘placing herself at risk’" in body
    assert "is being put at risk by adults who are exploiting her" in body
    assert "You can still save" in body
    run = LanguageCheck.objects.get()
    assert (run.source, run.context, run.finding_count) == ("typing", "case_note", 1)


def test_clean_text_says_no_suggestions(client, practitioner):
    client.force_login(practitioner)
    assert "No suggestions." in html(post_check(client, "She is being criminally exploited."))


def test_empty_text_answers_with_nothing_and_records_nothing(client, practitioner):
    client.force_login(practitioner)
    response = post_check(client, "")
    assert response.status_code == 200
    assert html(response).strip() == ""
    assert not LanguageCheck.objects.exists()


def test_an_unknown_context_is_recorded_as_other(client, practitioner):
    client.force_login(practitioner)
    post_check(client, "He is not engaging.", language_context="<script>")
    assert LanguageCheck.objects.get().context == CheckContext.OTHER


def test_the_endpoint_does_not_read_the_csrf_token_as_text(client, practitioner):
    client.force_login(practitioner)
    response = client.post(CHECK, {"language_field": "csrfmiddlewaretoken"})
    assert response.status_code == 200
    assert not LanguageCheck.objects.exists()


def test_text_that_is_too_long_is_not_checked_as_you_type(client, practitioner):
    client.force_login(practitioner)
    response = post_check(client, "word " * 11_000)
    assert "too long to check as you type" in html(response)
    assert not LanguageCheck.objects.exists()


def test_the_endpoint_needs_a_sign_in_and_post(client, practitioner):
    response = client.post(CHECK, {"text": "not engaging"})
    assert response.status_code == 302
    assert reverse("web:sign-in") in response["Location"]
    client.force_login(practitioner)
    assert client.get(CHECK).status_code == 405


def test_a_signed_out_htmx_request_gets_no_content_rather_than_the_sign_in_page(client):
    response = post_check(client, "He is not engaging.")
    assert response.status_code == 204
    assert response.content == b""


def test_the_endpoint_is_csrf_protected(practitioner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(practitioner)
    assert post_check(client, "He is not engaging.").status_code == 403
    page = client.get(reverse("language:home"))
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html(page))
    assert found is not None
    token = found.group(1)
    response = post_check(client, "He is not engaging.", csrfmiddlewaretoken=token)
    assert response.status_code == 200
    assert "services have not yet found a way to engage him" in html(response)


# The widget and the helper ---------------------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Case note",
        help_text="What happened",
        widget=LanguageCheckedTextarea(context=CheckContext.CASE_NOTE),
    )


def test_the_widget_renders_a_govuk_textarea_with_htmx_and_a_status_region():
    rendered = str(NoteForm()["note"].as_field_group())
    found = re.search(r"<textarea[^>]*>", rendered)
    assert found is not None
    textarea = found.group(0)
    assert 'class="govuk-textarea"' in textarea
    assert f'hx-post="{CHECK}"' in textarea
    assert 'hx-trigger="keyup changed delay:800ms"' in textarea
    assert 'hx-target="#id_note-language"' in textarea
    assert 'hx-params="csrfmiddlewaretoken,note,language_field,language_context"' in textarea
    assert "&quot;language_context&quot;: &quot;case_note&quot;" in textarea
    assert 'aria-describedby="id_note-hint id_note-language"' in textarea
    assert '<div id="id_note-language" class="harbour-language-suggestions" role="status"' in (
        rendered
    )
    assert '<label class="govuk-label govuk-label--s" for="id_note">Case note</label>' in rendered


def test_the_helper_attaches_findings_so_the_form_shows_them_without_javascript(practitioner):
    form = NoteForm({"note": "She refuses to engage."})
    assert form.is_valid()
    findings = wording_findings_for(form, actor=practitioner)
    assert [f.rule_id for f in findings["note"]] == ["not_engaging"]
    rendered = str(form["note"].as_field_group())
    assert "services have not yet found a way to engage her" in rendered
    run = LanguageCheck.objects.get()
    assert (run.source, run.context) == ("submit", "case_note")


def test_the_helper_also_works_on_an_invalid_form_and_without_an_actor():
    class TwoFields(NoteForm):
        when = forms.DateField()

    form = TwoFields({"note": "He is gang affiliated.", "when": "not a date"})
    assert not form.is_valid()
    findings = wording_findings_for(form)
    assert [f.rule_id for f in findings["note"]] == ["gang_label"]
    assert not LanguageCheck.objects.exists()
    assert wording_findings_for(NoteForm()) == {}


def test_check_wording_works_without_javascript(client, practitioner):
    client.force_login(practitioner)
    page = client.get(reverse("language:home"))
    assert page.status_code == 200
    assert 'hx-post="' in html(page)
    response = client.post(reverse("language:home"), {"text": "He is a drug runner."})
    assert response.status_code == 200
    assert "is being criminally exploited to move or sell drugs" in html(response)
    assert LanguageCheck.objects.get().source == "submit"


def test_check_wording_shows_the_error_summary_when_empty(client, practitioner):
    client.force_login(practitioner)
    response = client.post(reverse("language:home"), {"text": ""})
    body = html(response)
    assert "govuk-error-summary" in body
    assert '<a href="#id_text">Enter some wording to check</a>' in body


# The leaders' report ---------------------------------------------------------------------------


@pytest.fixture
def usage(practitioner):
    services.language_check_record(
        actor=practitioner, text="He is not engaging. She is streetwise.", context="case_note"
    )
    services.language_check_record(
        actor=practitioner, text="He is a gang member.", context="plan", source="typing"
    )


def test_leaders_and_analysts_see_the_report(client, leader, analyst, practitioner, usage):
    for user in (leader, analyst):
        client.force_login(user)
        response = client.get(reverse("language:report"))
        assert response.status_code == 200
        body = html(response)
        assert "govuk-table" in body
        assert practitioner.team.name in body
        assert "Not engaging" in body and "Gang member or gang affiliated" in body
        assert reverse("language:report-csv") in body


@pytest.mark.parametrize("name", ["language:report", "language:report-csv"])
def test_other_roles_are_refused_the_report(client, practitioner, administrator, name):
    for user in (practitioner, administrator):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


def test_the_csv_has_a_row_per_team_and_month_with_counts_per_rule(client, leader, usage):
    client.force_login(leader)
    response = client.get(reverse("language:report-csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, row = list(csv.reader(io.StringIO(response.content.decode())))
    record = dict(zip(header, row, strict=True))
    assert record["team"] == "Exploitation team"
    # Counts of 1 to 4 are [c] in the CSV as on the page (harbour.disclosure); 0 is shown.
    assert record["checks_on_save"] == "[c]"
    assert record["suggestions_on_save"] == "[c]"
    assert record["checks_while_typing"] == "[c]"
    assert record["on_save:not_engaging"] == "[c]"
    assert record["on_save:adultifying"] == "[c]"
    assert record["on_save:gang_label"] == "0"


def test_the_csv_defuses_spreadsheet_formulas(client, leader, practitioner):
    practitioner.team.name = "=HYPERLINK(1)"
    practitioner.team.save()
    services.language_check_record(actor=practitioner, text="He is not engaging.", context="plan")
    client.force_login(leader)
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("language:report-csv")).content.decode()))
    )
    assert rows[1][2] == "'=HYPERLINK(1)"


# The administrators' rules ---------------------------------------------------------------------


RULE = {
    "pattern": "sell REFLEXIVE",
    "suggestion": "is being sexually exploited",
    "reason": "Children cannot sell themselves.",
    "example": "She has been selling herself at parties.",
    "about_child": "on",
}


def test_an_administrator_lists_and_adds_rules(client, administrator):
    client.force_login(administrator)
    listing = client.get(reverse("language:rules"))
    assert listing.status_code == 200
    assert "Placing themselves at risk" in html(listing)
    assert "has not added any rules yet" in html(listing)
    assert client.get(reverse("language:rule-add")).status_code == 200
    response = client.post(reverse("language:rule-add"), RULE, follow=True)
    assert response.redirect_chain[-1][0] == reverse("language:rules")
    assert "Rule added: sell REFLEXIVE" in html(response)
    rule = LanguageRule.objects.get()
    assert rule.pattern == ["sell", "REFLEXIVE"]
    assert rule.about_child is True


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"pattern": ""}, "pattern", "Enter the words to look for"),
        ({"pattern": "ANY ANY?"}, "pattern", "The pattern must include at least one word"),
        ({"pattern": "place WHOEVER"}, "pattern", "Unknown word class"),
        ({"example": "Nothing here."}, "example", "The pattern finds nothing in the example"),
        ({"suggestion": ""}, "suggestion", "Enter the suggested wording"),
    ],
)
def test_bad_rules_are_refused_with_the_error_summary(
    client, administrator, change, field, message
):
    client.force_login(administrator)
    response = client.post(reverse("language:rule-add"), {**RULE, **change})
    assert response.status_code == 200
    body = html(response)
    assert "govuk-error-summary" in body
    assert re.search(rf'<a href="#id_{field}">{re.escape(message)}', body), body
    assert "<title>Error: " in body
    assert not LanguageRule.objects.exists()


def test_an_administrator_switches_a_rule_off_and_on(client, administrator):
    client.force_login(administrator)
    client.post(reverse("language:rule-add"), RULE)
    rule = LanguageRule.objects.get()
    client.post(reverse("language:rule-switch"), {"rule": rule.rule_id})
    rule.refresh_from_db()
    assert rule.is_active is False
    client.post(reverse("language:rule-switch"), {"rule": rule.rule_id, "is_active": "on"})
    rule.refresh_from_db()
    assert rule.is_active is True
    assert client.post(reverse("language:rule-switch"), {"rule": "nope"}).status_code == 404


def test_only_administrators_reach_the_rules(client, practitioner, leader):
    for user in (practitioner, leader):
        client.force_login(user)
        assert client.get(reverse("language:rules")).status_code == 403
        assert client.post(reverse("language:rule-add"), RULE).status_code == 403
        assert client.post(reverse("language:rule-switch"), {"rule": "x"}).status_code == 403
    assert not LanguageRule.objects.exists()
