"""Real-time matching: one incoming record against an in-memory index, in milliseconds, with the
trained Splink model's match weights reproduced exactly.

    index = RealtimeIndex.build(trained_model, records)      # a DataFrame or an iterable of dicts
    index.add(more_records)                                  # kept current, no rebuild
    for candidate in index.match(incoming_record, top=10):
        candidate.unique_id, candidate.match_weight, candidate.match_probability
        candidate.contributions   # per comparison: level, log2 Bayes factor, tf adjustment
        candidate.waterfall()     # Splink's waterfall-chart records

How it stays equal to Splink (``linker.inference.predict_between(left=index, right=incoming)``):

* **Candidates** come from one dictionary per blocking rule in the model, keyed by the rule's
  equality expressions on the indexed (``l``) side and probed with the same expressions of the
  incoming (``r``) record; a pair is found by the first rule that admits it (Splink's
  ``match_key``), and a rule's other conditions are checked pair by pair.
* **Comparison levels** are the model's own SQL, compiled by ``sql_eval`` (which evaluates it
  as DuckDB does, NULLs included), tried in order on each candidate; the string functions are
  ``string_functions``, bit-identical to DuckDB's (including Jaro-Winkler's fused multiply-add).
* **Weights** are the very doubles Splink writes into its SQL (``ComparisonLevel._match_weight``
  and the prior's ``prob_to_match_weight``, whose shortest repr DuckDB parses back to the same
  double), summed left to right in Splink's order: prior, then for each comparison its weight and
  (if it has one) its term-frequency adjustment. NumPy's element-wise addition rounds each sum
  exactly as DuckDB does.
* **Term frequencies** are Splink's ``count(value) / count(non-null)`` over the indexed records,
  kept as counts so ``add`` updates them; the incoming record's own frequency is looked up in the
  same table (NULL when its value is not there), as ``predict_between`` does with registered
  term-frequency tables. The adjustment ``w * (log2(u_exact) - log2(max(tf_l, tf_r, min_u)))``
  uses ``math.log2``: NumPy's vectorised ``log2`` and ``power`` differ from the C library's (and
  so from DuckDB's) in the last place for some arguments.
* **Match probability** is Splink's ``1 / (1 + 2^-w)`` (``2^w / (1 + 2^w)`` for negative ``w``)
  with ``math.pow``.

Values are compared as the model's ``prepare_record`` normalises them: pass raw records (the
default) or ``prepared=True`` for records already normalised by ``model.prepare``.

Layout: every column a comparison or rule reads is dictionary-encoded (an int32 code per record,
-1 for NULL, one Python copy of each distinct value); a rule's keys are combined codes, kept in a
sorted array (numpy ``searchsorted``) plus a small dictionary of records added since, merged in
when it grows past a share of the index. Scoring evaluates each comparison level once per
distinct value among the candidates (values repeat a great deal) and vectorises the simple
levels (NULL checks and equality of two columns) with numpy over the dictionary codes.

No Django here: the package is plain Python so it can be tested, benchmarked and run alone.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlglot import expressions as exp

from harbour.identity.linkage import sql_eval
from harbour.identity.linkage.sql_eval import Compiled, UnsupportedSQL, column_side

__all__ = [
    "Candidate",
    "Contribution",
    "RealtimeIndex",
    "UnsupportedSQL",
    "match_probability",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

# Records added since a rule's sorted keys were built are merged in once they pass this share
# of the index (and at least _MIN_PENDING records): amortised O(1) per added record.
_PENDING_SHARE = 0.05
_MIN_PENDING = 20_000
_UNSET = -99


def match_probability(match_weight: float) -> float:
    """Splink's match probability for a match weight, computed as its SQL computes it."""
    if match_weight >= 0:
        return 1.0 / (1.0 + math.pow(2.0, -match_weight))
    bayes_factor = math.pow(2.0, match_weight)
    return bayes_factor / (1.0 + bayes_factor)


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """One comparison's part in a candidate's match weight: the level the pair fell in and its
    log2 Bayes factor, plus the term-frequency adjustment when the comparison has one."""

    comparison: str
    level: str
    comparison_vector_value: int
    log2_bayes_factor: float
    bayes_factor: float
    m_probability: float | None
    u_probability: float | None
    sql_condition: str
    value_l: str
    value_r: str
    has_tf_adjustment: bool = False
    tf_column: str | None = None
    tf_log2_adjustment: float = 0.0

    @property
    def total(self) -> float:
        return self.log2_bayes_factor + self.tf_log2_adjustment


