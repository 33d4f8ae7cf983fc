"""Real-time matching gives Splink's own answers: the same candidate pairs as Splink's blocking
and, for every pair, the same match weight and probability as ``predict_between`` (equal, not
close), with the index kept current by ``add``."""

from __future__ import annotations

import ast
import math
import random
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from harbour.identity.linkage import model, realtime, synthetic
from harbour.identity.linkage.engines import duckdb_api
from harbour.identity.linkage.realtime import RealtimeIndex, UnsupportedSQL
from harbour.identity.linkage.sql_eval import compile_sql, substring

LINKAGE = Path(model.__file__).parent
COMPARISONS = (
    "first_name",
    "surname",
    "dob",
    "place",
    "nhs_number",
    "sex",
)


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return synthetic.generate(4_000, seed=11)


@pytest.fixture(scope="module")
def trained(records: pd.DataFrame) -> model.TrainedModel:
    return model.train(records, seed=11, u_max_pairs=2e5, em_max_pairs=2e5)


def plain(record: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if v is pd.NA else v) for k, v in record.items()}


def splink_settings(trained: model.TrainedModel | dict[str, Any]) -> dict[str, Any]:
    """The model's settings, asking Splink to keep each pair's levels and partial weights."""
    settings = (
        trained.settings_for("duckdb") if isinstance(trained, model.TrainedModel) else dict(trained)
    )
    return {
        **settings,
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
    }


def splink_predict_between(
    trained: model.TrainedModel | dict[str, Any], existing: pd.DataFrame, incoming: pd.DataFrame
) -> pd.DataFrame:
    """Splink's own incremental prediction: existing (left) x incoming (right), blocked by the
    model's rules, with term frequencies from the existing records."""
    from splink import Linker

    db_api = duckdb_api(threads=1)
    left = db_api.register(existing, dataset_display_name="existing")
    right = db_api.register(incoming, dataset_display_name="incoming")
    linker = Linker(left, splink_settings(trained))
    for column in model.TF_COLUMNS:
        linker.table_management.compute_tf_table(column)
    return linker.inference.predict_between(left, right, warning_mode="never").as_pandas_dataframe()


def assert_equal_to_splink(
    index: RealtimeIndex,
    trained: model.TrainedModel | dict[str, Any],
    existing: pd.DataFrame,
    incoming: pd.DataFrame,
) -> int:
    expected = splink_predict_between(trained, existing, incoming)
    splink_pairs = {(row.unique_id_l, row.unique_id_r): row for row in expected.itertuples()}
    ours = {}
    for record in incoming.to_dict("records"):
        for candidate in index.match(plain(record), top=None, prepared=True):
            ours[(candidate.unique_id, record["unique_id"])] = candidate
    assert set(ours) == set(splink_pairs)
    different = []
    for pair, row in splink_pairs.items():
        candidate = ours[pair]
        parts = {
            name: (c.comparison_vector_value, c.log2_bayes_factor, c.tf_log2_adjustment)
            for name, c in zip(COMPARISONS, candidate.contributions, strict=True)
        }
        splink_parts = {
            name: (
                getattr(row, f"gamma_{name}"),
                getattr(row, f"mw_{name}"),
                getattr(row, f"mw_tf_adj_{name}", 0.0),
            )
            for name in COMPARISONS
        }
        if (
            candidate.match_weight != row.match_weight
            or candidate.match_probability != row.match_probability
            or str(candidate.match_key) != str(row.match_key)
            or parts != splink_parts
        ):
            different.append((pair, candidate, row))
    assert not different, different[:3]
    return len(splink_pairs)


def test_equal_to_splink_predict_between(records, trained):
    existing, incoming = synthetic.split_for_incremental(records, 400, seed=5)
    existing, incoming = model.prepare(existing), model.prepare(incoming)
    index = RealtimeIndex.build(trained, existing, prepared=True)
    pairs = assert_equal_to_splink(index, trained, existing, incoming)
    assert pairs > 300


