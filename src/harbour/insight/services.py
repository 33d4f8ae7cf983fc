"""Imports into the store (issue 13, part 1; ADR 0022).

``import_file`` does the whole of one import and returns its catalogue entry:

1. the actor must be allowed to import (a command with no person behind it names itself);
2. a file whose hash matches one already imported in the same format adds nothing: it is
   recorded as already imported, with the earlier import's counts as unchanged;
3. the engine reads and checks the whole file; any row's problem refuses the file, every problem
   named by line and column (or, where the partnership has chosen, sets those rows aside, listed);
4. points are checked against (or placed in) the LSOA boundaries the store holds, ISTV's
   descriptions are placed where they can be, and each row gets its natural key;
5. under the table's lock, in one transaction: stray files of an import that stopped part-way
   are removed, the new Parquet file of each month touched is written, the catalogue makes them
   current, and the import is audited; the files they replace are deleted only after the commit.
   If anything fails, the new files are deleted and the catalogue is as it was.

``import_start`` is the page's way in: the upload is kept, the import queued, and after the
request commits it runs beside the web process (``HARBOUR_INSIGHT_RUNNER``), writing its progress
to its catalogue entry for the page to show."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.insight import engine
from harbour.insight.engine import geo, store
from harbour.insight.engine.common import Parsed
from harbour.insight.models import ImportStatus, SourceImport, StoreFile, StoreTable
from harbour.partnership.models import Staff
from harbour.tabular import MAX_ERRORS, ImportRejected, LineError

SYSTEM_ACTOR = "insight-import"
# An import that has said nothing for this long has stopped (its process was killed).
STALE_AFTER = 120
logger = logging.getLogger(__name__)


def store_root() -> Path:
    root = Path(settings.HARBOUR_INSIGHT_STORE)
    root.mkdir(parents=True, exist_ok=True)
    return root


def current_files(table: str | None = None) -> dict[str, dict[str, list[str]]]:
    """table -> month -> the current file's path (relative to the store's root)."""
    found: dict[str, dict[str, list[str]]] = {}
    rows = StoreFile.objects.filter(is_current=True)
    if table:
        rows = rows.filter(table=table)
    for file in rows.order_by("table", "month"):
        found.setdefault(file.table, {}).setdefault(file.month, []).append(file.path)
    return found


def _files_of(table: str) -> list[str]:
    return [p for paths in current_files(table).get(table, {}).values() for p in paths]


class _Progress:
    """Writes the import's stage and how far it has got to its catalogue entry (at most twice a
    second, and at every new stage), and passes it on (the command prints it)."""

    def __init__(self, run: SourceImport, also: Callable[[str, int, int], None] | None) -> None:
        self.run, self.also, self.last, self.stage = run, also, 0.0, ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.also:
            self.also(stage, done, total)
        now = time.monotonic()
        if stage == self.stage and now - self.last < 0.5:
            return
        self.stage, self.last = stage, now
        SourceImport.objects.filter(pk=self.run.pk).update(
            stage=stage, done=done, total=total, heartbeat_at=timezone.now()
        )


def _audit(run: SourceImport, actor: Staff | None, event: str, outcome: str = "allowed") -> None:
    audit_record(
        actor=actor,
        system_actor="" if actor is not None else (run.system_actor or SYSTEM_ACTOR),
        event=event,
        subject=run,
        purpose=policy.INSIGHT_PURPOSE,
        outcome=outcome,
        detail={
            "format": run.format,
            "file_name": run.file_name,
            "file_hash": run.file_hash,
            "rows": run.rows,
            "new": run.new,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "rejected": run.rejected,
        },
    )


def _refuse(
    run: SourceImport, actor: Staff | None, rejected: ImportRejected, rows: int
) -> SourceImport:
    run.status = ImportStatus.REFUSED
    run.message = str(rejected)
    run.errors = [e.as_dict() for e in rejected.errors[:MAX_ERRORS]]
    run.error_count = rejected.error_count
    run.rows = rows
    run.rejected = rows
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save()
        _audit(run, actor, "insight.import_refused", outcome="refused")
    return run


def _boundaries() -> geo.Boundaries | None:
    paths = _files_of("lsoa_boundaries")
    if not paths:
        return None
    frame = store.read(store_root(), "lsoa_boundaries", paths, ["lsoa21cd", "geometry_wkb"])
    return geo.Boundaries.from_rows(frame["lsoa21cd"], frame["geometry_wkb"])


def _gazetteer() -> geo.Gazetteer:
    paths = _files_of("police_street")
    columns = ["location", "lsoa21cd", "longitude", "latitude"]
    return geo.Gazetteer.from_frame(store.read(store_root(), "police_street", paths, columns))


def _place(parsed: Parsed, format_code: str, progress: Callable[[str, int, int], None]) -> None:
    progress("placing", 0, len(parsed.frame))
    boundaries = _boundaries()
    if format_code == "istv":
        geo.place_assaults(parsed, _gazetteer(), boundaries)
    else:
        geo.check_points(parsed, boundaries)
    progress("placing", len(parsed.frame), len(parsed.frame))


def import_file(
    *,
    actor: Staff | None,
    format_code: str,
    content: bytes,
    file_name: str,
    quarantine: bool | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    run: SourceImport | None = None,
    system_actor: str = SYSTEM_ACTOR,
) -> SourceImport:
    """Import one file (see the module docstring); returns its catalogue entry, whose status is
    imported, already imported or refused (with its problems)."""
    if actor is not None:
        policy.require_capability(actor, policy.Action.INSIGHT_IMPORT)
    if format_code not in engine.FORMATS:
        raise ImportRejected(
            f"Harbour does not read the format {format_code!r}; it reads "
            + ", ".join(engine.FORMATS)
        )
    if quarantine is None:
        quarantine = settings.HARBOUR_INSIGHT_QUARANTINE_ROWS
    file_format = engine.FORMATS[format_code]
    digest = store.file_hash(content)
    if run is None:
        run = SourceImport.objects.create(
            format=format_code,
            table=file_format.table,
            file_name=file_name[:255],
            file_hash=digest,
            file_size=len(content),
            quarantine=quarantine,
            started_by=actor,
            system_actor="" if actor is not None else system_actor,
        )
    SourceImport.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    run.refresh_from_db()
    earlier = (
        SourceImport.objects.filter(
            format=format_code, file_hash=digest, status=ImportStatus.IMPORTED
        )
        .exclude(pk=run.pk)
        .order_by("created_at")
        .first()
    )
    if earlier is not None:
        # The same bytes again: nothing to read, nothing to add.
        run.status = ImportStatus.ALREADY_IMPORTED
        run.same_as = earlier
        run.rows, run.unchanged, run.rejected = earlier.rows, earlier.rows - earlier.rejected, 0
        run.months, run.finished_at = earlier.months, timezone.now()
        run.message = "This file was imported before; nothing was added"
        with transaction.atomic():
            run.save()
            _audit(run, actor, "insight.imported")
        return run
    report = _Progress(run, progress)
    rows = 0
    try:
        parsed = engine.read_file(format_code, content, filename=file_name, progress=report)
        rows = len(set(parsed.frame["line"])) if len(parsed.frame) else 0
        set_aside: list[LineError] = engine.refuse_or_quarantine(parsed, quarantine=quarantine)
    except ImportRejected as rejected:
        return _refuse(run, actor, rejected, rows)
    if format_code == "istv" or file_format.has_points:
        _place(parsed, format_code, report)
    frame = store.keyed(parsed)
    root = store_root()
    written: list[str] = []
    try:
        with transaction.atomic():
            StoreTable.objects.get_or_create(name=file_format.table)
            StoreTable.objects.select_for_update().get(name=file_format.table)
            _fail_stale(file_format.table)
            store.sweep(root, file_format.table, keep=set(_files_of(file_format.table)))
            current = current_files(file_format.table).get(file_format.table, {})
            applied = store.apply(
                root,
                file_format.table,
                frame,
                current=current,
                import_id=run.pk.hex,
                progress=report,
                written=written,
            )
            replaced = [p for f in applied.files for p in f.replaces]
            StoreFile.objects.filter(path__in=replaced).update(is_current=False)
            StoreFile.objects.bulk_create(
                StoreFile(
                    table=file_format.table,
                    month=f.month,
                    path=f.path,
                    rows=f.rows,
                    written_by=run,
                )
                for f in applied.files
            )
            run.status = ImportStatus.IMPORTED
            run.rows = rows
            run.new, run.updated, run.unchanged = applied.new, applied.updated, applied.unchanged
            run.rejected = len({e.line for e in set_aside})
            run.months = sorted(set(frame["month"].dropna()))
            run.notes = parsed.notes
            run.errors = [e.as_dict() for e in set_aside[:MAX_ERRORS]]
            run.error_count = len(set_aside)
            run.stage, run.done, run.total = "done", rows, rows
            run.finished_at = timezone.now()
            if set_aside:
                run.message = (
                    f"{run.rejected:,} rows with problems were set aside, as the partnership "
                    "has chosen; they are listed below"
                )
            run.save()
            _audit(run, actor, "insight.imported")
            transaction.on_commit(lambda: store.remove(root, replaced))
    except BaseException:
        # Nothing of this import is current: its files are no one's, so remove them now.
        store.remove(root, written)
        raise
    return run


def _fail_stale(table: str) -> None:
    """Imports of this table that stopped without a word (their process was killed) are marked
    as stopped: nothing of them was saved, and the stray files they left are swept next."""
    cutoff = timezone.now() - dt.timedelta(seconds=STALE_AFTER)
    SourceImport.objects.filter(
        table=table, status=ImportStatus.RUNNING, heartbeat_at__lt=cutoff
    ).update(
        status=ImportStatus.FAILED,
        finished_at=timezone.now(),
        message="It stopped before it finished; nothing from it was saved",
    )


def _upload_path(run: SourceImport) -> Path:
    incoming = store_root() / store.STAGING
    incoming.mkdir(parents=True, exist_ok=True)
    return incoming / f"{run.pk.hex}.upload"


def import_start(*, actor: Staff, format_code: str, content: bytes, file_name: str) -> SourceImport:
    """The page's import: keep the upload, queue the import, run it once the request commits."""
    policy.require_capability(actor, policy.Action.INSIGHT_IMPORT)
    file_format = engine.FORMATS[format_code]
    run = SourceImport.objects.create(
        format=format_code,
        table=file_format.table,
        file_name=file_name[:255],
        file_hash=store.file_hash(content),
        file_size=len(content),
        quarantine=settings.HARBOUR_INSIGHT_QUARANTINE_ROWS,
        started_by=actor,
    )
    _upload_path(run).write_bytes(content)
    run_id = run.pk
    transaction.on_commit(lambda: _dispatch(run_id))
    return run


