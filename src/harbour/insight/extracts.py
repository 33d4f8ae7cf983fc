"""Harbour's own operational data into the store as pseudonymised extracts (issue 13, part 1;
ADR 0039): ``harbour insight extract``, from a timer (``deploy/harbour-insight-extract.timer``)
and by ``make demo``.

``run_extract`` is a system job, no person behind it (``policy.EXTRACT_SYSTEM_ACTOR``):

1. the key is read from outside the store (``pseudonym_key``);
2. referrals received, standing decisions, plans, cumulative-harm flags and agencies' events
   are read through the policy (``policy.records_for_extract``) as the few coded fields each
   extract declares, and each child becomes a keyed hash (``engine/extracts.py``);
3. under every extract table's lock, in one transaction: stray files of a run that stopped are
   swept, each month whose rows changed gets a new file, months no longer held are retired, the
   catalogue makes the new files current, and the run is audited (counts only); replaced files
   are deleted after the commit. A run killed part-way leaves files no one reads (swept by the
   next), so nothing partial is ever seen; a run with nothing changed writes nothing."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.access.models import RelationshipKind, WorkingRelationship
from harbour.children.models import Plan
from harbour.frontdoor.models import DecisionState, Referral, ReferralDecision
from harbour.identity.models import AgencyEvent, HarmFlag
from harbour.insight.engine import extracts, store
from harbour.insight.engine.extracts import ExtractRefused
from harbour.insight.models import ImportStatus, SourceImport, StoreFile, StoreTable
from harbour.insight.services import _fail_stale, current_files, store_root

SYSTEM_ACTOR = policy.EXTRACT_SYSTEM_ACTOR
EXTRACT_FORMAT = extracts.EXTRACT_FORMAT
EXTRACT_LABEL = extracts.EXTRACT_LABEL
__all__ = ["EXTRACT_FORMAT", "ExtractRefused", "latest_extract", "pseudonym_key", "run_extract"]


def pseudonym_key() -> bytes:
    """The extracts' key: ``HARBOUR_PSEUDONYM_KEY`` from the environment, else the file
    ``HARBOUR_PSEUDONYM_KEY_FILE`` (made, random, the first time on a synthetic local run only).
    Refused when there is none, when it is short, or when the file is inside the store."""
    if settings.HARBOUR_PSEUDONYM_KEY:
        key = settings.HARBOUR_PSEUDONYM_KEY.encode()
    else:
        if not settings.HARBOUR_PSEUDONYM_KEY_FILE:
            raise ExtractRefused(
                "No pseudonymisation key: set HARBOUR_PSEUDONYM_KEY or HARBOUR_PSEUDONYM_KEY_FILE "
                "(see docs/adr/0039); nothing was extracted"
            )
        path = Path(settings.HARBOUR_PSEUDONYM_KEY_FILE).resolve()
        if path.is_relative_to(Path(settings.HARBOUR_INSIGHT_STORE).resolve()):
            raise ExtractRefused(
                "The pseudonymisation key file must be outside the store "
                f"({settings.HARBOUR_INSIGHT_STORE}); nothing was extracted"
            )
        if not path.exists():
            if not settings.HARBOUR_SYNTHETIC_DATA:
                raise ExtractRefused(
                    f"The pseudonymisation key file {path} does not exist; nothing was extracted"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_text(secrets.token_hex(32) + "\n")
            temporary.chmod(0o600)
            temporary.replace(path)
        key = path.read_bytes().strip()
    if len(key) < extracts.MIN_KEY_BYTES:
        raise ExtractRefused(
            f"The pseudonymisation key must be at least {extracts.MIN_KEY_BYTES} characters; "
            "nothing was extracted"
        )
    return key


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def _sex(*values: str | None) -> str | None:
    for value in values:
        if value in ("F", "M"):
            return value
    return None


class _Subject:
    """Each child as one pseudonym wherever it appears: the Harbour child where known, else the
    person index's person, else the agency's record or the referral itself."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.made: dict[tuple[str, object], str] = {}

    def __call__(self, *candidates: tuple[str, object]) -> str:
        kind, value = next((c for c in candidates if c[1] is not None), candidates[-1])
        found = self.made.get((kind, value))
        if found is None:
            found = self.made[(kind, value)] = extracts.pseudonym(self.key, kind, value)
        return found


