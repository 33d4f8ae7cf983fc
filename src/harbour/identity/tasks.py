"""The identity app's background tasks (the runner of ADR 0028, run by ``harbour db_worker``)."""

from __future__ import annotations

from django_tasks import task

from harbour.identity import event_imports


@task()
def run_event_import(*, import_id: str) -> str:
    """An events or needs file from the administrators' page (``event_imports``)."""
    return event_imports.event_import_run(import_id)
