"""The sentence model beside the rules (ADR 0044): what it adds, what it explains, the guards it
cannot overrule, and that it is fitted on the dev part only."""

from harbour.language.checker import (
    MODEL_PREFIX,
    Checker,
    check,
    default_checker,
    load_default_model,
    load_default_rules,
)
from harbour.language.checker.train import load_dev

AGE_CONTRAST = "Piper (15) has been seeing her boyfriend Dean (23) for six months."


def model_findings(text):
    return [f for f in check(text) if f.rule_id.startswith(MODEL_PREFIX)]


def test_the_model_finds_what_the_rules_miss_and_says_why():
    assert Checker(load_default_rules(), statistical=False).check(AGE_CONTRAST) == []
    [finding] = model_findings(AGE_CONTRAST)
    assert finding.rule_id == "model-consent_sexualisation"
    assert AGE_CONTRAST[finding.start : finding.end] == finding.text
    assert "boyfriend" in finding.text
    assert "Words that weighed most:" in finding.reason
    assert "a child's age beside an adult's" in finding.reason
    assert finding.suggestion and finding.title
    assert finding.rule_version == default_checker().rule_version(finding.rule_id)


def test_a_sentence_about_an_adult_is_never_flagged_by_the_model():
    assert model_findings("His mother refuses to engage and keeps blanking the worker.") == []
    assert model_findings("Mr Khan (24) has been seeing Dean (23) for six months.") == []


def test_coercion_named_and_quoted_words_are_not_the_writer_s_framing():
    assert model_findings("He was told by the older males to sell drugs in Norfolk.") == []
    assert model_findings("She said: 'I want to be with him, he is my boyfriend.'") == []


def test_a_sentence_with_no_framing_is_not_flagged():
    for text in (
        "Jay is fine.",
        "The meeting was held on Monday.",
        "Ava (14) is doing well at school.",
    ):
        assert model_findings(text) == [], text


def test_findings_keep_their_place_in_a_note_of_paragraphs():
    note = f"Jay is fine.\n\n  {AGE_CONTRAST}\n \nHe chose to go missing."
    findings = check(note)
    assert {f.rule_id for f in findings} == {"model-consent_sexualisation", "choice"}
    for finding in findings:
        assert note[finding.start : finding.end] == finding.text
    # The second check of the same paragraphs comes from the cache, and says the same.
    assert check(note) == findings


def test_the_partnership_s_rules_sit_beside_the_model():
    checker = Checker(load_default_rules())
    assert checker.model is not None
    assert checker.check(AGE_CONTRAST) == check(AGE_CONTRAST)


def test_the_model_was_fitted_on_the_dev_part_only():
    model = load_default_model()
    assert model is not None
    rows = load_dev()
    assert {row["split"] for row in rows} == {"dev"}
    assert len(rows) == 504
    assert 0.0 < model.threshold < 1.0
    assert model.categories == [
        "adultification",
        "choice",
        "consent_sexualisation",
        "criminalising",
        "non_engagement",
        "self_blame_risk",
    ]