def _referrals(subject: _Subject) -> Iterator[dict[str, Any]]:
    found = policy.records_for_extract(
        SYSTEM_ACTOR, Referral.objects.filter(received_at__isnull=False)
    ).values_list(
        "pk",
        "child_id",
        "child_date_of_birth",
        "child__date_of_birth",
        "child_sex",
        "child__sex",
        "ethnicity",
        "child__ethnicity",
        "child__lsoa21cd",
        "received_at",
        "rag",
        "referring_agency__agency_type",
        "source",
    )
    for (
        pk,
        child,
        born,
        child_born,
        sex,
        child_sex,
        ethnicity,
        child_eth,
        lsoa,
        at,
        rag,
        kind,
        how,
    ) in found.iterator():
        on = _day(at)
        assert on is not None
        yield {
            "row_id": f"referral:{pk}",
            "month": extracts.month_of(on),
            "pseudonym": subject(("child", child), ("referral", pk)),
            "age": extracts.age_in_years(born or child_born, on),
            "sex": _sex(sex, child_sex),
            "ethnic_group": extracts.five_group(ethnicity or child_eth),
            "lsoa21cd": lsoa or None,
            "rag": rag or None,
            "referring_agency_kind": kind or None,
            "source": how or None,
        }


def _decisions(subject: _Subject) -> Iterator[dict[str, Any]]:
    found = policy.records_for_extract(
        SYSTEM_ACTOR,
        ReferralDecision.objects.filter(
            state=DecisionState.COUNTERSIGNED, referral__received_at__isnull=False
        ),
    ).values_list(
        "pk",
        "referral_id",
        "referral__child_id",
        "referral__child_date_of_birth",
        "referral__child__date_of_birth",
        "referral__child_sex",
        "referral__child__sex",
        "referral__ethnicity",
        "referral__child__ethnicity",
        "referral__child__lsoa21cd",
        "decided_at",
        "outcome",
    )
    for (
        pk,
        referral,
        child,
        born,
        child_born,
        sex,
        child_sex,
        eth,
        child_eth,
        lsoa,
        at,
        outcome,
    ) in found.iterator():
        on = _day(at)
        assert on is not None
        yield {
            "row_id": f"decision:{pk}",
            "month": extracts.month_of(on),
            "pseudonym": subject(("child", child), ("referral", referral)),
            "age": extracts.age_in_years(born or child_born, on),
            "sex": _sex(sex, child_sex),
            "ethnic_group": extracts.five_group(eth or child_eth),
            "lsoa21cd": lsoa or None,
            "outcome": outcome,
        }


def _plans(subject: _Subject) -> Iterator[dict[str, Any]]:
    found = policy.records_for_extract(SYSTEM_ACTOR, Plan.objects.all()).values_list(
        "pk",
        "child_id",
        "child__date_of_birth",
        "child__sex",
        "child__ethnicity",
        "child__lsoa21cd",
        "started_on",
        "plan_type",
        "closed_on",
    )
    for pk, child, born, sex, ethnicity, lsoa, started, plan_type, closed in found.iterator():
        yield {
            "row_id": f"plan:{pk}",
            "month": extracts.month_of(started),
            "pseudonym": subject(("child", child)),
            "age": extracts.age_in_years(born, started),
            "sex": _sex(sex),
            "ethnic_group": extracts.five_group(ethnicity),
            "lsoa21cd": lsoa or None,
            "plan_type": plan_type,
            "closed": closed is not None,
        }


