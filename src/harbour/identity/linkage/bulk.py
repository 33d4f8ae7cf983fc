"""Scoring a whole file's arrivals at once (ADR 0032): the records that arrived, against every
usable record of the person index, with the trained model's Splink settings in DuckDB, in one
query instead of one real-time match each.

    scorer = ArrivalScorer(trained_model)
    for chunk in index_chunks:          # the engine's record schema, raw, in unique_id order
        scorer.add(chunk)
    pairs = scorer.score(arrival_ids, min_probability=0.5)

The index lives in DuckDB (columnar, with a memory limit and a spill directory), not as Python
objects, so a million records cost the importer little memory. ``score`` gives what the real-time
matcher (``realtime.RealtimeIndex``) gives for each arrival when built from the same records in
the same order: the same candidates (the model's blocking rules), the same match weights (Splink's
own SQL, which the real-time matcher reproduces bit for bit, ADR 0013), the same term frequencies
(counted over every usable record indexed, the arrivals included), and each arrival's own record
among its candidates, so a caller can rank them as ``RealtimeIndex.match`` does (weight, then the
order the records were indexed) and cut the same top ten.

No Django here: the package is plain Python (ADR 0020)."""

from __future__ import annotations

import tempfile
from collections.abc import Collection
from typing import Any

import pandas as pd

from harbour.identity.linkage import model as linkage_model
from harbour.identity.linkage.batch import split_usable
from harbour.identity.linkage.engines import duckdb_connection
from harbour.identity.linkage.model import TrainedModel

#: DuckDB's share of the importer's memory; beyond it DuckDB spills to its temporary directory.
MEMORY_LIMIT = "300MB"

_COLUMNS = linkage_model.MATCHING_COLUMNS


