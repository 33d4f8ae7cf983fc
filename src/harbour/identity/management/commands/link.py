"""``harbour link train`` and ``harbour link run``: record linkage of every agency's person
records into the person index (ADR 0014)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Annotated, cast

import typer
from django_typer.management import TyperCommand, command
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from harbour.identity import linking

TRAIN_STAGES = 4
RUN_STAGES = 6


class Command(TyperCommand):
    help = "Link every agency's person records into people with stable ids."

    @contextmanager
    def _progress(self, total: int) -> Iterator[Callable[[str], None]]:
        # Django's OutputWrapper adds a newline to every write; rich draws on the stream itself.
        stream = cast("IO[str]", getattr(self.stdout, "_out", sys.stdout))
        console = Console(file=stream, force_terminal=False)
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as bar:
            task = bar.add_task("Starting", total=total)
            started = [False]

            def stage(description: str) -> None:
                if started[0]:
                    bar.advance(task)
                started[0] = True
                bar.update(task, description=description)

            yield stage
            bar.update(task, completed=total, description="Done")

    @command()
    def train(
        self,
        seed: Annotated[
            int, typer.Option(help="The same records and seed give the same model")
        ] = 2026,
    ) -> None:
        """Train a new model version on the current source records and make it current."""
        started = time.perf_counter()
        try:
            with self._progress(TRAIN_STAGES) as stage:
                stored = linking.link_train(seed=seed, progress=stage)
        except linking.LinkageError as exc:
            self.stderr.write(str(exc))
            raise typer.Exit(code=1) from exc
        self.stdout.write(
            f"Linkage model v{stored.version} trained on {stored.record_count:,} records "
            f"(seed {seed}, SHA-256 {stored.sha256[:12]}…) in "
            f"{time.perf_counter() - started:.1f} s; it is now current."
        )

    @command()
    def run(
        self,
        engine: Annotated[
            str, typer.Option(help="duckdb (in process) or spark (local, or a cluster)")
        ] = "duckdb",
        incremental: Annotated[
            bool,
            typer.Option(
                "--incremental",
                help="Link only records not yet in the index, against the people already found",
            ),
        ] = False,
    ) -> None:
        """Link the source records with the current model and update the person index."""
        started = time.perf_counter()
        try:
            with self._progress(RUN_STAGES) as stage:
                run = linking.link_run(engine=engine, incremental=incremental, progress=stage)
        except linking.LinkageError as exc:
            self.stderr.write(str(exc))
            raise typer.Exit(code=1) from exc
        self.stdout.write(
            f"Linkage run {run.pk} ({'incremental' if run.incremental else 'full'}, "
            f"{run.engine}, model v{run.model.version}) in {time.perf_counter() - started:.1f} s:"
        )
        for label, value in (
            ("records", run.records),
            ("people created", run.persons_created),
            ("records linked", run.records_linked),
            ("merges", run.merges),
            ("splits", run.splits),
            ("held for review", run.held),
            ("new review pairs", run.review_pairs),
            ("NHS number conflicts", run.nhs_conflicts),
        ):
            self.stdout.write(f"  {label:<22} {value:>9,}")
