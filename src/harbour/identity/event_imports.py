"""An events or needs file imported from the administrators' page, run in the background (the
task runner of ADR 0028) so that a large file shows its progress instead of holding the page:
``event_import_start`` keeps the file and enqueues the run after the commit;
``event_import_run`` (the task) imports it through ``event_files.import_events_file``, the same
service as ``harbour events import``, writing how far it has got as it goes."""

from __future__ import annotations

import hashlib
import logging
import uuid

from django.db import transaction
from django.utils import timezone

from harbour.identity.event_files import MAX_ERRORS, import_events_file
from harbour.identity.models import EventImport, EventImportStatus
from harbour.partnership.models import Agency, Staff
from harbour.tabular import ImportRejected

logger = logging.getLogger(__name__)


def event_import_start(
    *, actor: Staff, agency: Agency, format_name: str, content: bytes, file_name: str
) -> EventImport:
    """Keep the file and run it in the background once this transaction commits."""
    from harbour.identity.tasks import run_event_import

    run = EventImport.objects.create(
        agency=agency,
        format=format_name,
        file_name=file_name[:255],
        file_size=len(content),
        file_hash=hashlib.sha256(content).hexdigest(),
        content=content,
        started_by=actor,
    )
    transaction.on_commit(lambda: run_event_import.enqueue(import_id=str(run.pk)))
    return run


def event_import_run(import_id: uuid.UUID | str) -> str:
    """Run a queued import (a second run of the same one does nothing); returns its status."""
    with transaction.atomic():
        run = (
            EventImport.objects.select_for_update()
            .select_related("agency", "started_by")
            .filter(pk=import_id)
            .first()
        )
        if run is None or run.status != EventImportStatus.QUEUED:
            return run.status if run is not None else "missing"
        run.status, run.started_at = EventImportStatus.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])

    def progress(stage: str, done: int, total: int) -> None:
        EventImport.objects.filter(pk=run.pk).update(stage=stage, done=done, total=total)

    finished: dict[str, object] = {"content": b"", "finished_at": None}
    try:
        summary = import_events_file(
            agency=run.agency,
            format_name=run.format,
            content=bytes(run.content),
            actor=run.started_by,
            progress=progress,
        )
    except ImportRejected as rejected:
        finished |= {
            "status": EventImportStatus.REJECTED,
            "message": str(rejected),
            "errors": [
                {"line": e.line, "column": e.column, "detail": e.detail, "value": e.value}
                for e in rejected.errors[:MAX_ERRORS]
            ],
            "error_count": rejected.error_count,
        }
    except Exception:
        logger.exception("Events import %s stopped", run.pk)
        finished |= {
            "status": EventImportStatus.FAILED,
            "message": "The import stopped before it finished. What it had saved is kept; "
            "importing the same file again adds the rest and nothing twice.",
        }
    else:
        finished |= {"status": EventImportStatus.IMPORTED, "summary": summary.as_dict()}
    finished["finished_at"] = timezone.now()
    EventImport.objects.filter(pk=run.pk).update(**finished)
    return str(finished["status"])
