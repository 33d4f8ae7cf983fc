"""Batch linkage: every record against every other (through the blocking rules), clustered into
people; and incremental linkage of new records against an index of linked ones.

`run(df, model, threshold)` prepares the records, holds back those that cannot be matched
safely, scores the candidate pairs with Splink, clusters them with Splink's connected components
at the threshold, and then applies the rules connected components do not know (see
`clustering`): a cluster never holds two different NHS numbers unless a reviewer confirmed the
link, and never joins two records a reviewer said are different people.

`LinkageIndex` keeps the linked records in DuckDB with their clusters and term frequencies, so
adding records scores only new x (existing + new) pairs (Splink's `predict_between` and
`predict_within`) and joins the new records into the existing clusters: seconds at 1M records
rather than a full rerun.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Hashable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from harbour.identity.linkage import model as linkage_model
from harbour.identity.linkage.clustering import (
    RefusedLink,
    constrained_components,
    smallest_member_names,
)
from harbour.identity.linkage.engines import db_api as make_db_api
from harbour.identity.linkage.model import Engine, TrainedModel

Pair = tuple[Hashable, Hashable]


@dataclass
class LinkageResult:
    """What a run found.

    - `clusters`: one row per record that was matched: `unique_id`, `cluster_id` (the smallest
      unique id in the cluster);
    - `held`: records held for review instead of matched: `unique_id`, `reason`;
    - `refused`: links at or above the threshold that were not applied (different NHS numbers,
      or a reviewer said no), for a person to look at;
    - `review`: pairs from `review_threshold` up to the threshold whose records ended in
      different clusters: `unique_id_l`, `unique_id_r`, `match_probability`, `match_weight`;
    - `timings`: seconds for each stage; `pairs_scored`: pairs at or above `review_threshold`.
    """

    clusters: pd.DataFrame
    held: pd.DataFrame
    refused: list[RefusedLink]
    review: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    pairs_scored: int = 0

    def cluster_of(self) -> dict[Hashable, Hashable]:
        return dict(zip(self.clusters["unique_id"], self.clusters["cluster_id"], strict=True))


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self._last, 3)
        self._last = now
        self.timings[f"{name}_peak_rss_mb"] = peak_rss_mb()


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports kilobytes)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def split_usable(prepared: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the columns the model reads of the records to match, records held for review with
    their reason)."""
    reasons = linkage_model.unusable_reasons(prepared)
    usable = reasons == ""
    held = pd.DataFrame(
        {"unique_id": prepared.loc[~usable, "unique_id"], "reason": reasons[~usable]}
    )
    matching = prepared.loc[usable, list(linkage_model.MATCHING_COLUMNS)]
    return matching.reset_index(drop=True), held.reset_index(drop=True)


def _nhs_set(value: object) -> frozenset[str]:
    return frozenset() if value is None or pd.isna(value) else frozenset({str(value)})


def _constrain(
    clusters: pd.DataFrame,
    edges_for: Any,
    *,
    confirmed: Collection[Pair],
    rejected: Collection[Pair],
) -> tuple[pd.DataFrame, list[RefusedLink]]:
    """Re-cluster, with `constrained_components`, only the clusters the constraints touch: those
    holding two NHS numbers, both records of a rejected pair, or one end of a confirmed link.
    `clusters` has unique_id, cluster_id, nhs_number; `edges_for(ids)` returns the edges at or
    above the threshold among those records."""
    nhs = clusters.dropna(subset=["nhs_number"])
    per_cluster = nhs.groupby("cluster_id")["nhs_number"].nunique()
    affected = set(per_cluster[per_cluster > 1].index)
    wanted = {x for pair in [*confirmed, *rejected] for x in pair}
    if wanted:
        ends = clusters[clusters["unique_id"].isin(wanted)]
        cluster_of = dict(zip(ends["unique_id"], ends["cluster_id"], strict=True))
        for a, b in rejected:
            if a in cluster_of and cluster_of[a] == cluster_of.get(b):
                affected.add(cluster_of[a])
        for a, b in confirmed:
            affected.update(cluster_of[x] for x in (a, b) if x in cluster_of)
    if not affected:
        return clusters, []
    rows = clusters[clusters["cluster_id"].isin(affected)]
    nodes = {uid: _nhs_set(n) for uid, n in zip(rows["unique_id"], rows["nhs_number"], strict=True)}
    components, refused = constrained_components(
        nodes, edges_for(list(nodes)), confirmed=confirmed, rejected=rejected
    )
    names = smallest_member_names(components)
    out = clusters.copy()
    mask = out["unique_id"].isin(names.keys())
    out.loc[mask, "cluster_id"] = out.loc[mask, "unique_id"].map(names)
    return out, refused