def _dispatch(run_id: uuid.UUID) -> None:
    if settings.HARBOUR_INSIGHT_RUNNER == "inline":
        import_run(run_id)
    else:
        threading.Thread(target=import_run, args=(run_id,), daemon=True).start()


def import_run(run_id: uuid.UUID) -> None:
    """Run a queued import: in a thread of its own (with its own database connection, closed
    when it ends), or inline."""
    in_thread = threading.current_thread() is not threading.main_thread()
    try:
        run = SourceImport.objects.select_related("started_by").get(pk=run_id)
        path = _upload_path(run)
        try:
            import_file(
                actor=run.started_by,
                format_code=run.format,
                content=path.read_bytes(),
                file_name=run.file_name,
                quarantine=run.quarantine,
                run=run,
            )
        except Exception as error:
            logger.exception("insight import %s failed", run_id)
            SourceImport.objects.filter(pk=run_id).update(
                status=ImportStatus.FAILED,
                finished_at=timezone.now(),
                message=f"It stopped before it finished ({type(error).__name__}); "
                "nothing from it was saved",
            )
        finally:
            path.unlink(missing_ok=True)
    finally:
        if in_thread and settings.HARBOUR_INSIGHT_RUNNER == "thread":
            close_old_connections()


def store_exported(*, actor: Staff, what: str, rows: int) -> None:
    """An export from the store (a table as CSV) is audited with its recipient and purpose."""
    policy.require_capability(actor, policy.Action.INSIGHT_VIEW)
    audit_record(
        actor=actor,
        event="insight.exported",
        purpose=policy.INSIGHT_PURPOSE,
        detail={"what": what, "rows": rows, "recipient": actor.get_username()},
    )