def test_the_fused_multiply_add_decides_a_level_as_in_splink(trained):
    """DuckDB's Jaro-Winkler of florence / falorence is 0.9666666666666667, one unit in the last
    place above what rounding twice gives (jellyfish, rapidfuzz). With the threshold at that value
    Splink puts the pair in the higher level; so must the matcher."""
    import jellyfish

    assert jellyfish.jaro_winkler_similarity("florence", "falorence") < 0.9666666666666667
    settings = trained.settings_for("duckdb")
    levels = settings["comparisons"][0]["comparison_levels"]
    high = next(lv for lv in levels if "0.92" in lv["sql_condition"])
    high["sql_condition"] = high["sql_condition"].replace("0.92", "0.9666666666666667")
    people = pd.DataFrame(
        [
            {"unique_id": 1, "first_name": "Florence", "surname": "Smith", "dob": "2012-03-04"},
            {"unique_id": 2, "first_name": "Falorence", "surname": "Smith", "dob": "2012-03-04"},
        ]
    )
    prepared = model.prepare(people)
    existing, incoming = prepared.iloc[:1], prepared.iloc[1:].reset_index(drop=True)
    index = RealtimeIndex.build(settings, existing, prepared=True)
    assert assert_equal_to_splink(index, settings, existing, incoming) == 1
    (candidate,) = index.match(plain(incoming.iloc[0].to_dict()), prepared=True)
    first_name = candidate.contributions[0]
    assert first_name.level == high["label_for_charts"]


def mutate(rng: random.Random, record: dict[str, Any]) -> dict[str, Any]:
    """A near miss of a record: typos that put names near the Jaro-Winkler thresholds, dates
    with a digit or the day and month changed, blanks, names the other way round."""
    out = dict(record)
    letters = "aeilnorstuy"

    def typo(name: str | None) -> str | None:
        if not name:
            return name
        chars = list(name)
        op = rng.randrange(4)
        k = rng.randrange(len(chars))
        if op == 0:
            chars[k] = rng.choice(letters)
        elif op == 1:
            chars.insert(k, rng.choice(letters))
        elif op == 2 and len(chars) > 1:
            del chars[k]
        elif len(chars) > 1:
            k = min(k, len(chars) - 2)
            chars[k], chars[k + 1] = chars[k + 1], chars[k]
        return "".join(chars)

    for _ in range(rng.randint(1, 3)):
        change = rng.randrange(9)
        if change in (0, 1):
            out["first_name"] = typo(out["first_name"])
        elif change in (2, 3):
            out["surname"] = typo(out["surname"])
        elif change == 4 and out["dob"]:
            dob = out["dob"]
            k = rng.choice([2, 3, 5, 6, 8, 9])
            out["dob"] = dob[:k] + str(rng.randrange(10)) + dob[k + 1 :]
        elif change == 5 and out["dob"]:
            out["dob"] = f"{out['dob'][:4]}-{out['dob'][8:10]}-{out['dob'][5:7]}"
        elif change == 6:
            field = rng.choice(["first_name", "surname", "dob", "postcode", "nhs_number", "sex"])
            out[field] = None
        elif change == 7:
            out["first_name"], out["surname"] = out["surname"], out["first_name"]
        else:
            out["postcode"] = rng.choice(["RV1 4AB", "RY29 2WA", None, out["postcode"]])
    return out


def test_equal_to_splink_on_near_misses(records, trained):
    """Incoming records a typo or two away from indexed ones: plenty of pairs near every
    Jaro-Winkler and date threshold, NULLs, swaps, and values the index has never seen."""
    rng = random.Random(20261126)
    existing = model.prepare(records)
    raw = records.sample(500, random_state=3).to_dict("records")
    incoming = pd.DataFrame(
        [{**mutate(rng, plain(r)), "unique_id": 1_000_000 + i} for i, r in enumerate(raw)]
    )
    incoming = model.prepare(incoming)
    index = RealtimeIndex.build(trained, existing, prepared=True)
    assert assert_equal_to_splink(index, trained, existing, incoming) > 500


def test_add_keeps_the_index_current(records, trained, monkeypatch):
    """Records added after the build are found, and their values count in the term
    frequencies, whether they wait beside the sorted keys or have been merged into them."""
    monkeypatch.setattr(realtime, "_MIN_PENDING", 250)
    prepared = model.prepare(records)
    existing, incoming = prepared.iloc[:3_400], prepared.iloc[3_400:3_700]
    index = RealtimeIndex.build(trained, prepared.iloc[:2_000], prepared=True)
    index.add(prepared.iloc[2_000:2_100], prepared=True)  # waits beside the sorted keys
    index.add(prepared.iloc[2_100:3_400], prepared=True)  # merged into them
    assert len(index) == 3_400
    assert all(not rule.pending for rule in index._rules)
    index.add(prepared.iloc[3_400:3_400], prepared=True)
    assert_equal_to_splink(index, trained, existing, incoming.reset_index(drop=True))
    index.add(prepared.iloc[3_400:3_450], prepared=True)
    assert any(rule.pending for rule in index._rules)
    assert_equal_to_splink(
        index, trained, prepared.iloc[:3_450], prepared.iloc[3_450:3_700].reset_index(drop=True)
    )
    with pytest.raises(ValueError, match="already indexed"):
        index.add(prepared.iloc[:1], prepared=True)


