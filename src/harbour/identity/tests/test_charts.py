"""The review queue's one-line summary of which evidence decided a pair (issue 14)."""

from __future__ import annotations

from harbour.identity import charts


def _row(order: int, column: str, label: str, weight: float, tf: bool = False) -> dict:
    return {
        "bar_sort_order": order,
        "column_name": column,
        "label_for_charts": label,
        "log2_bayes_factor": weight,
        "term_frequency_adjustment": tf,
    }


def test_the_strongest_evidence_for_and_against_and_what_was_not_recorded() -> None:
    rows = [
        _row(0, "Prior", "Starting match weight (prior)", -14.0),
        _row(1, "first_name", "Exact match on first_name", 7.0),
        _row(2, "tf_first_name", "Term freq adjustment on first_name", -2.5, tf=True),
        _row(3, "surname", "Exact match on surname", 8.0),
        _row(4, "dob", "dob is NULL", 0.0),
        _row(5, "place", "Same address", 10.5),
        _row(6, "tf_place", "Term freq adjustment on address_tokens", -1.0, tf=True),
        _row(7, "sex", "All other comparisons", -3.0),
        _row(8, "nhs_number", "nhs_number is NULL", 0.0),
        _row(9, "Final score", "Final score", 15.0),
    ]
    assert charts.deciding_evidence(rows) == (
        "For: address and postcode, last name. Against: sex. "
        "Not recorded: date of birth, NHS number"
    )
    # The address's term-frequency adjustment counts with it (10.5 - 1.0 still beats the last
    # name's 8.0); the first name (7.0 - 2.5) is fourth.
    assert charts.deciding_evidence(rows, most=3).startswith(
        "For: address and postcode, last name, first name."
    )
    assert charts.deciding_evidence([]) == ""
