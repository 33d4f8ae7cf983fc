"""The person index kept in DuckDB between large files (ADR 0038).

A file matched at once (``bulk_arrivals``) scores its records against every usable source record
(``linkage.bulk.ArrivalScorer``). Reading and normalising a million records for every file cost
most of a file's matching, so the normalised index is kept in a DuckDB file
(``HARBOUR_PERSON_INDEX_COPY``, one file per database) and brought up to date before each file,
as the real-time matcher keeps its own (``matching.current_index``): the records added since (by
id) are added, the records changed since (``SourceRecord.changed_at``, with the same margin for
late commits) replace their old copies. What it holds is then what a fresh read holds, so the
scores, the ranking (ties by id) and the term frequencies are the same.

It is read afresh instead when it cannot be trusted: made by another version of the
normalisation or for other columns, for another database (one made again under the same name),
left unfinished (a crash, or an import whose transaction rolled back: it is marked finished only
once the importer's transaction commits), or when the number of records it has seen is not the
number in the database (a record deleted, or committed late with a lower id). Another process
holding the file (two large imports at once): the second reads afresh, in memory, as before."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from harbour.identity.linkage import model as linkage_model
from harbour.identity.linkage.bulk import ArrivalScorer
from harbour.identity.linkage.model import TrainedModel
from harbour.identity.models import SourceRecord
from harbour.identity.sources import source_frame

logger = logging.getLogger(__name__)

#: The layout of the kept file; a new one is read afresh.
FORMAT = "1"
#: How far back to look again for changed records (as ``matching.CHANGE_MARGIN``).
CHANGE_MARGIN = dt.timedelta(minutes=10)
CHANGED_CHUNK = 500


@dataclass
class Refreshed:
    """What bringing the index up to date read: the records among them that cannot be matched
    (``unique_id``, ``reason`` frames), and which records it read (all, or those with a greater
    id than ``after`` and those ``changed``)."""

    held: list[pd.DataFrame] = field(default_factory=list)
    full: bool = False
    after: int = 0
    changed: set[int] = field(default_factory=set)

    def read(self, record_id: int) -> bool:
        return self.full or record_id > self.after or record_id in self.changed


def path() -> Path | None:
    """The kept file for this database, or None when none is kept."""
    directory = getattr(settings, "HARBOUR_PERSON_INDEX_COPY", "")
    if not directory:
        return None
    db = connection.settings_dict
    name = f"{connection.vendor}|{db.get('HOST')}|{db.get('PORT')}|{db.get('NAME')}"
    return Path(directory) / f"{hashlib.sha256(name.encode()).hexdigest()[:16]}.duckdb"


def signature() -> str:
    """What the kept rows depend on: the layout, the columns the model reads, the code that
    normalises them and the database itself (its oid on PostgreSQL, its file on SQLite)."""
    code = hashlib.sha256(Path(linkage_model.__file__).read_bytes()).hexdigest()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
            database = str(cursor.fetchall()[0][0])
    else:
        name = str(connection.settings_dict.get("NAME") or "")
        database = str(os.stat(name).st_ino) if name and os.path.exists(name) else name
    parts = [FORMAT, ",".join(linkage_model.MATCHING_COLUMNS), code, database]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


@contextmanager
def scorer(trained: TrainedModel) -> Iterator[tuple[ArrivalScorer, Refreshed]]:
    """An ``ArrivalScorer`` holding every usable source record as it is now (the module
    docstring), and what was read to make it so."""
    # Imported here: ``bulk_arrivals`` imports this module.
    from harbour.identity.bulk_arrivals import index_chunks

    kept = path()
    found: ArrivalScorer | None = None
    if kept is not None:
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            found = ArrivalScorer(trained, path=str(kept))
        except Exception as exc:  # held by another process, or unreadable: read afresh
            logger.warning(
                "The kept person index %s cannot be used (%s): reading afresh", kept, exc
            )
            found = None
    if found is None or kept is None:
        with ArrivalScorer(trained) as fresh:
            refreshed = Refreshed(full=True)
            for frame in index_chunks():
                refreshed.held.append(fresh.add(frame))
            yield fresh, refreshed
        return
    try:
        refreshed = _refresh(found, index_chunks)
        if connection.in_atomic_block:  # finished once the importer's transaction commits
            transaction.on_commit(lambda: _mark_finished(kept))
        else:
            found.set_meta({"finished": "1"})
        yield found, refreshed
    finally:
        found.close()


def _mark_finished(kept: Path) -> None:
    import duckdb

    try:
        con = duckdb.connect(str(kept))
    except Exception:  # held by another process: left unfinished, so read afresh next time
        return
    try:
        con.execute("insert or replace into harbour_meta values ('finished', '1')")
    finally:
        con.close()


def _refresh(scorer: ArrivalScorer, chunks: Callable[..., Iterator[pd.DataFrame]]) -> Refreshed:
    """Bring the kept index up to date (or read it afresh); ``chunks`` is
    ``bulk_arrivals.index_chunks``."""
    now = timezone.now()
    sign = signature()
    meta = scorer.meta()
    refreshed = Refreshed()
    usable = (
        meta.get("signature") == sign
        and meta.get("finished") == "1"
        and meta.get("last_id", "").isdigit()
    )
    seen = 0
    last = 0
    if usable:
        last = int(meta["last_id"])
        seen = int(meta.get("seen", "0"))
        since = dt.datetime.fromisoformat(meta["looked_at"]) - CHANGE_MARGIN
        scorer.set_meta({"finished": "0"})
        changed = sorted(
            SourceRecord.objects.filter(pk__lte=last, changed_at__gte=since).values_list(
                "pk", flat=True
            )
        )
        for at in range(0, len(changed), CHANGED_CHUNK):
            part = changed[at : at + CHANGED_CHUNK]
            refreshed.held.append(scorer.upsert(source_frame(part)))
        refreshed.after, refreshed.changed = last, set(changed)
    else:
        scorer.reset()
        scorer.set_meta({"signature": sign, "finished": "0"})
        refreshed.full = True
    for frame in chunks(after=last):
        refreshed.held.append(scorer.add(frame))
        seen += len(frame)
        last = int(frame["unique_id"].iloc[-1])
    if SourceRecord.objects.filter(pk__lte=last).count() != seen:
        if refreshed.full:  # records committed while it was read: as a fresh read would be
            logger.info("Person index read while records were being added")
        else:  # a record deleted, or committed late with a lower id: read afresh
            logger.info("The kept person index is out of step with the database: reading afresh")
            scorer.reset()
            scorer.set_meta({"signature": sign, "finished": "0"})
            return _refresh(scorer, chunks)
    scorer.set_meta({"last_id": str(last), "seen": str(seen), "looked_at": now.isoformat()})
    return refreshed


def refresh() -> Refreshed | None:
    """Bring the kept copy up to date now (``harbour events index``, after the nightly linkage
    run, so that the next large file starts from it); None when no copy is kept or there is no
    model yet."""
    from harbour.identity.linking import current_model, trained_model

    stored = current_model()
    if path() is None or stored is None:
        return None
    with scorer(trained_model(stored)) as (_scorer, refreshed):
        return refreshed
