"""The pure-Python string functions give exactly DuckDB's answers: equal, not close.

Each property draws many pairs (random strings over small alphabets, so that matches and
transpositions are common, and near misses made by editing one string into the other) and
compares every result with DuckDB's own function in one query.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harbour.identity.linkage.string_functions import (
    _fma_exact,
    damerau_levenshtein,
    fma,
    jaro_similarity,
    jaro_winkler_similarity,
    levenshtein,
)

FUNCTIONS: dict[str, Callable[[str, str], float | int]] = {
    "jaro_similarity": jaro_similarity,
    "jaro_winkler_similarity": jaro_winkler_similarity,
    "levenshtein": levenshtein,
    "damerau_levenshtein": damerau_levenshtein,
}

NAME_ALPHABET = "aeinorst"
WIDE_ALPHABET = "abcdefghijklmnopqrstuvwxyzAEIO -'éè\u0301👍0123456789"


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def duckdb_results(
    con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, str]]
) -> dict[str, list[float | int]]:
    con.execute("create or replace temp table pairs (i integer, a varchar, b varchar)")
    con.executemany(
        "insert into pairs values (?, ?, ?)", [(i, a, b) for i, (a, b) in enumerate(pairs)]
    )
    columns = ", ".join(f"{name}(a, b)" for name in FUNCTIONS)
    rows = con.execute(f"select {columns} from pairs order by i").fetchall()  # noqa: S608
    return {name: [row[k] for row in rows] for k, name in enumerate(FUNCTIONS)}


def assert_all_equal(con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, str]]) -> None:
    expected = duckdb_results(con, pairs)
    for name, function in FUNCTIONS.items():
        mismatches = [
            (a, b, function(a, b), want)
            for (a, b), want in zip(pairs, expected[name], strict=True)
            if function(a, b) != want or type(function(a, b)) is not type(want)
        ]
        assert not mismatches, (name, mismatches[:5])


def edit(rng: random.Random, word: str, alphabet: str, edits: int) -> str:
    chars = list(word)
    for _ in range(edits):
        op = rng.randrange(4)
        if op == 0 and chars:
            chars[rng.randrange(len(chars))] = rng.choice(alphabet)
        elif op == 1:
            chars.insert(rng.randint(0, len(chars)), rng.choice(alphabet))
        elif op == 2 and chars:
            del chars[rng.randrange(len(chars))]
        elif len(chars) > 1:
            k = rng.randrange(len(chars) - 1)
            chars[k], chars[k + 1] = chars[k + 1], chars[k]
    return "".join(chars)


near_miss_pairs = st.builds(
    lambda seed, word, edits: (word, edit(random.Random(seed), word, NAME_ALPHABET, edits)),
    st.integers(0, 2**32),
    st.text(NAME_ALPHABET, max_size=14),
    st.integers(0, 3),
)
random_pairs = st.tuples(st.text(WIDE_ALPHABET, max_size=20), st.text(WIDE_ALPHABET, max_size=20))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(near_miss_pairs, random_pairs), min_size=50, max_size=200))
def test_equal_to_duckdb_on_random_and_near_miss_pairs(con, pairs):
    assert_all_equal(con, pairs)


def test_equal_to_duckdb_on_many_names_where_rounding_bites(con):
    """Plenty of pairs whose Jaro-Winkler rounds differently with and without the fused
    multiply-add, including around Splink's thresholds (0.92, 0.88, 0.7)."""
    rng = random.Random(20261101)
    pairs = []
    for _ in range(30_000):
        word = "".join(rng.choice(NAME_ALPHABET) for _ in range(rng.randint(1, 12)))
        other = (
            edit(rng, word, NAME_ALPHABET, rng.randint(0, 3))
            if rng.random() < 0.7
            else "".join(rng.choice(NAME_ALPHABET) for _ in range(rng.randint(0, 12)))
        )
        pairs.append((word, other))
    assert_all_equal(con, pairs)
    # The fused multiply-add matters on this sample: rounding twice would disagree with DuckDB.
    twice_rounded = 0
    for a, b in pairs:
        sim = jaro_similarity(a, b)
        prefix = next(
            (k for k in range(min(len(a), len(b), 4)) if a[k] != b[k]), min(len(a), len(b), 4)
        )
        if sim > 0.7 and (sim + prefix * 0.1 * (1.0 - sim)) != jaro_winkler_similarity(a, b):
            twice_rounded += 1
    assert twice_rounded > 0


def test_long_strings_and_multibyte_characters(con):
    rng = random.Random(7)
    pairs = [("", ""), ("a", ""), ("", "a"), ("a", "a"), ("a", "b"), ("é", "e"), ("Zoë", "Zoe")]
    for _ in range(300):
        word = "".join(rng.choice("abcdé ") for _ in range(rng.randint(60, 140)))
        pairs.append((word, edit(rng, word, "abcdé ", rng.randint(0, 12))))
    assert_all_equal(con, pairs)


def test_null_is_null_in_duckdb(con):
    """DuckDB returns NULL for a NULL argument; the matcher handles NULL before calling these."""
    assert con.execute("select jaro_winkler_similarity(NULL, 'a')").fetchone() == (None,)


def test_code_points_not_bytes(con):
    """DuckDB 2 counts code points: é is one character, e plus a combining accent is two."""
    pairs = [("aé", "aè"), ("ééé", "éé"), ("Zoë", "Zoe"), ("e\u0301", "é"), ("👍🏽", "👍")]
    assert_all_equal(con, pairs)
    assert jaro_similarity("aé", "aè") == 2 / 3


@given(
    st.floats(allow_nan=False, allow_infinity=False, width=64, min_value=-1e150, max_value=1e150),
    st.floats(allow_nan=False, allow_infinity=False, width=64, min_value=-1e150, max_value=1e150),
    st.floats(allow_nan=False, allow_infinity=False, width=64, min_value=-1e290, max_value=1e290),
)
def test_fused_multiply_add_rounds_once(x, y, z):
    exact = Fraction(x) * Fraction(y) + Fraction(z)
    assert _fma_exact(x, y, z) == float(exact)
    assert fma(x, y, z) == float(exact)