class ArrivalScorer:
    """The person index in DuckDB, fed in chunks; scores the arrivals against it."""

    def __init__(
        self,
        model: TrainedModel,
        *,
        memory_limit: str = MEMORY_LIMIT,
        threads: int | None = None,
        path: str | None = None,
    ) -> None:
        """``path``: a DuckDB file that keeps the index between runs (ADR 0038), fed since with
        ``upsert`` and ``remove``; without it the index lives in memory for this scorer only.
        Opening a file another process holds raises ``duckdb.IOException``."""
        from splink import DuckDBAPI

        self.model = model
        self._spill = tempfile.TemporaryDirectory(prefix="harbour-arrivals-")
        # Scoring always runs in memory (with the memory limit and the spill directory); a kept
        # index is a database file attached beside it, copied in to be scored.
        con = duckdb_connection(memory_limit=memory_limit, threads=threads)
        try:
            if path is not None:
                con.execute(f"ATTACH '{path}' AS kept")
        except Exception:
            con.close()
            self._spill.cleanup()
            raise
        self._db = "kept" if path is not None else "memory"
        self._index = "kept.harbour_index" if path is not None else "harbour_index"
        self._meta = "kept.harbour_meta" if path is not None else "harbour_meta"
        con.execute(f"SET temp_directory = '{self._spill.name}'")
        con.execute("SET preserve_insertion_order = true")
        con.execute(
            f"create table if not exists {self._meta} (key varchar primary key, value varchar)"
        )
        self._con = con
        self._api = DuckDBAPI(connection=con)
        self._created = bool(
            con.execute(
                "select count(*) from duckdb_tables() "  # noqa: S608  (fixed names)
                f"where database_name = '{self._db}' and table_name = 'harbour_index'"
            ).fetchall()[0][0]
        )
        self.indexed = self._count()

    def _count(self) -> int:
        if not self._created:
            return 0
        query = f"select count(*) from {self._index}"  # noqa: S608  (a fixed name)
        return int(self._con.execute(query).fetchall()[0][0])

    def meta(self) -> dict[str, str]:
        """What the caller kept beside the index (its watermarks), as text."""
        query = f"select key, value from {self._meta}"  # noqa: S608  (a fixed name)
        return dict(self._con.execute(query).fetchall())

    def set_meta(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self._con.execute(
                f"insert or replace into {self._meta} values (?, ?)",  # noqa: S608
                [key, str(value)],
            )

    def reset(self) -> None:
        """Empty the index and what was kept beside it."""
        self._con.execute(f"drop table if exists {self._index}")
        self._con.execute(f"delete from {self._meta}")  # noqa: S608  (a fixed name)
        self._created = False
        self.indexed = 0

    def add(self, records: pd.DataFrame) -> pd.DataFrame:
        """Index a chunk of raw records (the engine's schema), new to the index; those that
        cannot be matched safely (``model.unusable_reasons``) are left out, as the real-time
        index leaves them, and returned (``unique_id``, ``reason``). Ties in ranking follow the
        order of the records' ids, which is the order a fresh index holds them in."""
        return self._put(records, replace=False)

    def upsert(self, records: pd.DataFrame) -> pd.DataFrame:
        """``add`` for records that may be indexed already (changed since): each replaces its
        old copy, or leaves the index if it can no longer be matched."""
        return self._put(records, replace=True)

    def remove(self, ids: Collection[int]) -> None:
        if self._created and ids:
            self._con.register("_harbour_gone", pd.DataFrame({"unique_id": sorted(ids)}))
            self._con.execute(
                f"delete from {self._index} "  # noqa: S608
                "where unique_id in (select unique_id from _harbour_gone)"
            )
            self._con.unregister("_harbour_gone")
            self.indexed = self._count()

    def _put(self, records: pd.DataFrame, *, replace: bool) -> pd.DataFrame:
        if not len(records):
            return pd.DataFrame({"unique_id": [], "reason": []})
        if replace:
            self.remove([int(u) for u in records["unique_id"].tolist()])
        usable, held = split_usable(linkage_model.prepare(records))
        if not len(usable):
            return held
        usable = usable.assign(harbour_row=usable["unique_id"].astype("int64"))
        self._con.register("_harbour_chunk", usable)
        if self._created:
            self._con.execute(f"insert into {self._index} select * from _harbour_chunk")  # noqa: S608
        else:
            self._con.execute(f"create table {self._index} as select * from _harbour_chunk")  # noqa: S608
            self._created = True
        self._con.unregister("_harbour_chunk")
        self.indexed += len(usable)
        return held

    def score(self, arrival_ids: Collection[int], *, min_probability: float) -> pd.DataFrame:
        """Every indexed record the blocking rules pair with each arrival (the arrival itself
        included) at or above ``min_probability``: columns ``arrival``, ``candidate``,
        ``match_weight``, ``match_probability`` and ``row`` (the candidate's place in the index),
        ordered as ``RealtimeIndex.match`` ranks them (arrival, weight descending, row)."""
        empty = pd.DataFrame(
            {
                "arrival": pd.Series(dtype="int64"),
                "candidate": pd.Series(dtype="int64"),
                "match_weight": pd.Series(dtype="float64"),
                "match_probability": pd.Series(dtype="float64"),
                "row": pd.Series(dtype="int64"),
            }
        )
        if not self._created or not arrival_ids:
            return empty
        from splink import Linker

        con = self._con
        table = "harbour_index"
        if self._index != table:  # the kept index, scored in memory as a fresh one is
            table = "harbour_index_now"
            con.execute(f"create or replace table {table} as select * from {self._index}")  # noqa: S608
        con.register("_harbour_ids", pd.DataFrame({"unique_id": sorted(arrival_ids)}))
        con.execute(
            "create or replace table harbour_arrivals as select i.* from "  # noqa: S608
            + table
            + " i join _harbour_ids a on a.unique_id = i.unique_id"
        )
        con.unregister("_harbour_ids")
        index = self._api.register(table, dataset_display_name="index_records")
        arrivals = self._api.register("harbour_arrivals", dataset_display_name="arrivals")
        linker = Linker(index, self.model.settings_for("duckdb"), log_level=None)
        for column in linkage_model.TF_COLUMNS:
            linker.table_management.compute_tf_table(column)
        predictions = linker.inference.predict_between(
            index, arrivals, threshold_match_probability=min_probability, warning_mode="never"
        )
        found = con.execute(
            "select p.unique_id_r as arrival, p.unique_id_l as candidate, p.match_weight, "  # noqa: S608
            "p.match_probability, i.harbour_row as row "
            f"from {predictions.physical_name} p "
            f"join {table} i on i.unique_id = p.unique_id_l "
            "order by arrival, match_weight desc, row"
        ).df()
        self._drop_scratch()
        if not len(found):
            return empty
        return found.astype(
            {
                "arrival": "int64",
                "candidate": "int64",
                "match_weight": "float64",
                "match_probability": "float64",
                "row": "int64",
            }
        )

    def _drop_scratch(self) -> None:
        """Splink's tables and the arrivals, not kept with the index."""
        names = [
            name
            for (name,) in self._con.execute(
                "select table_name from duckdb_tables() where database_name = 'memory' and "
                "(table_name like '__splink%' or table_name in "
                "('harbour_arrivals', 'harbour_index_now'))"
            ).fetchall()
        ]
        for name in names:
            self._con.execute(f'drop table if exists "{name}"')

    def close(self) -> None:
        self._con.close()
        self._spill.cleanup()

    def __enter__(self) -> ArrivalScorer:
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.close()
