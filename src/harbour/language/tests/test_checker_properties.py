"""Whatever text it is given, the checker answers, and every finding's offsets slice the
original text to the matched text."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harbour.language.checker import check

PHRASES = [
    "placing herself at risk",
    "not engaging",
    "chose to associate with",
    "risk-taking",
    "is a gang member",
    "Mr X",
    "'",
    '"',
    ";",
    "\n",
    "  ",
    "\u00a0",
    "herself",
    "consensual",
    "non-",
    "said",
    "24-year-old",
]

texts = st.lists(st.one_of(st.text(max_size=30), st.sampled_from(PHRASES)), max_size=20).map(
    " ".join
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_check_never_crashes_and_offsets_slice_the_text(text):
    for finding in check(text):
        assert 0 <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.text
        assert finding.rule_id and finding.suggestion and finding.reason


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_check_never_crashes_on_any_text(text):
    for finding in check(text):
        assert text[finding.start : finding.end] == finding.text
