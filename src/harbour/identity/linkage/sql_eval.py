"""Splink's comparison-level and blocking-rule SQL, evaluated in Python exactly as DuckDB does.

The real-time matcher reads each level's ``sql_condition`` and each blocking rule from the trained
model and compiles it here, once, into Python closures; it never hard-codes the model's
comparisons, so a retrained or reshaped model is matched with its own SQL.

A compiled expression is called as ``fn(l_values, r_values)``: two sequences holding the values of
the columns the expression reads from the left record (``first_name_l``, ``l.first_name``) and
the right one (``first_name_r``, ``r.first_name``), in the order of ``Compiled.l_columns`` and
``Compiled.r_columns``. NULL is ``None`` and SQL's three-valued logic is kept: a comparison with
NULL is NULL, ``NULL AND FALSE`` is FALSE, ``NULL OR TRUE`` is TRUE, and a condition holds only
when it is TRUE.

Only what has been checked against DuckDB 2.0.1 is supported (see the tests); anything else raises
``UnsupportedSQL`` when the index is built, never a wrong answer at match time:

- columns, string / integer / decimal literals, NULL, TRUE, FALSE, parentheses;
- ``=  <> !=  <  <=  >  >=``, ``AND OR NOT``, ``IS [NOT] NULL``, ``CASE WHEN … THEN … ELSE … END``;
- ``+ - *`` and unary minus on numbers, ``abs``, ``coalesce``, ``nullif``;
- ``substr`` / ``substring`` (DuckDB's rules for zero, negative starts and lengths);
- ``jaro_similarity``, ``jaro_winkler_similarity``, ``levenshtein``, ``damerau_levenshtein``
  (``string_functions``, bit-identical to DuckDB).

Decimal literals compare as doubles (DuckDB casts ``DECIMAL(3,2) 0.92`` to ``DOUBLE`` against a
``DOUBLE``), which the tests check at the thresholds Splink uses.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import expressions as exp

from harbour.identity.linkage import string_functions as sf

Values = Sequence[Any]
Fn = Callable[[Values, Values], Any]

__all__ = [
    "Compiled",
    "UnsupportedSQL",
    "column_side",
    "compile_sql",
    "parse",
    "substring",
]


class UnsupportedSQL(ValueError):
    """The model uses SQL the real-time matcher does not evaluate (yet)."""


def parse(sql: str) -> exp.Expr:
    return sqlglot.parse_one(sql, read="duckdb")


def column_side(column: exp.Column) -> tuple[str, str]:
    """(side, column name) of a column reference: ``l.first_name`` and ``first_name_l`` are both
    ("l", "first_name")."""
    table = column.table
    name = column.name
    if table in ("l", "r"):
        return table, name
    if table:
        raise UnsupportedSQL(f"column {column.sql()} is not on the l or r record")
    if name.endswith("_l"):
        return "l", name[:-2]
    if name.endswith("_r"):
        return "r", name[:-2]
    raise UnsupportedSQL(f"column {name!r} names neither the l nor the r record")


def substring(value: str | None, start: int | None, length: int | None = None) -> str | None:
    """DuckDB's ``substring(value, start[, length])`` over code points: 1-based; a start of 0
    sits just before the first character; a negative start counts from the end; a negative
    length takes the characters before the start."""
    if value is None or start is None:
        return None
    size = len(value)
    if start > 0:
        begin = start - 1
    elif start == 0:
        begin = -1
    else:
        begin = size + start
    if length is None:
        end = size
    elif length >= 0:
        end = begin + length
    else:
        end = begin
        begin = begin + length
    begin = max(begin, 0)
    end = min(end, size)
    if begin >= end:
        return ""
    return value[begin:end]


@dataclass(frozen=True)
class Compiled:
    """A compiled expression and the columns it reads from each record."""

    fn: Fn
    l_columns: tuple[str, ...]
    r_columns: tuple[str, ...]
    sql: str


def compile_sql(
    sql_or_node: str | exp.Expr,
    *,
    l_columns: Sequence[str] | None = None,
    r_columns: Sequence[str] | None = None,
) -> Compiled:
    """Compile a condition or value expression. Columns are given slots in order of first use,
    after any ``l_columns`` / ``r_columns`` passed in (so several expressions can share one
    layout)."""
    node = parse(sql_or_node) if isinstance(sql_or_node, str) else sql_or_node
    layout = {"l": list(l_columns or ()), "r": list(r_columns or ())}
    for column in node.find_all(exp.Column):
        side, name = column_side(column)
        if name not in layout[side]:
            layout[side].append(name)
    slots = {side: {name: i for i, name in enumerate(names)} for side, names in layout.items()}
    fn = _Compiler(slots).compile(node)
    return Compiled(
        fn=fn,
        l_columns=tuple(layout["l"]),
        r_columns=tuple(layout["r"]),
        sql=node.sql(dialect="duckdb"),
    )


_COMPARISONS: dict[type[exp.Expr], Callable[[Any, Any], bool]] = {
    exp.EQ: operator.eq,
    exp.NEQ: operator.ne,
    exp.GT: operator.gt,
    exp.GTE: operator.ge,
    exp.LT: operator.lt,
    exp.LTE: operator.le,
}
_ARITHMETIC: dict[type[exp.Expr], Callable[[Any, Any], Any]] = {
    exp.Add: operator.add,
    exp.Sub: operator.sub,
    exp.Mul: operator.mul,
}
_STRING_FUNCTIONS: dict[str, Callable[[str, str], Any]] = {
    "jaro_similarity": sf.jaro_similarity,
    "jaro_winkler_similarity": sf.jaro_winkler_similarity,
    "levenshtein": sf.levenshtein,
    "damerau_levenshtein": sf.damerau_levenshtein,
}


def _literal(node: exp.Literal) -> Any:
    text = str(node.this)
    if node.is_string:
        return text
    try:
        return int(text)
    except ValueError:
        return float(text)


class _Compiler:
    def __init__(self, slots: dict[str, dict[str, int]]) -> None:
        self.slots = slots

    def compile(self, node: exp.Expr) -> Fn:
        if isinstance(node, exp.Paren):
            return self.compile(node.this)
        if isinstance(node, exp.Column):
            side, name = column_side(node)
            slot = self.slots[side][name]
            if side == "l":
                return lambda lv, rv: lv[slot]
            return lambda lv, rv: rv[slot]
        if isinstance(node, exp.Literal):
            value = _literal(node)
            return lambda lv, rv: value
        if isinstance(node, exp.Null):
            return lambda lv, rv: None
        if isinstance(node, exp.Boolean):
            truth = bool(node.this)
            return lambda lv, rv: truth
        if type(node) in _COMPARISONS:
            return self._binary(node, _COMPARISONS[type(node)])
        if type(node) in _ARITHMETIC:
            return self._binary(node, _ARITHMETIC[type(node)])
        if isinstance(node, exp.And):
            return self._and(node)
        if isinstance(node, exp.Or):
            return self._or(node)
        if isinstance(node, exp.Not):
            inner = self.compile(node.this)

            def not_(lv: Values, rv: Values) -> Any:
                value = inner(lv, rv)
                return None if value is None else not value

            return not_
        if isinstance(node, exp.Is):
            if not isinstance(node.expression, exp.Null):
                raise UnsupportedSQL(f"IS other than IS NULL: {node.sql()}")
            inner = self.compile(node.this)
            return lambda lv, rv: inner(lv, rv) is None
        if isinstance(node, exp.Neg):
            inner = self.compile(node.this)

            def neg(lv: Values, rv: Values) -> Any:
                value = inner(lv, rv)
                return None if value is None else -value

            return neg
        if isinstance(node, exp.Case):
            return self._case(node)
        if isinstance(node, exp.Abs):
            inner = self.compile(node.this)

            def abs_(lv: Values, rv: Values) -> Any:
                value = inner(lv, rv)
                return None if value is None else abs(value)

            return abs_
        if isinstance(node, exp.Coalesce):
            parts = [self.compile(node.this), *(self.compile(e) for e in node.expressions)]

            def coalesce(lv: Values, rv: Values) -> Any:
                for part in parts:
                    value = part(lv, rv)
                    if value is not None:
                        return value
                return None

            return coalesce
        if isinstance(node, exp.Nullif):
            first = self.compile(node.this)
            second = self.compile(node.expression)

            def nullif(lv: Values, rv: Values) -> Any:
                value = first(lv, rv)
                other = second(lv, rv)
                if value is None or other is None:
                    return value
                return None if value == other else value

            return nullif
        if isinstance(node, exp.Substring):
            return self._substring(node)
        if isinstance(node, exp.JarowinklerSimilarity):
            self._no_extra_args(node, ("this", "expression"))
            return self._string_function(sf.jaro_winkler_similarity, node.this, node.expression)
        if isinstance(node, exp.Levenshtein):
            self._no_extra_args(node, ("this", "expression"))
            return self._string_function(sf.levenshtein, node.this, node.expression)
        if isinstance(node, exp.Anonymous):
            name = str(node.name).lower()
            function = _STRING_FUNCTIONS.get(name)
            if function is None or len(node.expressions) != 2:
                raise UnsupportedSQL(f"function {node.sql()}")
            return self._string_function(function, *node.expressions)
        raise UnsupportedSQL(f"{type(node).__name__}: {node.sql()}")

    @staticmethod
    def _no_extra_args(node: exp.Expr, allowed: tuple[str, ...]) -> None:
        extra = [k for k, v in node.args.items() if v is not None and k not in allowed]
        if extra:
            raise UnsupportedSQL(f"{node.sql()} with {', '.join(extra)}")

    def _binary(self, node: exp.Expr, op: Callable[[Any, Any], Any]) -> Fn:
        left = self.compile(node.this)
        right = self.compile(node.expression)

        def binary(lv: Values, rv: Values) -> Any:
            a = left(lv, rv)
            if a is None:
                return None
            b = right(lv, rv)
            if b is None:
                return None
            return op(a, b)

        return binary

    def _and(self, node: exp.And) -> Fn:
        left = self.compile(node.this)
        right = self.compile(node.expression)

        def and_(lv: Values, rv: Values) -> Any:
            a = left(lv, rv)
            if a is False:
                return False
            b = right(lv, rv)
            if b is False:
                return False
            if a is None or b is None:
                return None
            return True

        return and_

    def _or(self, node: exp.Or) -> Fn:
        left = self.compile(node.this)
        right = self.compile(node.expression)

        def or_(lv: Values, rv: Values) -> Any:
            a = left(lv, rv)
            if a is True:
                return True
            b = right(lv, rv)
            if b is True:
                return True
            if a is None or b is None:
                return None
            return False

        return or_

    def _case(self, node: exp.Case) -> Fn:
        if node.this is not None:
            raise UnsupportedSQL(f"CASE with an operand: {node.sql()}")
        branches = [(self.compile(i.this), self.compile(i.args["true"])) for i in node.args["ifs"]]
        default = node.args.get("default")
        otherwise = self.compile(default) if default is not None else None

        def case(lv: Values, rv: Values) -> Any:
            for condition, value in branches:
                if condition(lv, rv) is True:
                    return value(lv, rv)
            return None if otherwise is None else otherwise(lv, rv)

        return case

    def _substring(self, node: exp.Substring) -> Fn:
        self._no_extra_args(node, ("this", "start", "length"))
        value = self.compile(node.this)
        start = self.compile(node.args["start"]) if node.args.get("start") else None
        length_node = node.args.get("length")
        length = self.compile(length_node) if length_node is not None else None
        if start is None:
            raise UnsupportedSQL(f"substring without a start: {node.sql()}")
        start_fn = start

        def substr(lv: Values, rv: Values) -> Any:
            text = value(lv, rv)
            begin = start_fn(lv, rv)
            if length is None:
                return substring(text, begin)
            size = length(lv, rv)
            if size is None:
                return None
            return substring(text, begin, size)

        return substr

    def _string_function(
        self, function: Callable[[str, str], Any], first: exp.Expr, second: exp.Expr
    ) -> Fn:
        a_fn = self.compile(first)
        b_fn = self.compile(second)

        def call(lv: Values, rv: Values) -> Any:
            a = a_fn(lv, rv)
            if a is None:
                return None
            b = b_fn(lv, rv)
            if b is None:
                return None
            return function(a, b)

        return call