def test_records_added_a_few_at_a_time_are_coded_as_added_all_at_once(records, trained):
    """A record arriving is added without ``factorize`` (ADR 0038): the index ends the same,
    code for code and count for count, and answers the same, as when added in one go."""
    prepared = model.prepare(records)
    built = RealtimeIndex.build(trained, prepared.iloc[:2_000], prepared=True)
    built.add(prepared.iloc[2_000:2_060], prepared=True)
    one_by_one = RealtimeIndex.build(trained, prepared.iloc[:2_000], prepared=True)
    for at in range(2_000, 2_060, 3):  # records with missing values among them
        one_by_one.add(prepared.iloc[at : at + 3], prepared=True)
    for name, column in built._columns.items():
        other = one_by_one._columns[name]
        assert other.values == column.values, name
        assert other.codes.view.tolist() == column.codes.view.tolist(), name
        assert other.non_null == column.non_null, name
        if column.counts is not None:
            assert other.counts is not None
            assert other.counts.view.tolist() == column.counts.view.tolist(), name
    for record in prepared.iloc[2_060:2_090].to_dict("records"):
        assert one_by_one.match(record, prepared=True) == built.match(record, prepared=True)


def test_raw_records_are_normalised_like_the_batch(records, trained):
    index = RealtimeIndex.build(trained, records.iloc[:3_000])
    incoming = records.iloc[3_000:3_050]
    for raw, prepared in zip(
        incoming.to_dict("records"), model.prepare(incoming).to_dict("records"), strict=True
    ):
        assert index.match(raw) == index.match(plain(prepared), prepared=True)
    shouted = {
        **incoming.iloc[0].to_dict(),
        "first_name": "  " + incoming.iloc[0]["first_name"].upper(),
    }
    assert [c.unique_id for c in index.match(shouted)] == [
        c.unique_id for c in index.match(incoming.iloc[0].to_dict())
    ]


def test_candidates_best_first_with_their_explanation(records, trained):
    prepared = model.prepare(records)
    index = RealtimeIndex.build(trained, prepared.iloc[1:], prepared=True)
    record = plain(prepared.iloc[0].to_dict())
    found = index.match(record, top=None, prepared=True)
    assert found
    weights = [c.match_weight for c in found]
    assert weights == sorted(weights, reverse=True)
    assert index.match(record, top=2, prepared=True) == found[:2]
    assert set(index.candidates(record, prepared=True)) == {c.unique_id for c in found}
    best = found[0]
    assert [c.comparison for c in best.contributions] == list(COMPARISONS)
    total = best.prior_match_weight
    for c in best.contributions:
        total += c.log2_bayes_factor
        if c.has_tf_adjustment:
            total += c.tf_log2_adjustment
    assert total == best.match_weight  # summed in Splink's order, so equal
    waterfall = best.waterfall()
    assert waterfall[0]["column_name"] == "Prior"
    assert waterfall[-1]["column_name"] == "Final score"
    assert waterfall[-1]["log2_bayes_factor"] == best.match_weight
    assert {"tf_first_name", "tf_surname"} <= {row["column_name"] for row in waterfall}
    assert math.isclose(best.match_probability, 1 / (1 + 2**-best.match_weight))


def test_a_stranger_has_no_candidates(trained, records):
    index = RealtimeIndex.build(trained, records.iloc[:500])
    stranger = {"unique_id": "x", "first_name": "Zebedee", "surname": "Quux", "dob": "1999-01-01"}
    assert index.match(stranger) == []
    assert index.match({"unique_id": "y"}) == []


