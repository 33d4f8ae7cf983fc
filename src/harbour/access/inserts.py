"""Many rows inserted at once, fast: ``insert_many`` is ``bulk_create`` for new objects (no
conflicts, no signals, ``pre_save`` applied, each object given its id), written on PostgreSQL with
``COPY`` (ids drawn from the table's sequence first) once there are enough of them, which costs a
fraction of Django's ``INSERT ... UNNEST`` for a 100,000-row file (ADR 0032). SQLite, and a few
rows anywhere, go through ``bulk_create``. The rows are written in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)

#: Fields whose Python values psycopg writes as they are (no choices: a choice may be an enum
#: member); every other field's value is prepared by the field, as ``bulk_create`` does.
PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.BooleanField,
    models.FloatField,
    models.DateField,  # and DateTimeField
    models.ForeignKey,
)

#: Fewer objects than this are written by ``bulk_create`` (COPY's round trips cost more).
COPY_FROM = 500


def insert_many(model: type[M], objects: Iterable[M], *, batch_size: int = 2000) -> list[M]:
    """Insert these new objects; returns them, each with its id."""
    found = list(objects)
    if connection.vendor != "postgresql" or len(found) < COPY_FROM:
        return model._default_manager.bulk_create(found, batch_size=batch_size)
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if f is not pk]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in [pk.column, *(f.column for f in fields)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(found)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())  # in the order given, as INSERT
        raw = cursor.connection  # psycopg's, in the same transaction
        with (
            raw.cursor() as copying,
            copying.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
        ):
            plain = [isinstance(f, PLAIN) and not f.choices for f in fields]
            for obj, pk_value in zip(found, ids, strict=True):
                obj.pk = pk_value
                row: list[Any] = [pk_value]
                for f, simple in zip(fields, plain, strict=True):
                    value = f.pre_save(obj, True)
                    row.append(
                        value if simple else f.get_db_prep_save(value, connection=connection)
                    )
                copy.write_row(row)
                obj._state.adding = False
                obj._state.db = connection.alias
    return found


def insert_rows(
    model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> list[int]:
    """``insert_many`` without a model object a row (ADR 0038): ``rows`` are tuples of the
    values of the fields ``names`` (attribute names, ``person_id`` for a foreign key), as
    the objects would hold them; every other field takes its default. Returns the new ids, in
    order. COPY on PostgreSQL from ``COPY_FROM`` rows; otherwise ``bulk_create``."""
    found = [tuple(r) for r in rows]
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    if connection.vendor != "postgresql" or len(found) < COPY_FROM:
        made = model._default_manager.bulk_create(
            [model(**dict(zip(names, r, strict=True))) for r in found], batch_size=2000
        )
        return [int(m.pk) for m in made]
    by_name = {f.attname: f for f in meta.concrete_fields}
    given = [by_name[n] for n in names]
    # The other fields, as a new object would have them (defaults, auto_now_add).
    template = model()
    others = [f for f in meta.concrete_fields if f is not pk and f.attname not in names]
    fixed = [f.get_db_prep_save(f.pre_save(template, True), connection=connection) for f in others]
    simple = [isinstance(f, PLAIN) and not f.choices for f in given]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in [pk.column, *(f.column for f in [*given, *others])])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(found)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        raw = cursor.connection
        with (
            raw.cursor() as copying,
            copying.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
        ):
            for row, pk_value in zip(found, ids, strict=True):
                values = [
                    value if plain else f.get_db_prep_save(value, connection=connection)
                    for value, f, plain in zip(row, given, simple, strict=True)
                ]
                copy.write_row([pk_value, *values, *fixed])
    return ids
