"""The same linkage on Spark (Splink's Spark backend, PySpark in local mode): the same clusters
as DuckDB. Spark starts a JVM, so this is kept to one small run."""

from __future__ import annotations

import pandas as pd
import pytest

from harbour.identity.linkage import batch, model


@pytest.mark.slow
def test_spark_gives_the_same_clusters_as_duckdb(
    linkage_records: pd.DataFrame, linkage_model: model.TrainedModel
) -> None:
    records = linkage_records.head(1_500)
    duck = batch.run(records, linkage_model, engine="duckdb")
    spark = batch.run(records, linkage_model, engine="spark")
    assert len(duck.clusters) > 1_400
    # Several records per person, so there are real clusters to agree on.
    assert duck.clusters["cluster_id"].nunique() < 0.8 * len(duck.clusters)
    pd.testing.assert_frame_equal(
        spark.clusters.sort_values("unique_id", ignore_index=True),
        duck.clusters.sort_values("unique_id", ignore_index=True),
        check_dtype=False,
    )
    pd.testing.assert_frame_equal(spark.held, duck.held, check_dtype=False)
    assert spark.refused == duck.refused
