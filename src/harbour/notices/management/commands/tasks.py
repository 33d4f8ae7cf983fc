"""``harbour tasks recover``: put back in the queue the tasks a worker died running (ADR 0037).
Run it just before the one worker starts (``make demo`` does; a systemd unit's
``ExecStartPre``), or with ``--older-than`` from cron where several workers share the queue."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from django_typer.management import TyperCommand, command

from harbour.notices import recovery


class Command(TyperCommand):
    help = "The background task runner's queue."

    @command()
    def recover(
        self,
        older_than: Annotated[
            int | None,
            typer.Option(
                min=1,
                help="Only tasks claimed more than this many minutes ago (several workers); "
                "without it, every running task (run it while no worker runs).",
            ),
        ] = None,
    ) -> None:
        """Queue again the tasks left running by a worker that died, and the events imports
        they were running."""
        done = recovery.recover(
            older_than=None if older_than is None else dt.timedelta(minutes=older_than)
        )
        self.stdout.write(
            f"Queued again: {done.tasks} task{'' if done.tasks == 1 else 's'}, "
            f"{done.event_imports} events import{'' if done.event_imports == 1 else 's'}."
        )

    @command()
    def status(self) -> None:
        """How many tasks are waiting, running, done and failed, and since when the oldest
        running one has run (a worker that died shows here)."""
        for line in recovery.queue_status():
            self.stdout.write(line)
