"""Every CSV cell a spreadsheet would run as a formula is neutralised (issue 16, part 5): one
that starts with = + - or @, also after spaces and control characters, which spreadsheet
programs skip."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from harbour.web.responses import csv_cell, csv_response

SKIPPED = st.text(alphabet=st.sampled_from([" ", "\t", "\r", "\n", "\x00", "\x0b", "\x1f", "\x7f"]))


@settings(max_examples=2000)
@given(lead=SKIPPED, start=st.sampled_from("=+-@"), rest=st.text())
@example(lead="", start="=", rest='HYPERLINK("http://x")')
@example(lead=" \t", start="@", rest="SUM(1)")
def test_a_formula_after_any_skipped_characters_is_neutralised(lead, start, rest):
    assert csv_cell(lead + start + rest) == "'" + lead + start + rest


@settings(max_examples=2000)
@given(st.text())
def test_any_other_text_is_left_as_it_is(text):
    stripped = text.lstrip("".join(chr(c) for c in range(33)) + "\x7f")
    if stripped[:1] in set("=+-@") or text[:1] in {"\t", "\r"}:
        assert csv_cell(text) == "'" + text
    else:
        assert csv_cell(text) == text


def test_numbers_stay_numbers_and_the_response_neutralises_every_cell():
    assert csv_cell(-3) == -3
    body = csv_response("x.csv", ["=head"], [[" =1+1", "ok", -2]]).content.decode()
    assert body.splitlines() == ["'=head", "' =1+1,ok,-2"]