def _panels(subject: _Subject) -> Iterator[dict[str, Any]]:
    """A child brought to a panel: the day the panel's members first hold the child (one row a
    child and day, however many members)."""
    found = (
        policy.records_for_extract(
            SYSTEM_ACTOR,
            WorkingRelationship.objects.filter(kind=RelationshipKind.PANEL_MEMBERSHIP),
        )
        .values_list(
            "child_id",
            "child__date_of_birth",
            "child__sex",
            "child__ethnicity",
            "child__lsoa21cd",
            "started_on",
        )
        .order_by("child_id", "started_on")
        .distinct()
    )
    for child, born, sex, ethnicity, lsoa, started in found.iterator():
        yield {
            "row_id": f"panel:{child}:{started.isoformat()}",
            "month": extracts.month_of(started),
            "pseudonym": subject(("child", child)),
            "age": extracts.age_in_years(born, started),
            "sex": _sex(sex),
            "ethnic_group": extracts.five_group(ethnicity),
            "lsoa21cd": lsoa or None,
        }


def _flags(subject: _Subject) -> Iterator[dict[str, Any]]:
    found = policy.records_for_extract(SYSTEM_ACTOR, HarmFlag.objects.all()).values_list(
        "pk",
        "child_id",
        "person__child_id",
        "person_id",
        "child__date_of_birth",
        "person__child__date_of_birth",
        "anchor__source_record__date_of_birth",
        "child__sex",
        "person__child__sex",
        "anchor__source_record__sex",
        "child__ethnicity",
        "person__child__ethnicity",
        "anchor__lsoa21",
        "child__lsoa21cd",
        "raised_at",
        "rule__code",
    )
    for (
        pk,
        child,
        person_child,
        person,
        born,
        person_born,
        record_born,
        sex,
        person_sex,
        record_sex,
        ethnicity,
        person_eth,
        lsoa,
        child_lsoa,
        at,
        rule,
    ) in found.iterator():
        on = _day(at)
        assert on is not None
        yield {
            "row_id": f"flag:{pk}",
            "month": extracts.month_of(on),
            "pseudonym": subject(("child", child or person_child), ("person", person)),
            "age": extracts.age_in_years(born or person_born or record_born, on),
            "sex": _sex(sex, person_sex, record_sex),
            "ethnic_group": extracts.five_group(ethnicity or person_eth),
            "lsoa21cd": lsoa or child_lsoa or None,
            "rule": rule,
        }


def _events(subject: _Subject) -> Iterator[dict[str, Any]]:
    link = "source_record__person_link__person"
    found = policy.records_for_extract(SYSTEM_ACTOR, AgencyEvent.objects.all()).values_list(
        "pk",
        f"{link}__child_id",
        f"{link}_id",
        "source_record_id",
        f"{link}__child__date_of_birth",
        "source_record__date_of_birth",
        f"{link}__child__sex",
        "source_record__sex",
        f"{link}__child__ethnicity",
        "lsoa21",
        "occurred_on",
        "kind",
        "category",
        "role",
        "severity",
        "weapon",
        "agency__agency_type",
    )
    for (
        pk,
        child,
        person,
        record,
        child_born,
        born,
        child_sex,
        sex,
        ethnicity,
        lsoa,
        on,
        kind,
        category,
        role,
        severity,
        weapon,
        agency_kind,
    ) in found.iterator():
        yield {
            "row_id": f"event:{pk}",
            "month": extracts.month_of(on),
            "pseudonym": subject(("child", child), ("person", person), ("record", record)),
            "age": extracts.age_in_years(child_born or born, on),
            "sex": _sex(child_sex, sex),
            "ethnic_group": extracts.five_group(ethnicity),
            "lsoa21cd": lsoa or None,
            "kind": kind,
            "category": category or None,
            "role": role or None,
            "severity": severity,
            "weapon": bool(weapon),
            "agency_kind": agency_kind or None,
        }


READERS: dict[str, Callable[[_Subject], Iterator[dict[str, Any]]]] = {
    "harbour_referrals": _referrals,
    "harbour_decisions": _decisions,
    "harbour_plans": _plans,
    "harbour_panels": _panels,
    "harbour_flags": _flags,
    "harbour_events": _events,
}