@dataclass(frozen=True)
class Candidate:
    """An indexed record that may be the same person as the incoming record."""

    unique_id: Any
    match_weight: float
    match_probability: float
    match_key: int
    prior_match_weight: float
    contributions: tuple[Contribution, ...]

    def waterfall(self) -> list[dict[str, Any]]:
        """Records in the shape of Splink's waterfall chart data (prior, one bar per comparison,
        one per term-frequency adjustment, final score), for the chart or a table."""
        rows: list[dict[str, Any]] = [
            {
                "column_name": "Prior",
                "label_for_charts": "Starting match weight (prior)",
                "sql_condition": None,
                "log2_bayes_factor": self.prior_match_weight,
                "bayes_factor": 2.0**self.prior_match_weight,
                "comparison_vector_value": None,
                "m_probability": None,
                "u_probability": None,
                "value_l": "",
                "value_r": "",
                "term_frequency_adjustment": None,
            }
        ]
        for c in self.contributions:
            rows.append(
                {
                    "column_name": c.comparison,
                    "label_for_charts": c.level,
                    "sql_condition": c.sql_condition,
                    "log2_bayes_factor": c.log2_bayes_factor,
                    "bayes_factor": c.bayes_factor,
                    "comparison_vector_value": c.comparison_vector_value,
                    "m_probability": c.m_probability,
                    "u_probability": c.u_probability,
                    "value_l": c.value_l,
                    "value_r": c.value_r,
                    "term_frequency_adjustment": False,
                }
            )
            if c.has_tf_adjustment:
                rows.append(
                    {
                        "column_name": f"tf_{c.comparison}",
                        "label_for_charts": (
                            f"Term freq adjustment on {c.tf_column}" if c.tf_column else c.level
                        ),
                        "sql_condition": c.sql_condition,
                        "log2_bayes_factor": c.tf_log2_adjustment,
                        "bayes_factor": 2.0**c.tf_log2_adjustment,
                        "comparison_vector_value": c.comparison_vector_value,
                        "m_probability": None,
                        "u_probability": None,
                        "value_l": c.value_l,
                        "value_r": c.value_r,
                        "term_frequency_adjustment": True,
                    }
                )
        rows.append(
            {
                "column_name": "Final score",
                "label_for_charts": "Final score",
                "sql_condition": None,
                "log2_bayes_factor": self.match_weight,
                "bayes_factor": 2.0**self.match_weight,
                "comparison_vector_value": None,
                "m_probability": None,
                "u_probability": None,
                "value_l": "",
                "value_r": "",
                "term_frequency_adjustment": None,
            }
        )
        for order, row in enumerate(rows):
            row["bar_sort_order"] = order
        return rows


# --- storage ---------------------------------------------------------------------------------


class _Growable:
    """An int array that grows by doubling, so appending n values costs O(n) overall."""

    __slots__ = ("_data", "size")

    def __init__(self, dtype: Any, initial: npt.NDArray[Any] | None = None) -> None:
        if initial is None:
            self._data: npt.NDArray[Any] = np.empty(0, dtype=dtype)
            self.size = 0
        else:
            self._data = np.ascontiguousarray(initial, dtype=dtype)
            self.size = len(initial)

    @property
    def view(self) -> npt.NDArray[Any]:
        return self._data[: self.size]

    def extend(self, values: npt.NDArray[Any]) -> None:
        need = self.size + len(values)
        if need > len(self._data):
            capacity = max(need, 2 * len(self._data), 1024)
            grown = np.empty(capacity, dtype=self._data.dtype)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : need] = values
        self.size = need

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)