def _review_pairs(
    predictions: pd.DataFrame, clusters: pd.DataFrame, threshold: float
) -> pd.DataFrame:
    cluster_of = pd.Series(clusters["cluster_id"].to_numpy(), index=clusters["unique_id"])
    band = predictions[predictions["match_probability"] < threshold]
    left = band["unique_id_l"].map(cluster_of)
    right = band["unique_id_r"].map(cluster_of)
    return band[left.to_numpy() != right.to_numpy()].reset_index(drop=True)


def _edges_query(predictions_table: str, ids_table: str, threshold: float) -> str:
    return (
        "select p.unique_id_l, p.unique_id_r, p.match_probability "  # noqa: S608 (our own names)
        f"from {predictions_table} p join {ids_table} i on p.unique_id_l = i.unique_id "
        f"where p.match_probability >= {float(threshold)!r}"
    )


def run(
    df: pd.DataFrame,
    model: TrainedModel,
    threshold: float = linkage_model.DEFAULT_THRESHOLD,
    *,
    engine: Engine = "duckdb",
    review_threshold: float = linkage_model.REVIEW_THRESHOLD,
    confirmed: Collection[Pair] = (),
    rejected: Collection[Pair] = (),
    prepared: bool = False,
    db_api: Any = None,
    nhs_constraint: bool = True,
) -> LinkageResult:
    """Link all the records in `df` (the schema in `model`) with `model`: load, predict, cluster.

    `confirmed` and `rejected` are reviewers' decisions on pairs of unique ids: a confirmed pair
    is always linked (this is how a link between different NHS numbers is made, on purpose);
    a rejected pair is never put in one cluster. `nhs_constraint=False` drops the NHS number
    rule, for data whose identifier column is not a checked NHS number (the FEBRL benchmark's
    social security numbers carry typos that a modulus 11 check would have caught)."""
    from splink import Linker

    timer = _Timer()
    records = df if prepared else linkage_model.prepare(df)
    usable, held = split_usable(records)
    timer.lap("prepare")
    api = db_api if db_api is not None else make_db_api(engine)
    # A generated name: a Spark session outlives one run, and a fixed name would clash.
    table = api.register(usable)
    linker = Linker(table, model.settings_for(engine), log_level=None)
    timer.lap("load")
    predictions = linker.inference.predict(
        threshold_match_probability=min(review_threshold, threshold), warning_mode="never"
    )
    timer.lap("predict")
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    timer.lap("cluster")
    clusters = linker.misc.query_sql(
        f"select unique_id, cluster_id, nhs_number from {clustered.physical_name}",  # noqa: S608
        output_type="pandas",
    )
    band = linker.misc.query_sql(
        "select unique_id_l, unique_id_r, match_probability, match_weight "  # noqa: S608
        f"from {predictions.physical_name} where match_probability < {float(threshold)!r}",
        output_type="pandas",
    )
    timer.lap("fetch")

    def edges_for(ids: list[Hashable]) -> list[tuple[Hashable, Hashable, float]]:
        ids_table = api.register(pd.DataFrame({"unique_id": ids}))
        frame = linker.misc.query_sql(
            _edges_query(predictions.physical_name, ids_table.physical_name, threshold),
            output_type="pandas",
        )
        return list(
            zip(frame["unique_id_l"], frame["unique_id_r"], frame["match_probability"], strict=True)
        )

    if not nhs_constraint:
        clusters["nhs_number"] = None
    clusters, refused = _constrain(clusters, edges_for, confirmed=confirmed, rejected=rejected)
    # Splink names a cluster by one of its records; Harbour by the smallest unique id.
    clusters["cluster_id"] = clusters.groupby("cluster_id")["unique_id"].transform("min")
    review = _review_pairs(band, clusters, threshold)
    timer.lap("constrain")
    pairs_scored = len(band) + int(
        linker.misc.query_sql(
            f"select count(*) as n from {predictions.physical_name} "  # noqa: S608
            f"where match_probability >= {float(threshold)!r}",
            output_type="pandas",
        )["n"].iloc[0]
    )
    return LinkageResult(
        clusters=clusters[["unique_id", "cluster_id"]].reset_index(drop=True),
        held=held,
        refused=refused,
        review=review,
        timings=timer.timings,
        pairs_scored=pairs_scored,
    )


