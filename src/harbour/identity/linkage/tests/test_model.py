"""The record schema's normalisation, training and the versioned model file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from harbour.identity.linkage import model, synthetic


def test_prepare_normalises_names_dates_postcodes_and_nhs_numbers() -> None:
    raw = pd.DataFrame(
        {
            "unique_id": [1, 2, 3, 4],
            "first_name": ["  Zoë ", "UNKNOWN", "Bill", None],
            "surname": ["O'Brien-Smith", "Baby", "JONES", ""],
            "dob": ["2012-03-04", "2012-13-04", dt.date(2010, 11, 5), "04/03/2012"],
            "sex": ["f", "U", "1", None],
            "postcode": ["rv1 4ab", "RV14AB", "not a postcode", "  RW12  3XY "],
            "nhs_number": ["943 476 5919", "9434765918", "0000000000", None],
        }
    )
    prepared = model.prepare(raw)
    out = {c: [None if pd.isna(v) else v for v in prepared[c]] for c in prepared.columns}
    assert out["first_name"][:3] == ["zoe", None, "bill"]
    assert out["surname"] == ["obrien smith", None, "jones", None]
    assert out["first_name_canonical"][:3] == ["zoe", None, "william"]
    assert out["dob"] == ["2012-03-04", None, "2010-11-05", None]
    assert out["dob_swapped"] == ["2012-04-03", None, "2010-05-11", None]
    assert out["sex"] == ["F", None, "M", None]
    assert out["postcode"] == ["RV1 4AB", "RV1 4AB", None, "RW12 3XY"]
    assert out["postcode_sector"] == ["RV1 4", "RV1 4", None, "RW12 3"]
    assert out["postcode_district"] == ["RV1", "RV1", None, "RW12"]
    assert out["nhs_number"] == ["9434765919", None, None, None]
    # One record at a time (the real-time matcher's path) gives the same values.
    for record, row in zip(raw.to_dict("records"), prepared.to_dict("records"), strict=True):
        single = model.prepare_record(record)
        assert {k: (None if pd.isna(v) else v) for k, v in row.items()} == single


def test_records_without_a_name_or_a_date_of_birth_and_nhs_number_are_unusable() -> None:
    raw = pd.DataFrame(
        {
            "unique_id": [1, 2, 3, 4],
            "first_name": ["Ann", "Unknown", "Ann", None],
            "surname": ["Lee", "Unknown", "Lee", "Lee"],
            "dob": ["2012-03-04", "2012-03-04", None, None],
            "nhs_number": [None, None, None, "9434765919"],
        }
    )
    reasons = model.unusable_reasons(model.prepare(raw)).tolist()
    assert reasons == ["", model.NO_NAME, model.NO_DOB_OR_NHS, ""]
    # One record at a time (the real-time path) gives the same reasons, both missing included.
    raw.loc[4] = [5, None, "Unknown", None, None]
    expected = model.unusable_reasons(model.prepare(raw)).tolist()
    assert expected[4] == f"{model.NO_NAME}; {model.NO_DOB_OR_NHS}"
    singles = [model.unusable_reason(model.prepare_record(r)) for r in raw.to_dict("records")]
    assert singles == expected


def test_a_record_without_a_date_of_birth_is_usable_with_both_names_and_a_place() -> None:
    raw = pd.DataFrame(
        {
            "unique_id": [1, 2, 3, 4],
            "first_name": ["Ann", "Ann", "Ann", None],
            "surname": ["Lee", "Lee", "Lee", "Lee"],
            "dob": [None, None, None, None],
            "postcode": ["RV1 2AB", "NFA", None, "RV1 2AB"],
            "address": [None, None, "4 Mill Lane", "4 Mill Lane"],
        }
    )
    prepared = model.prepare(raw)
    reasons = model.unusable_reasons(prepared).tolist()
    # a UK postcode, no place ("NFA" is not a postcode), an address, one name only
    assert reasons == ["", model.NO_DOB_OR_NHS, "", model.NO_DOB_OR_NHS]
    singles = [model.unusable_reason(model.prepare_record(r)) for r in raw.to_dict("records")]
    assert singles == reasons


def test_soundex_and_addresses_are_normalised_for_blocking_and_comparison() -> None:
    assert model.soundex("smith") == model.soundex("smyth") == model.soundex("smithe") == "s530"
    assert model.soundex("ashcraft") == "a261"  # h does not separate s and c
    assert model.soundex("lee") == "l000"
    assert model.soundex(None) is None
    one = model.normalise_address("Flat 2, 14 High St., Riverside RV1 2AB")
    other = model.normalise_address("14 high street flat 2 riverside")
    assert one == other == ("14 2 high riverside street", "14 2")
    assert model.address_words("14 High St") == "high street"
    assert model.address_numbers("Rose Cottage, Mill Lane") is None
    assert model.address_tokens("NFA") is None


def test_a_trained_model_saves_and_loads_with_its_version_and_hash(
    linkage_model: model.TrainedModel, tmp_path: Path
) -> None:
    path = linkage_model.save(tmp_path / "model.json")
    loaded = model.TrainedModel.load(path)
    assert loaded == linkage_model
    saved = json.loads(path.read_text())
    assert saved["format"] == model.MODEL_FORMAT
    assert saved["version"] == 1
    assert saved["trained_at"] == "2026-01-01T00:00:00+00:00"
    assert saved["record_count"] == linkage_model.record_count > 3_000
    assert saved["sha256"] == model.model_sha256(saved["splink_model"])
    assert saved["notes"]["splink"] == "5.0.0"
    assert len(saved["notes"]["em_blocking_rules"]) == 2
    assert [c["output_column_name"] for c in saved["splink_model"]["comparisons"]] == [
        "first_name",
        "surname",
        "dob",
        "place",
        "nhs_number",
        "sex",
    ]
    # A file whose parameters were changed after saving is refused.
    saved["splink_model"]["probability_two_random_records_match"] = 0.5
    path.write_text(json.dumps(saved))
    with pytest.raises(ValueError, match="SHA-256"):
        model.TrainedModel.load(path)


def test_training_is_repeatable_with_a_seed(
    linkage_records: pd.DataFrame, linkage_model: model.TrainedModel
) -> None:
    again = model.train(
        linkage_records,
        seed=3,
        u_max_pairs=1e6,
        em_max_pairs=1e6,
        trained_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    assert again.splink_model == linkage_model.splink_model
    assert again.sha256 == linkage_model.sha256


def test_the_trained_weights_say_what_a_practitioner_would_expect(
    linkage_model: model.TrainedModel,
) -> None:
    def bayes_factor(comparison: str, label_start: str) -> float:
        for c in linkage_model.splink_model["comparisons"]:
            if c["output_column_name"] == comparison:
                for level in c["comparison_levels"]:
                    if level.get("label_for_charts", "").startswith(label_start):
                        return level["m_probability"] / level["u_probability"]
        raise AssertionError(f"{comparison}: no level {label_start!r}")

    assert bayes_factor("nhs_number", "Exact") > 1_000
    assert bayes_factor("nhs_number", "All other") < 0.1
    assert bayes_factor("dob", "Exact") > bayes_factor("dob", "Day and month") > 1
    assert bayes_factor("first_name", "Same name or nickname") > 1
    assert bayes_factor("surname", "Surname is the other's first name") > 1
    assert bayes_factor("first_name", "All other") < 1
    assert 0 < linkage_model.probability_two_random_records_match < 0.01


def test_the_same_parameters_are_built_for_spark(linkage_model: model.TrainedModel) -> None:
    duck = linkage_model.settings_for("duckdb")
    spark = linkage_model.settings_for("spark")
    assert spark["probability_two_random_records_match"] == pytest.approx(
        duck["probability_two_random_records_match"]
    )
    for a, b in zip(duck["comparisons"], spark["comparisons"], strict=True):
        assert [lv.get("m_probability") for lv in a["comparison_levels"]] == [
            lv.get("m_probability") for lv in b["comparison_levels"]
        ]
        assert [lv.get("u_probability") for lv in a["comparison_levels"]] == [
            lv.get("u_probability") for lv in b["comparison_levels"]
        ]


def test_synthetic_records_are_repeatable_and_carry_their_truth() -> None:
    a = synthetic.generate(2_000, seed=5)
    b = synthetic.generate(2_000, seed=5)
    c = synthetic.generate(2_000, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert len(a) == 2_000 and a["unique_id"].is_unique
    assert set(model.SCHEMA_COLUMNS) <= set(a.columns)
    assert a["person_id"].nunique() < len(a)  # people known to several agencies
    kinds = {name for mask in a["errors"] for name in synthetic.error_names(int(mask))}
    assert {"nickname", "dob_transposed", "names_swapped", "nhs_missing", "old_postcode"} <= kinds
    assert set(a["source_agency"]) == {k.code for k in synthetic.AGENCIES}