def _python_value(value: Any) -> Any:
    """A pandas / numpy scalar as the plain Python value DuckDB would hold (None for NULL)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


#: Up to this many values a column is extended value by value, not with ``pd.factorize``.
_FEW_VALUES = 16


class _Column:
    """One column, dictionary-encoded: a code per record (-1 for NULL) and each distinct value
    once, in order of arrival; plus, for term-frequency columns, a count per value."""

    def __init__(self, name: str, *, count: bool = False) -> None:
        self.name = name
        self.values: list[Any] = []
        self.lookup: dict[Any, int] = {}
        self.codes = _Growable(np.int32)
        self.counts: _Growable | None = _Growable(np.int64) if count else None
        self.non_null = 0

    def extend(self, series: pd.Series) -> npt.NDArray[np.int32]:
        if len(series) <= _FEW_VALUES:
            return self._extend_few(series)
        local, uniques = pd.factorize(series, use_na_sentinel=True)
        mapping = np.empty(len(uniques) + 1, dtype=np.int32)
        mapping[-1] = -1  # factorize's -1 (NULL) indexes the last slot
        lookup = self.lookup
        values = self.values
        for k, raw in enumerate(uniques):
            value = _python_value(raw)
            code = lookup.get(value)
            if code is None:
                code = len(values)
                values.append(value)
                lookup[value] = code
            mapping[k] = code
        codes = mapping[local]
        return self._append(codes)

    def _append(self, codes: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
        """The new records' codes added, with the count of each value (for term frequencies)."""
        self.codes.extend(codes)
        present = codes[codes >= 0]
        self.non_null += len(present)
        if self.counts is not None:
            if self.counts.size < len(self.values):
                self.counts.extend(np.zeros(len(self.values) - self.counts.size, dtype=np.int64))
            np.add.at(self.counts.view, present, 1)
        return codes

    def _extend_few(self, series: pd.Series) -> npt.NDArray[np.int32]:
        """``extend`` for a few values (a record arriving, ADR 0038): the same codes, without
        ``factorize``'s set-up, which costs more than the values themselves."""
        lookup = self.lookup
        values = self.values
        codes = np.empty(len(series), dtype=np.int32)
        for k, raw in enumerate(series.tolist()):
            value = _python_value(raw)
            if value is None or value is pd.NaT:  # what factorize takes for missing
                codes[k] = -1
                continue
            code = lookup.get(value)
            if code is None:
                code = len(values)
                values.append(value)
                lookup[value] = code
            codes[k] = code
        return self._append(codes)

    def code_of(self, value: Any) -> int | None:
        if value is None:
            return None
        return self.lookup.get(value)

    def value(self, code: int) -> Any:
        return None if code < 0 else self.values[code]

    def term_frequency(self, code: int | None) -> float | None:
        """Splink's ``tf_<column>``: count(value) / count(non-null), NULL for an absent value."""
        if code is None or code < 0 or self.counts is None or not self.non_null:
            return None
        return int(self.counts.view[code]) / self.non_null

    @property
    def nbytes(self) -> int:
        size = self.codes.nbytes + (self.counts.nbytes if self.counts is not None else 0)
        size += sys.getsizeof(self.values) + sys.getsizeof(self.lookup)
        sample = self.values[:: max(1, len(self.values) // 1000)]
        if sample:
            size += int(sum(sys.getsizeof(v) for v in sample) / len(sample) * len(self.values))
        return size


class _KeyPart:
    """One side-by-side equality of a blocking rule, ``f(l.column) = g(r...)``: the indexed
    record's key is the code of ``f(l.column)`` in this part's dictionary."""

    def __init__(self, column: _Column, plain: bool, l_expr: Compiled, r_expr: Compiled) -> None:
        self.column = column
        self.r_expr = r_expr
        self.plain = plain
        self.l_fn = l_expr.fn
        # For an expression of the column: its value for each code of the column (slot 0 for
        # NULL), as a code into this part's own dictionary.
        self.derived_values: list[Any] = []
        self.derived_lookup: dict[Any, int] = {}
        self.derived_codes = _Growable(np.int32)
        self._derive_to(len(column.values))

    def _derive_to(self, count: int) -> None:
        if self.plain:
            return
        start = self.derived_codes.size - 1  # slot 0 is NULL
        if start < 0:
            self.derived_codes.extend(np.array([self._intern(self.l_fn((None,), ()))]))
            start = 0
        if start >= count:
            return
        new = np.empty(count - start, dtype=np.int32)
        for i, code in enumerate(range(start, count)):
            new[i] = self._intern(self.l_fn((self.column.values[code],), ()))
        self.derived_codes.extend(new)

    def _intern(self, value: Any) -> int:
        if value is None:
            return -1
        code = self.derived_lookup.get(value)
        if code is None:
            code = len(self.derived_values)
            self.derived_values.append(value)
            self.derived_lookup[value] = code
        return code

    def codes_for(self, column_codes: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
        if self.plain:
            return column_codes
        self._derive_to(len(self.column.values))
        return self.derived_codes.view[column_codes + 1]

    def probe(self, r_values: Sequence[Any]) -> int | None:
        value = self.r_expr.fn((), r_values)
        if value is None:
            return None
        if self.plain:
            return self.column.code_of(value)
        return self.derived_lookup.get(value)

    @property
    def cardinality(self) -> int:
        return len(self.column.values) if self.plain else len(self.derived_values)


class _BlockingRule:
    """One Splink blocking rule as a sorted array of combined keys (plus recent additions)."""

    def __init__(
        self,
        number: int,
        sql: str,
        parts: list[_KeyPart],
        r_columns: tuple[str, ...],
        residual: Compiled | None,
    ) -> None:
        self.number = number
        self.sql = sql
        self.parts = parts
        self.r_columns = r_columns
        self.residual = residual
        self.bits = 63 // len(parts)
        # (keys, rows) swapped in as one object, so a match running beside an add never pairs
        # new keys with old rows
        self.sorted: tuple[IntArray, npt.NDArray[np.int32]] = (
            np.empty(0, dtype=np.int64),
            np.empty(0, dtype=np.int32),
        )
        self.pending: dict[int, list[int]] = {}
        self.pending_count = 0

    def keys(self, column_codes: Sequence[npt.NDArray[np.int32]]) -> IntArray:
        """Combined keys of records (-1 where any part is NULL)."""
        key = np.zeros(len(column_codes[0]), dtype=np.int64)
        valid = np.ones(len(column_codes[0]), dtype=np.bool_)
        limit = 1 << self.bits
        for i, (part, codes) in enumerate(zip(self.parts, column_codes, strict=True)):
            part_codes = part.codes_for(codes)
            if part.cardinality >= limit:
                raise OverflowError(
                    f"blocking rule {self.sql!r}: more than {limit} distinct values in one key"
                )
            valid &= part_codes >= 0
            key |= part_codes.astype(np.int64) << (self.bits * i)
        key[~valid] = -1
        return key

    def rebuild(self, all_keys: IntArray) -> None:
        rows = np.flatnonzero(all_keys >= 0).astype(np.int32)
        keys = all_keys[rows]
        order = np.argsort(keys, kind="stable")
        self.sorted = (keys[order], rows[order])
        self.pending = {}
        self.pending_count = 0

    def append(self, keys: IntArray, first_row: int) -> None:
        for offset in np.flatnonzero(keys >= 0):
            self.pending.setdefault(int(keys[offset]), []).append(first_row + int(offset))
            self.pending_count += 1

    def probe(self, record: Mapping[str, Any]) -> npt.NDArray[np.int32] | None:
        r_values = [record.get(c) for c in self.r_columns]
        key = 0
        for i, part in enumerate(self.parts):
            code = part.probe(r_values)
            if code is None:
                return None
            key |= code << (self.bits * i)
        sorted_keys, sorted_rows = self.sorted
        lo = int(np.searchsorted(sorted_keys, key, side="left"))
        hi = int(np.searchsorted(sorted_keys, key, side="right"))
        found = sorted_rows[lo:hi]
        extra = self.pending.get(key)
        if extra:
            found = np.concatenate([found, np.asarray(extra, dtype=np.int32)])
        return found


@dataclass
class _Level:
    gamma: int
    label: str
    sql: str
    is_null: bool
    is_else: bool
    match_weight: float
    bayes_factor: float
    m_probability: float | None
    u_probability: float | None
    tf_column: str | None = None
    tf_weight: float = 0.0
    tf_log2_u: float = 0.0
    tf_min_u: float = 0.0
    scalar: Compiled | None = None


@dataclass
class _Comparison:
    name: str
    levels: list[_Level]
    l_columns: tuple[str, ...]
    r_columns: tuple[str, ...]
    display_columns: tuple[str, ...]
    has_tf: bool
    weight_by_gamma: FloatArray = field(default_factory=lambda: np.zeros(0))
    level_by_gamma: dict[int, _Level] = field(default_factory=dict)
    # (condition or None for ELSE, comparison vector value), in Splink's order
    decision: list[tuple[sql_eval.Fn | None, int]] = field(default_factory=list)


class _Query:
    """Per-match state: the candidate rows, the incoming record, cached column codes."""

    def __init__(
        self, index: RealtimeIndex, rows: npt.NDArray[np.int32], record: Mapping[str, Any]
    ):
        self.index = index
        self.rows = rows
        self.record = record
        self._codes: dict[str, list[int]] = {}

    def codes(self, column: str) -> list[int]:
        """The candidates' codes in a column, as a Python list (cheap to index one by one)."""
        codes = self._codes.get(column)
        if codes is None:
            codes = self.index._columns[column].codes.view[self.rows].tolist()
            self._codes[column] = codes
        return codes

    def l_values(self, columns: Sequence[str], i: int) -> tuple[Any, ...]:
        """Candidate i's values in some columns (None for NULL)."""
        out = []
        for c in columns:
            code = self.codes(c)[i]
            out.append(None if code < 0 else self.index._columns[c].values[code])
        return tuple(out)


# --- compiling the model ---------------------------------------------------------------------


def _splink_settings(model: Any) -> Any:
    """Splink's Settings object for a TrainedModel, its dict, or a Splink settings dict."""
    from splink.internals.settings_creator import SettingsCreator

    if hasattr(model, "settings_for"):
        settings_dict = model.settings_for("duckdb")
    elif isinstance(model, Mapping) and "splink_model" in model:
        settings_dict = dict(model["splink_model"])
    else:
        settings_dict = dict(model)
    return SettingsCreator.from_path_or_dict(settings_dict).get_settings("duckdb")


def _equi_parts(sql: str) -> tuple[list[tuple[exp.Expr, exp.Expr]], list[exp.Expr]]:
    """A blocking rule's conjuncts split into ``l-expression = r-expression`` pairs and the
    rest (checked pair by pair)."""
    node = sql_eval.parse(sql)
    conjuncts: list[exp.Expr] = []

    def flatten(n: exp.Expr) -> None:
        if isinstance(n, exp.Paren):
            flatten(n.this)
        elif isinstance(n, exp.And):
            flatten(n.this)
            flatten(n.expression)
        else:
            conjuncts.append(n)

    flatten(node)
    pairs: list[tuple[exp.Expr, exp.Expr]] = []
    rest: list[exp.Expr] = []
    for c in conjuncts:
        if isinstance(c, exp.EQ):
            sides = []
            for operand in (c.this, c.expression):
                found = {column_side(col)[0] for col in operand.find_all(exp.Column)}
                sides.append(found)
            l_cols = [col for col in c.this.find_all(exp.Column)]
            if sides[0] == {"l"} and sides[1] == {"r"} and len({col.name for col in l_cols}) == 1:
                pairs.append((c.this, c.expression))
                continue
            r_cols = [col for col in c.expression.find_all(exp.Column)]
            if sides[0] == {"r"} and sides[1] == {"l"} and len({col.name for col in r_cols}) == 1:
                pairs.append((c.expression, c.this))
                continue
        if isinstance(c, exp.Boolean) and c.this:
            continue
        rest.append(c)
    return pairs, rest


# --- the index ---------------------------------------------------------------------------------


class RealtimeIndex:
    """Indexed records and a trained model, ready to match one incoming record at a time."""

    def __init__(self, model: Any) -> None:
        """An empty index for a model (a ``model.TrainedModel``, its dict, or a Splink settings
        dict with trained m and u)."""
        settings = _splink_settings(model)
        self.model = model
        uid_column = settings.column_info_settings.unique_id_column_name
        self.unique_id_column: str = str(uid_column)
        if settings._link_type not in ("dedupe_only", "link_and_dedupe", "link_only"):
            raise UnsupportedSQL(f"link type {settings._link_type}")
        if settings.column_info_settings.source_dataset_input_column is not None and (
            settings._link_type != "dedupe_only"
        ):
            raise UnsupportedSQL("the real-time matcher indexes one table (dedupe_only)")

        from splink.internals.misc import prob_to_match_weight

        self.prior_match_weight: float = float(
            prob_to_match_weight(settings._probability_two_random_records_match)
        )
        self._columns: dict[str, _Column] = {}
        self._comparisons = [self._compile_comparison(c) for c in settings.comparisons]
        self._rules = [
            self._compile_rule(n, br.blocking_rule_sql)
            for n, br in enumerate(settings._blocking_rules_to_generate_predictions)
        ]
        if not self._rules:
            raise UnsupportedSQL("a model with no blocking rules compares every record")
        self._unique_ids: list[Any] = []
        self._row_of: dict[Any, int] = {}
        # Rows of records since changed or removed: never a candidate again (their values stay
        # in the columns' term frequencies until the next rebuild).
        self._retired: set[int] = set()
        self._retired_rows: npt.NDArray[np.int32] = np.empty(0, dtype=np.int32)

    # building ------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        model: Any,
        records: pd.DataFrame | Iterable[Mapping[str, Any]],
        *,
        prepared: bool = False,
    ) -> RealtimeIndex:
        """An index of ``records`` (see ``add``)."""
        index = cls(model)
        index.add(records, prepared=prepared)
        return index

    def _column(self, name: str, *, count: bool = False) -> _Column:
        column = self._columns.get(name)
        if column is None:
            column = _Column(name, count=count)
            self._columns[name] = column
        elif count and column.counts is None:
            column.counts = _Growable(np.int64)
        return column

    def _compile_comparison(self, comparison: Any) -> _Comparison:
        levels: list[_Level] = []
        l_columns: list[str] = []
        r_columns: list[str] = []
        display: list[str] = []
        for cl in comparison.comparison_levels:
            sql = cl.sql_condition
            is_else = sql.strip().upper() == "ELSE"
            level = _Level(
                gamma=int(cl.comparison_vector_value),
                label=str(cl.label_for_charts),
                sql=sql,
                is_null=bool(cl.is_null_level),
                is_else=is_else,
                match_weight=float(cl._match_weight),
                bayes_factor=float(cl._bayes_factor),
                m_probability=None if cl.is_null_level else cl.m_probability,
                u_probability=None if cl.is_null_level else cl.u_probability,
            )
            if not is_else:
                node = sql_eval.parse(sql)
                for col in node.find_all(exp.Column):
                    side, name = column_side(col)
                    target = l_columns if side == "l" else r_columns
                    if name not in target:
                        target.append(name)
                    if name not in display:
                        display.append(name)
                    self._column(name)
            if (
                level.gamma != -1
                and not is_else
                and cl._has_tf_adjustments
                and cl._tf_adjustment_weight != 0
            ):
                tf_column = cl._tf_adjustment_input_column.unquote().name
                level.tf_column = tf_column
                level.tf_weight = float(cl._tf_adjustment_weight)
                level.tf_log2_u = math.log2(
                    cl._u_probability_corresponding_to_exact_match(comparison.comparison_levels)
                )
                level.tf_min_u = float(cl._tf_minimum_u_value)
                self._column(tf_column, count=True)
            levels.append(level)
        for level in levels:
            if not level.is_else:
                level.scalar = sql_eval.compile_sql(
                    level.sql, l_columns=l_columns, r_columns=r_columns
                )
        result = _Comparison(
            name=str(comparison.output_column_name),
            levels=levels,
            l_columns=tuple(l_columns),
            r_columns=tuple(r_columns),
            display_columns=tuple(display),
            has_tf=bool(comparison._has_tf_adjustments),
        )
        gammas = [lv.gamma for lv in levels]
        weights = np.zeros(max(gammas) + 2, dtype=np.float64)
        for level in levels:
            weights[level.gamma + 1] = level.match_weight
            result.level_by_gamma[level.gamma] = level
        result.weight_by_gamma = weights
        result.decision = [(None if lv.scalar is None else lv.scalar.fn, lv.gamma) for lv in levels]
        return result

    def _compile_rule(self, number: int, sql: str) -> _BlockingRule:
        pairs, rest = _equi_parts(sql)
        if not pairs:
            raise UnsupportedSQL(f"blocking rule {sql!r} has no equality to index")
        parts: list[_KeyPart] = []
        r_columns: list[str] = []
        for l_node, r_node in pairs:
            l_expr = sql_eval.compile_sql(l_node)
            r_expr = sql_eval.compile_sql(r_node, r_columns=r_columns)
            r_columns = list(r_expr.r_columns)
            (l_name,) = l_expr.l_columns
            for name in r_expr.r_columns:
                self._column(name)
            plain = isinstance(l_node.unnest(), exp.Column)
            parts.append(_KeyPart(self._column(l_name), plain, l_expr, r_expr))
        # every part reads r values through the rule's shared layout
        for part in parts:
            part.r_expr = sql_eval.compile_sql(sql_eval.parse(part.r_expr.sql), r_columns=r_columns)
        residual = None
        if rest:
            condition = rest[0]
            for other in rest[1:]:
                condition = exp.and_(condition, other)
            residual = sql_eval.compile_sql(condition)
            for name in (*residual.l_columns, *residual.r_columns):
                self._column(name)
        return _BlockingRule(number, sql, parts, tuple(r_columns), residual)

    def _prepared_frame(
        self, records: pd.DataFrame | Iterable[Mapping[str, Any]], prepared: bool
    ) -> pd.DataFrame:
        frame = records if isinstance(records, pd.DataFrame) else pd.DataFrame(list(records))
        if not prepared:
            from harbour.identity.linkage.model import prepare

            frame = prepare(frame)
        return frame

    def add(
        self, records: pd.DataFrame | Iterable[Mapping[str, Any]], *, prepared: bool = False
    ) -> int:
        """Index more records (kept current without a rebuild); returns how many were added.
        Records are normalised with ``model.prepare`` unless ``prepared`` (already done by it).
        Unique ids must be new."""
        frame = self._prepared_frame(records, prepared)
        if not len(frame):
            return 0
        ids = [_python_value(v) for v in frame[self.unique_id_column].tolist()]
        seen = self._row_of
        first_row = len(self._unique_ids)
        duplicate = next((u for u in ids if u in seen), None)
        if duplicate is not None or len(set(ids)) != len(ids):
            raise ValueError(f"unique_id {duplicate!r} is already indexed or repeated")
        for offset, uid in enumerate(ids):
            seen[uid] = first_row + offset
        self._unique_ids.extend(ids)
        new_codes: dict[str, npt.NDArray[np.int32]] = {}
        for name, column in self._columns.items():
            series = (
                frame[name]
                if name in frame.columns
                else pd.Series([None] * len(frame), dtype="object")
            )
            new_codes[name] = column.extend(series)
        total = len(self._unique_ids)
        for rule in self._rules:
            if first_row == 0 or rule.pending_count + len(frame) > max(
                _MIN_PENDING, _PENDING_SHARE * total
            ):
                rule.rebuild(rule.keys([p.column.codes.view for p in rule.parts]))
            else:
                rule.append(rule.keys([new_codes[p.column.name] for p in rule.parts]), first_row)
        return len(frame)

    def remove(self, unique_ids: Iterable[Any]) -> int:
        """Stop matching these records (a record changed so that it must be held, or deleted);
        returns how many were indexed."""
        removed = 0
        for uid in unique_ids:
            row = self._row_of.pop(_python_value(uid), None)
            if row is not None:
                self._retired.add(row)
                removed += 1
        if removed:
            self._retired_rows = np.fromiter(sorted(self._retired), dtype=np.int32)
        return removed

    def replace(
        self, records: pd.DataFrame | Iterable[Mapping[str, Any]], *, prepared: bool = False
    ) -> int:
        """Index these records as they are now: a record already indexed under the same unique
        id is retired first (the index keeps no stale copy), a new one is added."""
        frame = self._prepared_frame(records, prepared)
        if not len(frame):
            return 0
        self.remove(frame[self.unique_id_column].tolist())
        return self.add(frame, prepared=True)

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, unique_id: object) -> bool:
        return unique_id in self._row_of

    # matching ------------------------------------------------------------------------------

    def _incoming(self, record: Mapping[str, Any], prepared: bool) -> dict[str, Any]:
        if not prepared:
            from harbour.identity.linkage.model import prepare_record

            record = prepare_record({self.unique_id_column: None, **record})
        return {k: _python_value(v) for k, v in record.items()}

    def hold_reason(self, record: Mapping[str, Any], *, prepared: bool = False) -> str:
        """Why ``record`` must be held for a person to review rather than matched (the batch's
        rule, ``model.unusable_reasons``: no usable name, or neither a date of birth nor an NHS
        number); the empty string when it can be matched."""
        from harbour.identity.linkage.model import unusable_reason

        return unusable_reason(self._incoming(record, prepared))

    def candidates(self, record: Mapping[str, Any], *, prepared: bool = False) -> dict[Any, int]:
        """The indexed records the model's blocking rules pair with ``record``: unique id ->
        Splink's match_key (the first rule that admits the pair)."""
        incoming = self._incoming(record, prepared)
        rows, keys = self._candidate_rows(incoming)
        return {
            self._unique_ids[r]: int(k) for r, k in zip(rows.tolist(), keys.tolist(), strict=True)
        }

    def _candidate_rows(self, record: Mapping[str, Any]) -> tuple[npt.NDArray[np.int32], IntArray]:
        found_rows: list[npt.NDArray[np.int32]] = []
        found_keys: list[IntArray] = []
        for rule in self._rules:
            rows = rule.probe(record)
            if rows is None or not len(rows):
                continue
            if rule.residual is not None:
                rows = self._filter(rule.residual, rows, record)
            found_rows.append(rows)
            found_keys.append(np.full(len(rows), rule.number, dtype=np.int64))
        if not found_rows:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int64)
        all_rows = np.concatenate(found_rows)
        all_keys = np.concatenate(found_keys)
        unique_rows, first = np.unique(all_rows, return_index=True)
        keys = all_keys[first]
        if len(self._retired_rows):
            live = ~np.isin(unique_rows, self._retired_rows, assume_unique=True)
            unique_rows, keys = unique_rows[live], keys[live]
        return unique_rows, keys

    def _l_values(self, columns: Sequence[str], row: int) -> tuple[Any, ...]:
        return tuple(self._columns[c].value(int(self._columns[c].codes.view[row])) for c in columns)

    def _filter(
        self, condition: Compiled, rows: npt.NDArray[np.int32], record: Mapping[str, Any]
    ) -> npt.NDArray[np.int32]:
        r_values = [record.get(c) for c in condition.r_columns]
        keep = [
            condition.fn(self._l_values(condition.l_columns, int(row)), r_values) is True
            for row in rows
        ]
        return rows[np.asarray(keep, dtype=np.bool_)]

    def _gammas(self, q: _Query, comparison: _Comparison) -> npt.NDArray[np.int64]:
        """Each candidate's level (comparison vector value): the first level whose SQL holds,
        evaluated once per distinct combination of the candidate's inputs (the incoming
        record's are fixed), as Splink's CASE expression does."""
        r_values = tuple(q.record.get(c) for c in comparison.r_columns)
        columns = comparison.l_columns
        levels = comparison.decision
        code_lists = [q.codes(c) for c in columns]
        keys: Iterable[Any]
        if len(code_lists) == 1:
            keys = code_lists[0]
        elif code_lists:
            keys = zip(*code_lists, strict=True)
        else:
            keys = [()] * len(q.rows)
        value_lists = [self._columns[c].values for c in columns]
        memo: dict[Any, int] = {}
        gammas: list[int] = []
        single = len(code_lists) == 1
        key: Any
        for key in keys:
            gamma = memo.get(key)
            if gamma is None:
                codes: tuple[int, ...] = (key,) if single else tuple(key)
                l_values = tuple(
                    None if code < 0 else values[code]
                    for code, values in zip(codes, value_lists, strict=True)
                )
                gamma = _UNSET
                for fn, level_gamma in levels:
                    if fn is None or fn(l_values, r_values) is True:
                        gamma = level_gamma
                        break
                memo[key] = gamma
            gammas.append(gamma)
        return np.asarray(gammas, dtype=np.int64)

    def _tf_adjustments(
        self, q: _Query, comparison: _Comparison, gamma: npt.NDArray[np.int64]
    ) -> FloatArray:
        adjustment = np.zeros(len(q.rows), dtype=np.float64)
        for level in comparison.levels:
            if level.tf_column is None:
                continue
            at_level = np.flatnonzero(gamma == level.gamma)
            if not len(at_level):
                continue
            column = self._columns[level.tf_column]
            tf_r = column.term_frequency(column.code_of(q.record.get(level.tf_column)))
            codes = q.codes(level.tf_column)
            cache: dict[int, float] = {}
            for i in at_level.tolist():
                code = codes[i]
                value = cache.get(code)
                if value is None:
                    tf_l = column.term_frequency(code)
                    value = _tf_adjustment(level, tf_l, tf_r)
                    cache[code] = value
                adjustment[i] = value
        return adjustment

    def match(
        self,
        record: Mapping[str, Any],
        top: int | None = 10,
        *,
        prepared: bool = False,
        min_match_weight: float | None = None,
    ) -> list[Candidate]:
        """The indexed records most likely to be the same person as ``record``, best first
        (ties in the order records were indexed): at most ``top`` (all when None).

        ``record`` is normalised with ``model.prepare_record`` unless ``prepared`` (already
        done by it or by ``model.prepare``)."""
        incoming = self._incoming(record, prepared)
        rows, match_keys = self._candidate_rows(incoming)
        if not len(rows):
            return []
        q = _Query(self, rows, incoming)
        total = np.full(len(rows), self.prior_match_weight, dtype=np.float64)
        per_comparison: list[tuple[_Comparison, npt.NDArray[np.int64], FloatArray | None]] = []
        for comparison in self._comparisons:
            gamma = self._gammas(q, comparison)
            weights = comparison.weight_by_gamma[np.where(gamma == _UNSET, -1, gamma) + 1]
            weights = np.where(gamma == _UNSET, np.nan, weights)
            total = total + weights
            tf: FloatArray | None = None
            if comparison.has_tf:
                tf = self._tf_adjustments(q, comparison, gamma)
                total = total + tf
            per_comparison.append((comparison, gamma, tf))
        order = np.argsort(-total, kind="stable")
        if min_match_weight is not None:
            order = order[total[order] >= min_match_weight]
        if top is not None:
            order = order[:top]
        chosen = order.tolist()
        shown = [
            (
                comparison,
                gamma[chosen].tolist(),
                None if tf is None else tf[chosen].tolist(),
                ", ".join(str(incoming.get(c)) for c in comparison.display_columns),
            )
            for comparison, gamma, tf in per_comparison
        ]
        results = []
        for n, i in enumerate(chosen):
            contributions = tuple(
                self._contribution(
                    q, comparison, gammas[n], None if tfs is None else tfs[n], i, value_r
                )
                for comparison, gammas, tfs, value_r in shown
            )
            weight = float(total[i])
            results.append(
                Candidate(
                    unique_id=self._unique_ids[int(rows[i])],
                    match_weight=weight,
                    match_probability=match_probability(weight),
                    match_key=int(match_keys[i]),
                    prior_match_weight=self.prior_match_weight,
                    contributions=contributions,
                )
            )
        return results

    def _contribution(
        self,
        q: _Query,
        comparison: _Comparison,
        gamma: int,
        tf: float | None,
        i: int,
        value_r: str,
    ) -> Contribution:
        level = comparison.level_by_gamma.get(gamma)
        value_l = ", ".join(str(v) for v in q.l_values(comparison.display_columns, i))
        if level is None:  # no level held and no ELSE level: Splink's weight is NULL
            return Contribution(
                comparison=comparison.name,
                level="",
                comparison_vector_value=gamma,
                log2_bayes_factor=math.nan,
                bayes_factor=math.nan,
                m_probability=None,
                u_probability=None,
                sql_condition="",
                value_l=value_l,
                value_r=value_r,
            )
        return Contribution(
            comparison=comparison.name,
            level=level.label,
            comparison_vector_value=gamma,
            log2_bayes_factor=level.match_weight,
            bayes_factor=level.bayes_factor,
            m_probability=level.m_probability,
            u_probability=level.u_probability,
            sql_condition=level.sql,
            value_l=value_l,
            value_r=value_r,
            has_tf_adjustment=comparison.has_tf,
            tf_column=level.tf_column,
            tf_log2_adjustment=0.0 if tf is None else tf,
        )

    # reporting -----------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Sizes, for the benchmark and the ADR: records, distinct values per column, keys per
        rule and an estimate of the memory held (numpy arrays exactly, Python values sampled)."""
        columns = {name: len(c.values) for name, c in self._columns.items()}
        memory = sum(c.nbytes for c in self._columns.values())
        for rule in self._rules:
            memory += rule.sorted[0].nbytes + rule.sorted[1].nbytes
            memory += sys.getsizeof(rule.pending) + 100 * rule.pending_count
            for part in rule.parts:
                memory += part.derived_codes.nbytes
        memory += sys.getsizeof(self._unique_ids) + sys.getsizeof(self._row_of)
        memory += 32 * len(self._unique_ids)
        return {
            "records": len(self),
            "distinct_values": columns,
            "blocking_rules": [
                {"sql": r.sql, "indexed": len(r.sorted[0]) + r.pending_count} for r in self._rules
            ],
            "approx_bytes": int(memory),
        }


def _tf_adjustment(level: _Level, tf_l: float | None, tf_r: float | None) -> float:
    """Splink's term-frequency adjustment SQL for one pair, operation for operation."""
    first = tf_l if tf_l is not None else tf_r
    if first is None:
        return 0.0
    second = tf_r if tf_r is not None else tf_l
    assert second is not None
    tf_u = max(first, second, level.tf_min_u)
    return level.tf_weight * (level.tf_log2_u - math.log2(tf_u))
