"""Tasks a worker died running (ADR 0037). The database task runner (ADR 0028) marks a task
``RUNNING`` when a worker claims it and ``SUCCESSFUL`` or ``FAILED`` when it ends; a worker that
is killed in between (the machine restarted, the process ran out of memory) leaves it
``RUNNING`` for ever, and an events import started from the page shows "Importing" for ever.

``recover`` puts such tasks back in the queue. Every task Harbour enqueues may run twice
(``react_to_arrival`` makes each notice once per event and recipient; an events import saves
nothing twice), so running one again is safe. Which tasks are stale: all ``RUNNING`` ones when no
worker is running (``harbour tasks recover`` before the one worker starts), or those claimed
longer ago than a cut-off when several workers share the queue."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from harbour.identity.models import EventImport, EventImportStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recovered:
    tasks: int
    event_imports: int


def recover(*, older_than: dt.timedelta | None = None) -> Recovered:
    """Put back in the queue every task left running (claimed before ``now - older_than`` when
    given), and the events imports such a task was running."""
    now = timezone.now()
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING
        )
        imports = EventImport.objects.select_for_update(skip_locked=True).filter(
            status=EventImportStatus.RUNNING
        )
        if older_than is not None:
            running = running.filter(started_at__lt=now - older_than)
            imports = imports.filter(started_at__lt=now - older_than)
        stale = list(running.values_list("pk", "task_path"))
        for pk, task_path in stale:
            logger.warning("Task %s (%s) was left running by a worker: queued again", pk, task_path)
        tasks = DBTaskResult.objects.filter(pk__in=[pk for pk, _path in stale]).update(
            status=TaskResultStatus.READY, started_at=None
        )
        event_imports = EventImport.objects.filter(
            pk__in=list(imports.values_list("pk", flat=True))
        ).update(status=EventImportStatus.QUEUED, started_at=None, stage="", done=0, total=0)
    return Recovered(tasks=tasks, event_imports=event_imports)


def queue_status() -> list[str]:
    """The queue in a few lines: counts by status, and the oldest task still running."""
    by_status = DBTaskResult.objects.values("status").annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in by_status}
    lines = [f"{status.label}: {counts.get(status.value, 0)}" for status in TaskResultStatus]
    oldest = (
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        .order_by("started_at")
        .values_list("started_at", "task_path")
        .first()
    )
    if oldest is not None:
        started, task_path = oldest
        lines.append(f"Oldest running: {task_path}, started {started:%Y-%m-%d %H:%M:%S %Z}")
    return lines
