"""Tasks a worker died running (ADR 0037): ``harbour tasks recover`` queues them again, with
the events import such a task was running, and the next worker finishes them once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from harbour.identity import matching
from harbour.identity.event_imports import event_import_start
from harbour.identity.models import AgencyEvent, EventImport, EventImportStatus
from harbour.partnership.models import AgencyType, Role
from harbour.testing import make_agency, make_staff

FIXTURE = Path(__file__).parents[2] / "identity" / "tests" / "fixtures" / "ed-attendance.csv"


def worker_died_running(run: EventImport, *, minutes_ago: int) -> DBTaskResult:
    """What a worker leaves when it is killed mid-import: the task claimed, the import running."""
    (task,) = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    task.claim("worker-that-died")
    started = timezone.now() - dt.timedelta(minutes=minutes_ago)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=started)
    EventImport.objects.filter(pk=run.pk).update(
        status=EventImportStatus.RUNNING, started_at=started, stage="matching", done=1, total=3
    )
    return task


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    matching.forget()
    agency = make_agency("riverside-ed", AgencyType.NHS_TRUST)
    admin = make_staff(agency, Role.ADMINISTRATOR)

    def start() -> EventImport:
        with django_capture_on_commit_callbacks(execute=True):
            return event_import_start(
                actor=admin,
                agency=agency,
                format_name="ed-attendance",
                content=FIXTURE.read_bytes(),
                file_name="ed.csv",
            )

    yield start
    matching.forget()


@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_is_queued_again_and_finished_once(start, capsys):
    run = start()
    task = worker_died_running(run, minutes_ago=2)
    # The worker is gone: nothing runs it, and the page would say "Importing" for ever.
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING and not AgencyEvent.objects.exists()

    call_command("tasks", "status")
    shown = capsys.readouterr().out
    assert "Running: 1" in shown
    assert "Oldest running: harbour.identity.tasks.run_event_import" in shown
    call_command("tasks", "recover")
    task.refresh_from_db()
    run.refresh_from_db()
    assert task.status == TaskResultStatus.READY and task.started_at is None
    assert (run.status, run.stage, run.done) == (EventImportStatus.QUEUED, "", 0)

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    task.refresh_from_db()
    run.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.worker_ids[0] == "worker-that-died" and len(task.worker_ids) == 2
    assert run.status == EventImportStatus.IMPORTED and run.summary["new"] == 3
    assert AgencyEvent.objects.count() == 3
    # Recovering again finds nothing to do.
    call_command("tasks", "recover")
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db(transaction=True)
def test_with_a_cut_off_a_task_another_worker_is_running_is_left_alone(start, capsys):
    recent = start()
    worker_died_running(recent, minutes_ago=2)
    call_command("tasks", "recover", "--older-than", "30")
    assert "Queued again: 0 tasks, 0 events imports." in capsys.readouterr().out
    recent.refresh_from_db()
    assert recent.status == EventImportStatus.RUNNING
    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING

    DBTaskResult.objects.update(started_at=timezone.now() - dt.timedelta(minutes=45))
    EventImport.objects.update(started_at=timezone.now() - dt.timedelta(minutes=45))
    call_command("tasks", "recover", "--older-than", "30")
    assert "Queued again: 1 task, 1 events import." in capsys.readouterr().out
    recent.refresh_from_db()
    assert recent.status == EventImportStatus.QUEUED