# --- incremental linkage -----------------------------------------------------------------------


@dataclass
class IncrementalResult:
    """What adding records did: `clusters` for the new records (unique_id, cluster_id);
    `moved` existing records whose cluster changed because a new record joined two clusters
    (unique_id, old cluster_id, new cluster_id); `held`, `refused` and `review` as for a run."""

    clusters: pd.DataFrame
    moved: pd.DataFrame
    held: pd.DataFrame
    refused: list[RefusedLink]
    review: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)


class LinkageIndex:
    """Linked records in DuckDB (`records`, `clusters` and term-frequency tables), to which new
    records are added incrementally. Build it from a full run with `LinkageIndex.build`."""

    def __init__(self, model: TrainedModel, threshold: float, review_threshold: float) -> None:
        self.model = model
        self.threshold = threshold
        self.review_threshold = review_threshold
        self._api: Any = None
        self._linker: Any = None
        self._records: Any = None
        self._batches = 0

    @classmethod
    def build(
        cls,
        df: pd.DataFrame,
        model: TrainedModel,
        threshold: float = linkage_model.DEFAULT_THRESHOLD,
        *,
        review_threshold: float = linkage_model.REVIEW_THRESHOLD,
        clusters: pd.DataFrame | None = None,
        prepared: bool = False,
        db_api: Any = None,
    ) -> tuple[LinkageIndex, LinkageResult | None]:
        """An index of `df`'s records. With `clusters` (unique_id, cluster_id from an earlier run)
        the records are loaded as they were linked; without, they are linked now (`run`)."""
        from splink import Linker

        index = cls(model, threshold, review_threshold)
        records = df if prepared else linkage_model.prepare(df)
        usable, _held = split_usable(records)
        api = db_api if db_api is not None else make_db_api("duckdb")
        result = None
        if clusters is None:
            result = run(usable, model, threshold, review_threshold=review_threshold, prepared=True)
            clusters = result.clusters
        index._api = api
        con = api.duckdb_con
        con.register("_harbour_in", usable)
        con.execute("create table harbour_records as select * from _harbour_in")
        con.unregister("_harbour_in")
        index._records = api.register("harbour_records", dataset_display_name="index_records")
        con.register("_harbour_in", clusters[["unique_id", "cluster_id"]])
        con.execute(
            "create table harbour_clusters as select unique_id, cluster_id from _harbour_in"
        )
        con.unregister("_harbour_in")
        index._linker = Linker(index._records, model.settings_for("duckdb"), log_level=None)
        for column in linkage_model.TF_COLUMNS:
            index._linker.table_management.compute_tf_table(column)
        return index, result

    def __len__(self) -> int:
        return int(
            self._api.duckdb_con.execute("select count(*) from harbour_clusters").fetchone()[0]
        )

    def clusters(self) -> pd.DataFrame:
        return self._api.duckdb_con.execute(
            "select unique_id, cluster_id from harbour_clusters order by unique_id"
        ).df()

    def add(
        self,
        df: pd.DataFrame,
        *,
        confirmed: Collection[Pair] = (),
        rejected: Collection[Pair] = (),
        prepared: bool = False,
    ) -> IncrementalResult:
        """Score the new records against the index and each other, and join them into the
        existing clusters (or new ones). A new record that links two existing clusters joins them
        (the existing records of the later cluster move: see `moved`); the NHS and reviewer rules
        apply as in `run`."""
        timer = _Timer()
        records = df if prepared else linkage_model.prepare(df)
        usable, held = split_usable(records)
        timer.lap("prepare")
        self._batches += 1
        con = self._api.duckdb_con
        new = self._api.register(usable, dataset_display_name=f"new_records_{self._batches}")
        inference = self._linker.inference
        low = min(self.review_threshold, self.threshold)
        between = inference.predict_between(
            new, self._records, threshold_match_probability=low, warning_mode="never"
        )
        within = inference.predict_within(
            new, threshold_match_probability=low, warning_mode="never"
        )
        timer.lap("predict")
        columns = "unique_id_l, unique_id_r, match_probability, match_weight"
        pairs = con.execute(
            f"select {columns} from {between.physical_name} union all "  # noqa: S608
            f"select {columns} from {within.physical_name}"
        ).df()
        strong = pairs[pairs["match_probability"] >= self.threshold]
        new_ids = set(usable["unique_id"].tolist())
        # Existing records the new ones link to, and everything in those clusters.
        linked_existing = {
            x
            for col in ("unique_id_l", "unique_id_r")
            for x in strong[col].tolist()
            if x not in new_ids
        } | {x for pair in [*confirmed, *rejected] for x in pair if x not in new_ids}
        con.register("_harbour_ids", pd.DataFrame({"unique_id": list(linked_existing)}))
        touched = con.execute(
            "select c.unique_id, c.cluster_id, r.nhs_number from harbour_clusters c "
            "join harbour_records r on r.unique_id = c.unique_id "
            "where c.cluster_id in (select c2.cluster_id from harbour_clusters c2 "
            "join _harbour_ids i on i.unique_id = c2.unique_id)"
        ).df()
        con.unregister("_harbour_ids")
        # Each touched existing cluster is one node standing for all its records, carrying the
        # cluster's NHS numbers; each new record is a node of its own.
        nodes: dict[Hashable, frozenset[str]] = {
            uid: _nhs_set(n)
            for uid, n in zip(usable["unique_id"], usable["nhs_number"], strict=True)
        }
        group_of: dict[Hashable, Hashable] = {}
        members: dict[tuple[str, Hashable], list[Hashable]] = {}
        cluster_numbers: dict[Hashable, set[str]] = {}
        for uid, cid, nhs in zip(
            touched["unique_id"], touched["cluster_id"], touched["nhs_number"], strict=True
        ):
            group_of[uid] = ("cluster", cid)
            members.setdefault(("cluster", cid), []).append(uid)
            cluster_numbers.setdefault(cid, set()).update(_nhs_set(nhs))
        for cid, numbers in cluster_numbers.items():
            nodes[("cluster", cid)] = frozenset(numbers)
        edges = list(
            zip(
                strong["unique_id_l"],
                strong["unique_id_r"],
                strong["match_probability"],
                strict=True,
            )
        )
        components, refused = constrained_components(
            nodes, edges, group_of=group_of, confirmed=confirmed, rejected=rejected
        )
        # An existing cluster keeps its id; clusters joined by a new record take the smallest of
        # their ids; a cluster of new records only is named by its smallest record.
        names = smallest_member_names(components, {n: [n[1]] for n in members} if members else None)
        new_clusters = pd.DataFrame(
            {"unique_id": usable["unique_id"], "cluster_id": usable["unique_id"].map(names)}
        ).sort_values("unique_id", ignore_index=True)
        moved_rows = [
            (uid, cid, names[("cluster", cid)])
            for uid, cid in zip(touched["unique_id"], touched["cluster_id"], strict=True)
            if names[("cluster", cid)] != cid
        ]
        moved = pd.DataFrame(moved_rows, columns=["unique_id", "old_cluster_id", "cluster_id"])
        timer.lap("cluster")
        # Write back: the new records join the index; moved records take their new cluster.
        con.register("_harbour_new_clusters", new_clusters)
        con.execute("insert into harbour_clusters select * from _harbour_new_clusters")
        con.unregister("_harbour_new_clusters")
        if len(moved):
            con.register("_harbour_moved", moved)
            con.execute(
                "update harbour_clusters set cluster_id = m.cluster_id from _harbour_moved m "
                "where harbour_clusters.unique_id = m.unique_id"
            )
            con.unregister("_harbour_moved")
        con.execute(f"insert into harbour_records select * from {new.physical_name}")  # noqa: S608
        all_clusters = pd.concat(
            [new_clusters, moved[["unique_id", "cluster_id"]], touched[["unique_id", "cluster_id"]]]
        ).drop_duplicates("unique_id")
        band = pairs[pairs["match_probability"] < self.threshold]
        known = pd.DataFrame(
            {
                "unique_id": list(band["unique_id_l"]) + list(band["unique_id_r"]),
            }
        ).drop_duplicates()
        lookup = self._cluster_lookup(known["unique_id"].tolist(), all_clusters)
        review = _review_pairs(band, lookup, self.threshold)
        timer.lap("write")
        return IncrementalResult(
            clusters=new_clusters,
            moved=moved,
            held=held,
            refused=refused,
            review=review,
            timings=timer.timings,
        )

    def _cluster_lookup(self, ids: list[Hashable], fresh: pd.DataFrame) -> pd.DataFrame:
        con = self._api.duckdb_con
        con.register("_harbour_ids", pd.DataFrame({"unique_id": ids}))
        found = con.execute(
            "select c.unique_id, c.cluster_id from harbour_clusters c "
            "join _harbour_ids i on i.unique_id = c.unique_id"
        ).df()
        con.unregister("_harbour_ids")
        return pd.concat([fresh, found]).drop_duplicates("unique_id")