def test_records_without_a_usable_name_or_date_are_held(trained, records):
    index = RealtimeIndex.build(trained, records.iloc[:500])
    assert index.hold_reason({"unique_id": 1, "first_name": "Ava", "dob": "2012-01-02"}) == ""
    assert index.hold_reason({"unique_id": 2, "surname": "Khan", "nhs_number": None}) == (
        model.NO_DOB_OR_NHS
    )
    assert model.NO_NAME in index.hold_reason({"unique_id": 3, "first_name": "Unknown"})


def test_sql_the_matcher_cannot_evaluate_is_refused_when_the_index_is_built(trained):
    settings = trained.settings_for("duckdb")
    level = settings["comparisons"][3]["comparison_levels"][2]
    level["sql_condition"] = "regexp_matches(postcode_l, '^RV')"
    with pytest.raises(UnsupportedSQL, match=r"(?i)regexp"):
        RealtimeIndex(settings)


def test_no_django_in_the_engine():
    for name in ("realtime.py", "sql_eval.py", "string_functions.py"):
        tree = ast.parse((LINKAGE / name).read_text())
        for node in ast.walk(tree):
            modules = []
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            for module in modules:
                assert not module.startswith("django"), (name, module)
                assert not module.startswith("harbour.") or module.startswith(
                    "harbour.identity.linkage"
                ), (name, module)


# --- the SQL evaluator against DuckDB ------------------------------------------------------------

EXPRESSIONS = [
    "a_l = a_r",
    "a_l <> a_r",
    "a_l IS NULL OR a_r IS NULL",
    "NOT (a_l = b_r)",
    "a_l = b_r AND b_l = a_r",
    "a_l = b_r OR b_l = a_r",
    "(a_l = a_r) AND (b_l IS NOT NULL)",
    "jaro_winkler_similarity(a_l, a_r) >= 0.92",
    "jaro_winkler_similarity(a_l, a_r) >= 0.88",
    "jaro_winkler_similarity(a_l, a_r) >= 0.8",
    "jaro_winkler_similarity(a_l, a_r) >= 0.7",
    "jaro_similarity(a_l, b_r) > 0.85",
    "levenshtein(a_l, a_r) <= 1",
    "damerau_levenshtein(a_l, a_r) <= 2",
    "substr(a_l, 1, 2) = substr(a_r, 1, 2)",
    "substring(a_l, -2, 5) = substring(a_r, 0, 2)",
    "substr(a_l, 3) = substr(a_r, 3)",
    "(CASE WHEN substr(a_l, 1, 1) = substr(a_r, 1, 1) THEN 1 ELSE 0 END"
    " + CASE WHEN substr(b_l, 1, 1) = substr(b_r, 1, 1) THEN 1 ELSE 0 END) >= 1",
    "coalesce(a_l, b_l) = nullif(a_r, 'ab')",
    "abs(levenshtein(a_l, b_l) - levenshtein(a_r, b_r)) <= 1",
    "CASE WHEN a_l = a_r THEN NULL ELSE a_l = b_r END",
]


def test_sql_evaluator_agrees_with_duckdb():
    rng = random.Random(4)
    words = ["", "a", "ab", "ba", "abc", "anna", "ana", "hannah", "johnathan", "jonathan", None]
    rows = [
        (rng.choice(words), rng.choice(words), rng.choice(words), rng.choice(words))
        for _ in range(400)
    ]
    con = duckdb.connect()
    con.execute("create table t (i integer, a_l varchar, b_l varchar, a_r varchar, b_r varchar)")
    con.executemany("insert into t values (?, ?, ?, ?, ?)", [(i, *r) for i, r in enumerate(rows)])
    for sql in EXPRESSIONS:
        compiled = compile_sql(sql, l_columns=["a", "b"], r_columns=["a", "b"])
        expected = [v for (v,) in con.execute(f"select {sql} from t order by i").fetchall()]  # noqa: S608
        got = [compiled.fn((a_l, b_l), (a_r, b_r)) for a_l, b_l, a_r, b_r in rows]
        assert got == expected, sql


def test_substring_follows_duckdb():
    con = duckdb.connect()
    for text in ["hello", "héllo", ""]:
        for start in range(-7, 8):
            for length in (-3, -1, 0, 1, 2, 10, None):
                args = f"'{text}', {start}" + ("" if length is None else f", {length}")
                row = con.execute(f"select substring({args})").fetchone()
                assert row is not None
                assert substring(text, start, length) == row[0], args
