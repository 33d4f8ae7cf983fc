"""Harbour's record linkage engine: plain Python on Splink 5, with no Django in it.

- `model`: the record schema, its normalisation (`prepare`, `prepare_record`), the Splink
  settings (comparisons and blocking rules), training by EM and the versioned `TrainedModel`.
- `synthetic`: seeded multi-agency person records with ground truth, at any scale.
- `batch`: link a whole table (`run`), add records to an existing index (`LinkageIndex.add`),
  and keep person ids stable across runs (`assign_person_ids`).
- `engines`: DuckDB (default) and Spark connections for Splink.

A test parses every module here and fails on any import of Django or of the rest of Harbour, so
the engine can be tested, benchmarked and run on a Spark cluster alone.
"""