def run_extract(*, progress: Callable[[str, int, int], None] | None = None) -> SourceImport:
    """Refresh every extract (see the module docstring); returns the run's catalogue entry, with
    its counts by table in ``notes``. ``ExtractRefused`` when there is no usable key."""
    key = pseudonym_key()
    started = timezone.now()
    subject = _Subject(key)
    frames: dict[str, pd.DataFrame] = {}
    for number, (table, reader) in enumerate(READERS.items()):
        if progress:
            progress("reading", number, len(READERS))
        frames[table] = extracts.build(table, reader(subject), key=key)
    if progress:
        progress("reading", len(READERS), len(READERS))
    run = SourceImport.objects.create(
        format=EXTRACT_FORMAT,
        table="harbour",
        file_name=EXTRACT_LABEL,
        file_hash="",
        system_actor=SYSTEM_ACTOR,
        status=ImportStatus.RUNNING,
        started_at=started,  # reading included
        heartbeat_at=timezone.now(),
    )
    root = store_root()
    written: list[str] = []
    notes: dict[str, int] = {}
    try:
        with transaction.atomic():
            replaced: list[str] = []
            months: set[str] = set()
            totals = {"new": 0, "updated": 0, "unchanged": 0}
            _fail_stale(run.table)
            for number, (table, frame) in enumerate(frames.items()):
                if progress:
                    progress("writing", number, len(frames))
                StoreTable.objects.get_or_create(name=table)
                StoreTable.objects.select_for_update().get(name=table)
                store.sweep(root, table, keep=_current_paths(table))
                current = current_files(table).get(table, {})
                applied = store.replace(
                    root, table, frame, current=current, import_id=run.pk.hex, written=written
                )
                gone = [p for f in applied.files for p in f.replaces] + applied.retired
                StoreFile.objects.filter(path__in=gone).update(is_current=False)
                StoreFile.objects.bulk_create(
                    StoreFile(table=table, month=f.month, path=f.path, rows=f.rows, written_by=run)
                    for f in applied.files
                )
                replaced.extend(gone)
                months.update(frame["month"].dropna())
                notes[table] = len(frame)
                notes[f"{table}_months_written"] = len(applied.files)
                notes[f"{table}_months_retired"] = len({_month(p) for p in applied.retired})
                totals["new"] += applied.new
                totals["updated"] += applied.updated
                totals["unchanged"] += applied.unchanged
            if progress:
                progress("writing", len(frames), len(frames))
            run.status = ImportStatus.IMPORTED
            run.rows = sum(len(f) for f in frames.values())
            run.new, run.updated, run.unchanged = (
                totals["new"],
                totals["updated"],
                totals["unchanged"],
            )
            run.months = sorted(months)
            run.notes = notes
            run.stage, run.done, run.total = "done", run.rows, run.rows
            run.finished_at = timezone.now()
            run.save()
            audit_record(
                actor=None,
                system_actor=SYSTEM_ACTOR,
                event="insight.extracted",
                subject=run,
                purpose=policy.INSIGHT_PURPOSE,
                detail={"rows": run.rows, **totals, **notes},
            )
            transaction.on_commit(lambda: store.remove(root, replaced))
    except BaseException:
        store.remove(root, written)
        SourceImport.objects.filter(pk=run.pk).update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            message="It stopped before it finished; nothing from it was saved",
        )
        raise
    return run


def _current_paths(table: str) -> set[str]:
    return {p for paths in current_files(table).get(table, {}).values() for p in paths}


def _month(path: str) -> str:
    return path.split("month=", 1)[1][:7]


def latest_extract() -> SourceImport | None:
    """The last extract that finished, or none before the first."""
    return (
        SourceImport.objects.filter(format=EXTRACT_FORMAT, status=ImportStatus.IMPORTED)
        .order_by("-finished_at")
        .first()
    )
