"""Agencies' events and needs arriving, by any channel (issue 11, ADR 0021): one set of rules and
one service behind the API (``POST /api/events``, ``POST /api/needs``), the bulk files
(``identity.event_files``) and the administrator's upload page.

``check_event`` and ``check_need`` are the rules (no dates in the future, times that exist on
the clock in the partnership's time zone, points inside the partnership's area, known codes,
usable person details); ``receive`` saves what passed them in one transaction, keyed so that
sending the same thing again changes nothing:

* the agency's record of the person (``SourceRecord``, keyed on agency, source system and
  source id, the fields of ``docs/identity-import.md``);
* the event (``AgencyEvent``, keyed on agency, the agency's reference and the record of the
  person: the same key again updates the event, never duplicates it) and the people it names;
* a need (``SourceNeed``, keyed on the record and the kind of need).

``link_arrivals`` then matches each new or changed record of a person against the person index
(the real-time matcher), after the records are committed: above the linkage threshold the
record joins the person, in the uncertain band (or when the NHS numbers differ) the pair waits
for a reviewer, and a record with unusable details is held, as the batch run would. A record
already in a person stays there (the nightly run re-links everything). Each step is audited."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from harbour.access.audit import audit_record
from harbour.access.inserts import insert_many
from harbour.identity import matching
from harbour.identity.linkage import arrival as arrival_rule
from harbour.identity.linkage import model as linkage_model
from harbour.identity.linking import REVIEW_THRESHOLD, THRESHOLD, current_model
from harbour.identity.models import (
    HARBOUR_SOURCE_SYSTEM,
    AgencyEvent,
    AssaultLocationType,
    AssaultMethod,
    ChangeKind,
    EventCategory,
    EventKind,
    EventParticipant,
    EventRole,
    ExclusionReason,
    HeldRecord,
    LinkageModel,
    LinkMethod,
    Person,
    PersonChange,
    PersonRecord,
    ReviewPair,
    Severity,
    SourceNeed,
    SourceNeedKind,
    SourceRecord,
)
from harbour.identity.people import person_kept
from harbour.identity.signals import events_arrived
from harbour.identity.sources import (
    engine_record,
    source_frame,
    source_records,
    upsert_source_records,
)
from harbour.identity.wording import event_wording_check
from harbour.partnership.models import Agency, Staff

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "identity-intake"
SEXES = ("M", "F", "U")
PERSON_ID = re.compile(r"^P-?([0-9]{1,9})$")
LSOA21 = re.compile(r"^[EW]01[0-9]{6}$")
NHS_NUMBER = re.compile(r"^[0-9]{10}$")
SCHOOL_URN = re.compile(r"^[0-9]{6}$")
UPN = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")
# A full postcode, or a postcode sector ("RV1 2"): where an agency records only the sector.
SECTOR = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9]$")
EXCLUSION_KIND_VALUES = (EventKind.SUSPENSION, EventKind.PERMANENT_EXCLUSION)
# An emergency department attendance of these categories followed an assault: ISTV's items are
# required for it. An attendance after a fall or for self-harm has none to give.
ASSAULT_CATEGORIES = frozenset(
    {
        EventCategory.ASSAULT,
        EventCategory.VIOLENCE_WITH_INJURY,
        EventCategory.ROBBERY,
        EventCategory.WEAPON,
        EventCategory.SEXUAL_OFFENCE,
    }
)


# What arrives ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonIn:
    """The agency's own record of a person: the fields of ``docs/identity-import.md``."""

    source_system: str
    source_id: str
    given_name: str = ""
    family_name: str = ""
    date_of_birth: dt.date | None = None
    sex: str = ""
    postcode: str = ""
    address: str = ""
    nhs_number: str = ""
    school_urn: str = ""
    upn: str = ""
    as_of: dt.date | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.source_system, self.source_id)


@dataclass(frozen=True)
class ParticipantIn:
    """Someone else the event names: the agency's record of them, or a name and an age."""

    role: str
    person: PersonIn | None = None
    name: str = ""
    approximate_age: int | None = None
    is_adult: bool = False
    poses_risk: bool = False


@dataclass(frozen=True)
class EventIn:
    reference: str
    kind: str
    person: PersonIn
    role: str
    category: str
    summary: str
    occurred_on: dt.date | None = None
    occurred_at: dt.datetime | None = None
    recorded_at: dt.datetime | None = None
    severity: int = Severity.LOW
    weapon: bool = False
    means: str = ""
    location: str = ""
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    easting: float | None = None
    northing: float | None = None
    lsoa21: str = ""
    ed_arrival_at: dt.datetime | None = None
    ed_assault_at: dt.datetime | None = None
    ed_assault_method: str = ""
    ed_assault_method_other: str = ""
    ed_location_type: str = ""
    ed_location_description: str = ""
    exclusion_reason: str = ""
    participants: tuple[ParticipantIn, ...] = ()
    person_id: str = ""  # an existing person the agency names (P-000123), optional


@dataclass(frozen=True)
class NeedIn:
    person: PersonIn
    kind: str
    recorded_on: dt.date
    detail: str = ""
    person_id: str = ""


@dataclass(frozen=True)
class FieldError:
    """A rule broken: ``field`` names the field of ``EventIn``/``NeedIn`` (``person.nhs_number``
    for the person's), so each channel can say where (a JSON pointer, a file's column)."""

    field: str
    detail: str
    value: str | None = None


class Rejected(Exception):
    """What arrived broke the rules; nothing was saved."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.detail}" for e in errors))
        self.errors = list(errors)


# Parsing text, for every channel that sends text ------------------------------------------------


def local_zone() -> dt.tzinfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def parse_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` and nothing else, or ``ValueError``."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise ValueError(text)
    return dt.date.fromisoformat(text)


def parse_date_time(text: str) -> dt.datetime:
    """``YYYY-MM-DDTHH:MM[:SS]`` (a space for the T is fine), with an offset (``Z``,
    ``+01:00``) or without one (the partnership's local time, which must exist on the clock:
    ``2026-03-29T01:30`` in London does not); ``ValueError`` otherwise."""
    return _parse_date_time(text, settings.TIME_ZONE)


@functools.lru_cache(maxsize=65536)  # a file's cells are read twice, and times repeat
def _parse_date_time(text: str, _zone: str) -> dt.datetime:
    if not re.fullmatch(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:[0-9]{2})?",
        text,
    ):
        raise ValueError(text)
    value = dt.datetime.fromisoformat(text.replace(" ", "T").replace("Z", "+00:00"))
    return aware(value)


def aware(value: dt.datetime) -> dt.datetime:
    """A date-time with its offset; a naive one is local time, which must exist (not in the
    hour the clocks skip) — ``ValueError`` otherwise. An hour that happens twice is taken the
    first time, as the agency's system most likely recorded it."""
    if value.tzinfo is not None:
        return value
    zone = local_zone()
    local = value.replace(tzinfo=zone)
    round_trip = local.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != value:
        raise ValueError(f"{value:%Y-%m-%d %H:%M} does not exist in {settings.TIME_ZONE}")
    return local


def british_national_grid_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """(latitude, longitude) of an OSGB36 British National Grid point (EPSG:27700)."""
    return _bng_transformer().transform(easting, northing)[::-1]


_TRANSFORMER: Any = None


def _bng_transformer() -> Any:
    global _TRANSFORMER
    if _TRANSFORMER is None:
        from pyproj import Transformer

        _TRANSFORMER = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    return _TRANSFORMER


def normalise_person(person: PersonIn) -> PersonIn:
    """Tidy as the person-record import does: upper-case sex and UPN, NHS number without spaces
    or hyphens, postcode in its standard form."""
    postcode = person.postcode.strip()
    return replace(
        person,
        source_system=person.source_system.strip(),
        source_id=person.source_id.strip(),
        given_name=person.given_name.strip(),
        family_name=person.family_name.strip(),
        sex=person.sex.strip().upper(),
        upn=person.upn.strip().upper(),
        nhs_number="".join(person.nhs_number.replace("-", " ").split()),
        postcode=(linkage_model.normalise_postcode(postcode) or postcode) if postcode else "",
        address=person.address.strip(),
        school_urn=person.school_urn.strip(),
    )


# The rules ---------------------------------------------------------------------------------------


def _text(errors: list[FieldError], name: str, value: str, limit: int, *, required: bool) -> None:
    if required and not value.strip():
        errors.append(FieldError(name, "is required"))
    elif len(value) > limit:
        errors.append(FieldError(name, f"must be at most {limit} characters", value[:60]))
    elif "\x00" in value:
        errors.append(FieldError(name, "must not contain the NUL character"))


@functools.cache
def _known(choices: Any) -> frozenset[str]:
    return frozenset(choices.values)


def _code(errors: list[FieldError], name: str, value: str, choices: Any) -> None:
    if value and value not in _known(choices):
        errors.append(FieldError(name, "must be one of: " + ", ".join(choices.values), value[:60]))


def _not_future(errors: list[FieldError], name: str, value: Any, now: dt.datetime) -> None:
    if value is None:
        return
    if isinstance(value, dt.datetime):
        if value > now:
            errors.append(FieldError(name, "must not be in the future", value.isoformat()))
    elif value > timezone.localdate(now):
        errors.append(FieldError(name, "must not be in the future", value.isoformat()))


def check_person(person: PersonIn, *, prefix: str = "person.") -> list[FieldError]:
    errors: list[FieldError] = []
    now = timezone.now()
    _text(errors, prefix + "source_system", person.source_system, 60, required=True)
    _text(errors, prefix + "source_id", person.source_id, 64, required=True)
    if person.source_system == HARBOUR_SOURCE_SYSTEM:
        errors.append(
            FieldError(prefix + "source_system", f"'{HARBOUR_SOURCE_SYSTEM}' is Harbour's own")
        )
    _text(errors, prefix + "given_name", person.given_name, 100, required=False)
    _text(errors, prefix + "family_name", person.family_name, 100, required=False)
    _text(errors, prefix + "address", person.address, 300, required=False)
    if person.date_of_birth is not None and person.date_of_birth.year < 1900:
        errors.append(FieldError(prefix + "date_of_birth", "must be from 1900 on"))
    _not_future(errors, prefix + "date_of_birth", person.date_of_birth, now)
    _not_future(errors, prefix + "as_of", person.as_of, now)
    if person.sex and person.sex not in SEXES:
        errors.append(FieldError(prefix + "sex", "must be one of: M, F, U", person.sex[:10]))
    if person.postcode and linkage_model.normalise_postcode(person.postcode) != person.postcode:
        errors.append(
            FieldError(
                prefix + "postcode", "must be a UK postcode, like RV1 2AB", person.postcode[:20]
            )
        )
    if person.nhs_number and not NHS_NUMBER.match(person.nhs_number):
        errors.append(
            FieldError(
                prefix + "nhs_number",
                "must be 10 digits, like 485 777 3456",
                person.nhs_number[:20],
            )
        )
    if person.school_urn and not SCHOOL_URN.match(person.school_urn):
        errors.append(
            FieldError(prefix + "school_urn", "must be a 6-digit URN", person.school_urn[:20])
        )
    if person.upn and not UPN.match(person.upn):
        errors.append(
            FieldError(
                prefix + "upn", "must be a UPN: a letter and 12 more characters", person.upn[:20]
            )
        )
    return errors


def in_area(latitude: float, longitude: float) -> bool:
    west, south, east, north = settings.HARBOUR_AREA_BOUNDS
    return south <= latitude <= north and west <= longitude <= east


def check_event(event: EventIn) -> list[FieldError]:
    """Every rule an event must meet, on every channel; an empty list when it meets them."""
    errors = check_person(event.person)
    now = timezone.now()
    _text(errors, "reference", event.reference, 64, required=True)
    _text(errors, "summary", event.summary, 5000, required=True)
    _text(errors, "means", event.means, 100, required=False)
    _text(errors, "location", event.location, 300, required=False)
    _text(errors, "ed_assault_method_other", event.ed_assault_method_other, 100, required=False)
    _text(errors, "ed_location_description", event.ed_location_description, 300, required=False)
    _code(errors, "kind", event.kind, EventKind)
    _code(errors, "role", event.role, EventRole)
    _code(errors, "category", event.category, EventCategory)
    _code(errors, "ed_assault_method", event.ed_assault_method, AssaultMethod)
    _code(errors, "ed_location_type", event.ed_location_type, AssaultLocationType)
    _code(errors, "exclusion_reason", event.exclusion_reason, ExclusionReason)
    if event.severity not in _known(Severity):
        errors.append(FieldError("severity", "must be 1, 2, 3 or 4", str(event.severity)))
    if event.occurred_on is None and event.occurred_at is None and event.ed_arrival_at is None:
        errors.append(
            FieldError(
                "occurred_on", "give the date (occurred_on) or the date and time (occurred_at)"
            )
        )
    if (
        event.occurred_on is not None
        and event.occurred_at is not None
        and timezone.localdate(event.occurred_at) != event.occurred_on
    ):
        errors.append(FieldError("occurred_on", "is not the date of occurred_at"))
    for name in ("occurred_on", "occurred_at", "recorded_at", "ed_arrival_at", "ed_assault_at"):
        _not_future(errors, name, getattr(event, name), now)
    if event.occurred_at and event.recorded_at and event.recorded_at < event.occurred_at:
        errors.append(FieldError("recorded_at", "is before the event happened"))
    if event.ed_arrival_at and event.ed_assault_at and event.ed_arrival_at < event.ed_assault_at:
        errors.append(FieldError("ed_arrival_at", "is before the assault"))
    if event.kind == EventKind.ED_ATTENDANCE:
        for name in ("ed_assault_at", "ed_assault_method", "ed_location_type"):
            if not getattr(event, name) and event.category in ASSAULT_CATEGORIES:
                errors.append(
                    FieldError(
                        name,
                        "is required for an emergency department attendance after an assault "
                        "(ISTV)",
                    )
                )
        if event.ed_assault_method == AssaultMethod.OTHER and not event.ed_assault_method_other:
            errors.append(
                FieldError("ed_assault_method_other", "describe the method when it is 98 (other)")
            )
    elif any(
        getattr(event, n)
        for n in ("ed_arrival_at", "ed_assault_at", "ed_assault_method", "ed_location_type")
    ):
        errors.append(
            FieldError("kind", "the ISTV items are for an emergency department attendance")
        )
    if event.kind in EXCLUSION_KIND_VALUES and not event.exclusion_reason:
        errors.append(
            FieldError(
                "exclusion_reason",
                "is required for a suspension or permanent exclusion (a DfE reason code)",
            )
        )
    elif event.exclusion_reason and event.kind not in (*EXCLUSION_KIND_VALUES, EventKind.EXCLUSION):
        errors.append(FieldError("kind", "a reason for exclusion is for a suspension or exclusion"))
    postcode = event.postcode
    if (
        postcode
        and linkage_model.normalise_postcode(postcode) != postcode
        and not SECTOR.match(postcode)
    ):
        errors.append(
            FieldError(
                "postcode", "must be a UK postcode (RV1 2AB) or its sector (RV1 2)", postcode[:20]
            )
        )
    if event.lsoa21 and not LSOA21.match(event.lsoa21):
        errors.append(
            FieldError("lsoa21", "must be a 2021 LSOA code, like E01000001", event.lsoa21[:20])
        )
    errors.extend(_check_point(event))
    for n, participant in enumerate(event.participants):
        where = f"participants.{n}."
        _code(errors, where + "role", participant.role, EventRole)
        if participant.person is not None:
            errors.extend(check_person(participant.person, prefix=where + "person."))
        elif not participant.name.strip():
            errors.append(
                FieldError(where + "name", "name the person, or give the agency's record of them")
            )
        _text(errors, where + "name", participant.name, 200, required=False)
        if participant.approximate_age is not None and not 0 <= participant.approximate_age <= 120:
            errors.append(FieldError(where + "approximate_age", "must be between 0 and 120"))
    if event.person_id and not PERSON_ID.match(event.person_id):
        errors.append(
            FieldError(
                "person_id", "must be a person's number, like P-000123", event.person_id[:20]
            )
        )
    return errors


def _check_point(event: EventIn) -> list[FieldError]:
    errors: list[FieldError] = []
    wgs = (event.latitude, event.longitude)
    grid = (event.easting, event.northing)
    if (wgs[0] is None) != (wgs[1] is None):
        errors.append(FieldError("latitude", "give both latitude and longitude, or neither"))
    if (grid[0] is None) != (grid[1] is None):
        errors.append(FieldError("easting", "give both easting and northing, or neither"))
    if wgs[0] is not None and grid[0] is not None:
        errors.append(
            FieldError(
                "easting", "give the point once: latitude and longitude, or easting and northing"
            )
        )
    if errors:
        return errors
    point = located(event)
    if point is None:
        return errors
    latitude, longitude = point
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or not in_area(latitude, longitude):
        name = "latitude" if wgs[0] is not None else "easting"
        errors.append(
            FieldError(
                name,
                "the point is outside the partnership's area",
                f"{point[0]:.5f}, {point[1]:.5f}",
            )
        )
    return errors


def located(event: EventIn) -> tuple[float, float] | None:
    """The event's point as WGS84 (latitude, longitude), from either form, or None."""
    if event.latitude is not None and event.longitude is not None:
        return float(event.latitude), float(event.longitude)
    if event.easting is not None and event.northing is not None:
        try:
            latitude, longitude = british_national_grid_to_wgs84(event.easting, event.northing)
        except Exception:  # pyproj's own errors, for a point off the grid
            return (float("inf"), float("inf"))
        return latitude, longitude
    return None


def check_need(need: NeedIn) -> list[FieldError]:
    errors = check_person(need.person)
    _code(errors, "kind", need.kind, SourceNeedKind)
    if not need.kind:
        errors.append(FieldError("kind", "is required"))
    _text(errors, "detail", need.detail, 300, required=False)
    _not_future(errors, "recorded_on", need.recorded_on, timezone.now())
    if need.person_id and not PERSON_ID.match(need.person_id):
        errors.append(
            FieldError("person_id", "must be a person's number, like P-000123", need.person_id[:20])
        )
    return errors


# Saving ------------------------------------------------------------------------------------------


@dataclass
class Received:
    """What ``receive`` did. ``records`` are the ids of the person records made or changed (for
    ``link_arrivals``); ``positions`` the position of each item's event or need among those
    given, with what happened to it."""

    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    records: list[int] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)  # "new", "updated" or "unchanged"
    ids: list[int] = field(default_factory=list)  # the event's or need's id, per item
    person_ids: dict[int, str] = field(default_factory=dict)  # record id -> named person
    needs: bool = False  # the ids are needs' (``receive_needs``), not events'

    def arrived(self) -> list[int]:
        """The ids of the events or needs that are new or changed (not those unchanged)."""
        return sorted(
            {
                pk
                for pk, outcome in zip(self.ids, self.outcomes, strict=True)
                if outcome != "unchanged"
            }
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": 0,
        }


_PERSON_FIELDS: dict[str, str] = {
    "given_name": "given_name",
    "family_name": "family_name",
    "date_of_birth": "date_of_birth",
    "sex": "sex",
    "postcode": "postcode",
    "address": "address_line",
    "nhs_number": "nhs_number",
    "school_urn": "school_urn",
    "upn": "upn",
    "as_of": "as_of",
}
_EVENT_FIELDS = (
    "kind",
    "occurred_on",
    "occurred_at",
    "recorded_at",
    "role",
    "category",
    "severity",
    "weapon",
    "means",
    "summary",
    "location",
    "postcode",
    "latitude",
    "longitude",
    "lsoa21",
    "ed_arrival_at",
    "ed_assault_at",
    "ed_assault_method",
    "ed_assault_method_other",
    "ed_location_type",
    "ed_location_description",
    "exclusion_reason",
)


def _save_people(
    agency: Agency, people: Iterable[PersonIn]
) -> tuple[dict[tuple[str, str], SourceRecord], list[int]]:
    """Upsert the agency's records of these people; (key -> record, ids made or changed). Only
    the records named are read (by source id, ``chunk_size()`` at a time), never the agency's whole
    list, and the records made keep the ids ``insert_many`` gave them (no second read)."""
    wanted: dict[tuple[str, str], PersonIn] = {}
    for person in people:
        wanted[person.key] = person  # the last one given wins, as a later row of a file
    systems = sorted({system for system, _ in wanted})
    source_ids = sorted({source_id for _, source_id in wanted})
    existing: dict[tuple[str, str], SourceRecord] = {}
    size = chunk_size()
    for at in range(0, len(source_ids), size):
        for r in SourceRecord.objects.select_for_update().filter(
            agency=agency, source_system__in=systems, source_id__in=source_ids[at : at + size]
        ):
            if (r.source_system, r.source_id) in wanted:
                existing[(r.source_system, r.source_id)] = r
    today = timezone.localdate()

    def values(person: PersonIn, record: SourceRecord | None) -> dict[str, Any]:
        found = {name: getattr(person, column) for column, name in _PERSON_FIELDS.items()}
        if record is None:
            found["as_of"] = found["as_of"] or today
        elif found["as_of"] is None:
            found.pop("as_of")
        return found

    rows = [
        (key, existing.get(key), values(person, existing.get(key)))
        for key, person in wanted.items()
    ]
    made: dict[tuple[str, str], SourceRecord] = {}

    def create(key: tuple[str, str], found: dict[str, Any]) -> SourceRecord:
        made[key] = SourceRecord(agency=agency, source_system=key[0], source_id=key[1], **found)
        return made[key]

    saved = upsert_source_records(rows, create=create, fields=list(_PERSON_FIELDS.values()))
    changed_ids = [rows[p][1].pk for p in saved.changed]  # type: ignore[union-attr]
    return {**existing, **made}, [*(r.pk for r in made.values()), *changed_ids]


def _event_values(event: EventIn) -> dict[str, Any]:
    point = located(event)
    occurred_at = event.occurred_at or event.ed_arrival_at
    occurred_on = event.occurred_on or (timezone.localdate(occurred_at) if occurred_at else None)
    values: dict[str, Any] = {name: getattr(event, name, None) for name in _EVENT_FIELDS}
    values.update(
        occurred_at=occurred_at,
        occurred_on=occurred_on,
        latitude=round(point[0], 6) if point else None,
        longitude=round(point[1], 6) if point else None,
        postcode=event.postcode,
        weapon=event.weapon
        or event.ed_assault_method in (AssaultMethod.SHARP_OBJECT, AssaultMethod.FIREARM),
    )
    return values


def _participants_of(event: AgencyEvent) -> list[tuple[Any, ...]]:
    return [
        (p.source_record_id, p.name, p.approximate_age, p.is_adult, p.poses_risk, p.role)
        for p in event.participants.all()
    ]


def _wanted_participants(
    event: EventIn, records: dict[tuple[str, str], SourceRecord]
) -> list[tuple[Any, ...]]:
    return [
        (
            records[p.person.key].pk if p.person is not None else None,
            p.name.strip(),
            p.approximate_age,
            p.is_adult,
            p.poses_risk,
            p.role,
        )
        for p in event.participants
    ]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a == b
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < 1e-9
    return bool(a == b)


def receive_events(
    *,
    agency: Agency,
    events: Sequence[EventIn],
    actor: Staff | None = None,
    system_actor: str = SYSTEM_ACTOR,
    channel: str = "api",
    checked: bool = False,
) -> Received:
    """Check every event (``Rejected`` with every error, nothing saved), then save them all in
    one transaction (see the module docstring). Call ``link_arrivals`` after the commit.
    ``checked``: the caller has already normalised the events (``normalised_event``) and found
    them to meet every rule (``check_event``), as a file's parser does: not done twice."""
    if not checked:
        events = [normalised_event(e) for e in events]
        errors = [e for event in events for e in check_event(event)]
        if errors:
            raise Rejected(errors)
    return _retrying(
        lambda: _save_events(
            agency=agency, events=events, actor=actor, system_actor=system_actor, channel=channel
        )
    )


CHUNK = 500  # references per query, well under SQLite's limit on parameters
#: On PostgreSQL (65,535 parameters a query): a large file's lookups in a few round trips, not
#: hundreds (ADR 0038).
PG_CHUNK = 20_000


def chunk_size() -> int:
    """Values per ``IN (...)`` query on this database."""
    return PG_CHUNK if connection.vendor == "postgresql" else CHUNK


#: How often to try again when another sender saved the same record, event or need at the same
#: moment (the second attempt finds it and updates it, or leaves it unchanged).
ATTEMPTS = 5


def _retrying(save: Callable[[], Received]) -> Received:
    for _attempt in range(ATTEMPTS - 1):
        try:
            with transaction.atomic():
                return save()
        except IntegrityError:
            continue
    try:
        return save()
    except IntegrityError:
        raise Rejected(
            [
                FieldError(
                    "reference",
                    "other senders kept saving the same records at the same moment; send it "
                    "again: it will not be duplicated",
                )
            ]
        ) from None


def normalised_need(need: NeedIn) -> NeedIn:
    return replace(
        need,
        person=normalise_person(need.person),
        detail=need.detail.strip(),
        person_id=need.person_id.strip().upper(),
    )


def place_postcode(text: str) -> str:
    """An event's postcode or postcode sector in its standard form (``rv12ab`` -> ``RV1 2AB``,
    ``rv12`` -> ``RV1 2``); text that is neither is returned upper-cased, for the rules to
    refuse."""
    text = text.strip().upper()
    if not text:
        return ""
    full = linkage_model.normalise_postcode(text)
    if full:
        return full
    squeezed = "".join(text.split())
    sector = f"{squeezed[:-1]} {squeezed[-1:]}"
    return sector if SECTOR.match(sector) else text


def normalised_event(event: EventIn) -> EventIn:
    """Tidied as it will be saved (the person's details as the person-record import tidies
    them): check this, not what arrived."""
    return replace(
        event,
        postcode=place_postcode(event.postcode),
        reference=event.reference.strip(),
        person=normalise_person(event.person),
        participants=tuple(
            replace(p, person=normalise_person(p.person) if p.person is not None else None)
            for p in event.participants
        ),
        lsoa21=event.lsoa21.strip().upper(),
        person_id=event.person_id.strip().upper(),
    )


def _save_events(
    *,
    agency: Agency,
    events: Sequence[EventIn],
    actor: Staff | None,
    system_actor: str,
    channel: str,
) -> Received:
    result = Received(rows=len(events))
    now = timezone.now()
    # No savepoint of its own: ``_retrying``'s is the one that is rolled back to.
    with transaction.atomic(savepoint=False):
        people = [e.person for e in events] + [
            p.person for e in events for p in e.participants if p.person is not None
        ]
        records, changed_records = _save_people(agency, people)
        references = sorted({e.reference for e in events})
        held: dict[tuple[str, int], AgencyEvent] = {}
        size = chunk_size()
        for at in range(0, len(references), size):
            for x in (
                AgencyEvent.objects.select_for_update()
                .filter(agency=agency, source_reference__in=references[at : at + size])
                .prefetch_related("participants")
            ):
                held[(x.source_reference, x.source_record_id)] = x
        made: dict[tuple[str, int], tuple[AgencyEvent, list[tuple[Any, ...]]]] = {}
        named: list[tuple[AgencyEvent, list[tuple[Any, ...]]]] = []
        keys: list[tuple[str, int]] = []
        for event in events:
            record = records[event.person.key]
            key = (event.reference, record.pk)
            values = _event_values(event)
            wanted = _wanted_participants(event, records)
            existing = held.get(key)
            if key in made:  # the same event twice in one sending: the later one counts
                for name, value in values.items():
                    setattr(made[key][0], name, value)
                made[key] = (made[key][0], wanted)
                outcome = "new"
            elif existing is None:
                made[key] = (
                    AgencyEvent(
                        agency=agency,
                        source_record=record,
                        source_reference=event.reference,
                        changed_at=now,
                        **values,
                    ),
                    wanted,
                )
                outcome = "new"
                result.new += 1
            elif (
                all(_same(getattr(existing, n), v) for n, v in values.items())
                and _participants_of(existing) == wanted
            ):
                outcome = "unchanged"
                result.unchanged += 1
            else:
                for name, value in values.items():
                    setattr(existing, name, value)
                existing.changed_at = now
                existing.save()
                existing.participants.all().delete()
                named.append((existing, wanted))
                outcome = "updated"
                result.updated += 1
            keys.append(key)
            result.outcomes.append(outcome)
            if event.person_id:
                result.person_ids[record.pk] = event.person_id
        insert_many(AgencyEvent, [e for e, _ in made.values()])
        insert_many(
            EventParticipant,
            (
                EventParticipant(
                    event=saved,
                    source_record_id=w[0],
                    name=w[1],
                    approximate_age=w[2],
                    is_adult=w[3],
                    poses_risk=w[4],
                    role=w[5],
                )
                for saved, wanted in [*made.values(), *named]
                for w in wanted
            ),
            batch_size=2000,
        )
        # The summaries as they arrived, checked for wording that blames the child (ADR 0030).
        event_wording_check(new=[e for e, _ in made.values()], changed=[e for e, _ in named])
        result.ids = [made[k][0].pk if k in made else held[k].pk for k in keys]
        result.records = sorted(set(changed_records) | set(result.person_ids))
        audit_record(
            actor=actor,
            system_actor="" if actor is not None else system_actor,
            event="identity.events_received",
            subject=agency,
            detail={"agency": agency.code, "channel": channel, **result.as_dict()},
        )
    return result


def receive_needs(
    *,
    agency: Agency,
    needs: Sequence[NeedIn],
    actor: Staff | None = None,
    system_actor: str = SYSTEM_ACTOR,
    channel: str = "api",
) -> Received:
    needs = [normalised_need(n) for n in needs]
    errors = [e for need in needs for e in check_need(need)]
    if errors:
        raise Rejected(errors)
    return _retrying(lambda: _save_needs(agency, needs, actor, system_actor, channel))


def _save_needs(
    agency: Agency, needs: Sequence[NeedIn], actor: Staff | None, system_actor: str, channel: str
) -> Received:
    result = Received(rows=len(needs), needs=True)
    with transaction.atomic():
        records, changed_records = _save_people(agency, [n.person for n in needs])
        ids = [r.pk for r in records.values()]
        held = {
            (n.source_record_id, n.kind): n
            for n in SourceNeed.objects.select_for_update().filter(source_record_id__in=ids)
        }
        for need in needs:
            record = records[need.person.key]
            existing = held.get((record.pk, need.kind))
            if existing is None:
                existing = SourceNeed.objects.create(
                    source_record=record,
                    kind=need.kind,
                    detail=need.detail,
                    recorded_on=need.recorded_on,
                )
                outcome = "new"
                result.new += 1
            elif existing.detail == need.detail and existing.recorded_on == need.recorded_on:
                outcome = "unchanged"
                result.unchanged += 1
            else:
                existing.detail, existing.recorded_on = need.detail, need.recorded_on
                existing.save(update_fields=["detail", "recorded_on"])
                outcome = "updated"
                result.updated += 1
            held[(record.pk, need.kind)] = existing
            result.outcomes.append(outcome)
            result.ids.append(existing.pk)
            if need.person_id:
                result.person_ids[record.pk] = need.person_id
        result.records = sorted(set(changed_records) | set(result.person_ids))
        audit_record(
            actor=actor,
            system_actor="" if actor is not None else system_actor,
            event="identity.needs_received",
            subject=agency,
            detail={"agency": agency.code, "channel": channel, **result.as_dict()},
        )
    return result


# Matching on arrival ------------------------------------------------------------------------------


@dataclass
class Arrival:
    """What matching on arrival did with one record."""

    record_id: int
    outcome: str  # linked, named, review, held, new_person, already_linked, no_model
    person: str = ""
    probability: float | None = None


def _in_a_person(record: SourceRecord) -> bool:
    try:
        return record.person_link is not None
    except PersonRecord.DoesNotExist:
        return False


def _nhs_conflict(record: SourceRecord, person: Person) -> bool:
    """The record's valid NHS number differs from every valid one the person's records hold."""
    if not linkage_model.nhs_number_is_valid(record.nhs_number):
        return False
    theirs = {
        n
        for n in SourceRecord.objects.filter(person_link__person=person)
        .exclude(nhs_number="")
        .values_list("nhs_number", flat=True)
        if linkage_model.nhs_number_is_valid(n)
    }
    return bool(theirs) and record.nhs_number not in theirs


def _link(record: SourceRecord, person: Person, *, reason: str, method: str) -> None:
    PersonRecord.objects.create(source_record=record, person=person, method=method)
    change = PersonChange.objects.create(
        kind=ChangeKind.LINK,
        person=person,
        source_record_ids=[record.pk],
        system_actor=SYSTEM_ACTOR,
        reason=reason,
    )
    audit_record(
        actor=None,
        system_actor=SYSTEM_ACTOR,
        event="identity.record_linked_on_arrival",
        child_id=person.child_id,
        subject=change,
        detail={"person": person.display_id, "record": record.pk, "agency": record.agency.code},
    )


def _new_person(record: SourceRecord) -> Person:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                number = (Person.objects.aggregate(top=Max("number"))["top"] or 0) + 1
                person = Person.objects.create(number=number)
                _link(
                    record,
                    person,
                    reason="Matched no one on arrival: a new person",
                    method=LinkMethod.ARRIVAL,
                )
                return person
        except IntegrityError:
            continue
    raise RuntimeError("Could not number a new person")


def _hold(record: SourceRecord, reason: str) -> None:
    held, made = HeldRecord.objects.get_or_create(source_record=record, defaults={"reason": reason})
    if not made and (held.reason != reason or held.released_at is not None):
        held.reason, held.released_at = reason, None
        held.save(update_fields=["reason", "released_at"])
    audit_record(
        actor=None,
        system_actor=SYSTEM_ACTOR,
        event="identity.record_held_on_arrival",
        subject=held,
        detail={"record": record.pk, "reason": reason, "agency": record.agency.code},
    )


def _review(
    record: SourceRecord, other_id: int, probability: float, weight: float, *, nhs: bool
) -> None:
    left, right = sorted((record.pk, other_id))
    pair, made = ReviewPair.objects.get_or_create(
        record_l_id=left,
        record_r_id=right,
        defaults={
            "match_probability": probability,
            "match_weight": weight,
            "needs_nhs_override": nhs,
            "model_version": getattr(current_model(), "version", None),
        },
    )
    audit_record(
        actor=None,
        system_actor=SYSTEM_ACTOR,
        event="identity.review_pair_on_arrival",
        subject=pair,
        detail={"records": [left, right], "probability": round(probability, 4), "new": made},
    )


def link_arrival(
    record_id: int,
    *,
    person_id: str = "",
    index: Any = None,
    model: LinkageModel | None = None,
) -> Arrival:
    """Match one record that arrived (or changed) against the person index, in its own
    transaction, and act as the batch run would: ``linkage.arrival.decide`` decides, as it does
    for a file matched at once (``bulk_arrivals``). ``index`` and ``model``, when given, are the
    current ones (``link_arrivals`` looks them up once)."""
    with transaction.atomic():
        # The record, its agency and whether it is in a person, in one query.
        record = (
            SourceRecord.objects.select_for_update(of=("self",))
            .select_related("agency", "person_link")
            .get(pk=record_id)
        )
        already = _in_a_person(record)
        people: dict[int, Person] = {}  # the people the rule asked about, kept, by id
        named: int | None = None
        if person_id and not already:
            number = int(PERSON_ID.match(person_id).group(1))  # type: ignore[union-attr]
            found = Person.objects.filter(number=number).first()
            if found is not None:
                kept = person_kept(found)
                people[kept.pk] = kept
                named = kept.pk
        conflict: dict[int, bool] = {}

        def conflicts(person: int) -> bool:
            if person not in conflict:
                conflict[person] = _nhs_conflict(record, people[person])
            return conflict[person]

        engine: dict[str, Any] | None = None
        if not already and (named is None or conflicts(named)):
            engine = engine_record(record)
            index = index if index is not None else matching.current_index()
        links: dict[int, Person] = {}

        def candidates() -> list[arrival_rule.Candidate]:
            found = [c for c in index.match(engine, top=10) if c.unique_id != record_id]
            links.update(
                (link.source_record_id, link.person)
                for link in PersonRecord.objects.filter(
                    source_record_id__in=[c.unique_id for c in found]
                ).select_related("person")
            )
            return [
                (int(c.unique_id), float(c.match_probability), float(c.match_weight)) for c in found
            ]

        def person_of(candidate: int) -> int | None:
            linked = links.get(candidate)
            if linked is None:
                return None
            kept = person_kept(linked)
            people[kept.pk] = kept
            return kept.pk

        usable = index is not None and engine is not None
        decision = arrival_rule.decide(
            already_linked=already,
            named_given=bool(person_id),
            named=named,
            has_model=usable,
            hold_reason=lambda: index.hold_reason(engine) if usable else "",
            candidates=candidates,
            person_of=person_of,
            conflicts=conflicts,
            threshold=THRESHOLD,
            review_threshold=REVIEW_THRESHOLD,
        )
        outcome, person = decision.outcome, people.get(decision.person or 0)
        if outcome == "named":
            assert person is not None
            _link(
                record,
                person,
                reason=f"{record.agency.name} named the person {person.display_id}",
                method=LinkMethod.ARRIVAL,
            )
            return Arrival(record_id, "named", person.display_id)
        if outcome == "held":
            _hold(record, decision.reason)
            return Arrival(record_id, "held")
        if outcome == "linked":
            assert person is not None
            model = model or current_model()
            _link(
                record,
                person,
                reason=linked_reason(decision.probability, model),
                method=LinkMethod.ARRIVAL,
            )
            return Arrival(record_id, "linked", person.display_id, decision.probability)
        if outcome == "review":
            assert person is not None
            _review(
                record, decision.candidate, decision.probability, decision.weight, nhs=decision.nhs
            )
            return Arrival(record_id, "review", person.display_id, decision.probability)
        if outcome == "new_person":
            made = _new_person(record)
            return Arrival(record_id, "new_person", made.display_id)
        return Arrival(record_id, outcome)  # already_linked, no_model


def linked_reason(probability: float, model: LinkageModel | None) -> str:
    """Why a record joined a person on arrival, as the link's change records it."""
    return (
        f"Matched on arrival with a probability of {probability:.2%} "
        f"(at least {THRESHOLD:.0%}, model v{model.version if model else '?'})"
    )


def _unusable(record_ids: Sequence[int]) -> dict[int, str]:
    """Why each record not in a person cannot be matched (the batch's rule), by record id."""
    linked = set(
        PersonRecord.objects.filter(source_record_id__in=record_ids).values_list(
            "source_record_id", flat=True
        )
    )
    wanted = [pk for pk in record_ids if pk not in linked]
    if not wanted:
        return {}
    if len(wanted) <= matching.FEW:  # one at a time, as the matcher prepares an arrival
        reasons = (
            (r["unique_id"], linkage_model.unusable_reason(linkage_model.prepare_record(r)))
            for r in source_records(wanted)
        )
        return {int(uid): reason for uid, reason in reasons if reason}
    prepared = linkage_model.prepare(source_frame(wanted))
    reasons = linkage_model.unusable_reasons(prepared)
    return {
        int(uid): str(reason)
        for uid, reason in zip(prepared["unique_id"], reasons, strict=True)
        if reason
    }


def announce(received: Received) -> None:
    """After the commit (now, when there is no transaction), tell the apps above that these
    events or needs arrived (``signals.events_arrived``): they react in a background task."""
    arrived = received.arrived()
    if not arrived:
        return
    event_ids, need_ids = ([], arrived) if received.needs else (arrived, [])
    # robust: the data is committed whatever a receiver does; a failure is logged, not raised.
    transaction.on_commit(
        lambda: events_arrived.send(sender=Received, event_ids=event_ids, need_ids=need_ids),
        robust=True,
    )


#: How often (in records) ``link_arrivals`` tells its progress.
PROGRESS_EVERY = 25


def link_arrivals(
    received: Received,
    *,
    progress: Callable[[int, int], None] | None = None,
    backfill: bool = False,
) -> list[Arrival]:
    """Match each record ``receive_*`` made or changed. A record with unusable details is held
    (whether or not a model is trained). Without a trained model the rest wait for the first
    linkage run. A failure to match one record leaves it for the nightly linkage run (it is
    saved either way): it is logged, not the sender's error. Then ``announce`` what arrived:
    every channel calls this, so every channel is announced — except an agency's history
    loaded for the first time (``backfill``): no one is told of years-old events, and the
    flags and rapid responses are raised by their own runs afterwards (ADR 0028)."""
    try:
        return _link_arrivals(received, progress)
    finally:
        if not backfill:
            announce(received)


def _link_arrivals(
    received: Received, progress: Callable[[int, int], None] | None
) -> list[Arrival]:
    arrivals: list[Arrival] = []
    model = current_model()
    ids = list(received.records)
    unusable: dict[int, str] = {}
    if model is None:  # held whether or not a model is trained; with one, ``link_arrival`` holds
        for at in range(0, len(ids), CHUNK):
            unusable |= _unusable(ids[at : at + CHUNK])
    # The index once, with every record received already in it: not topped up for each.
    index = matching.current_index(model) if model is not None else None
    for pk in ids:
        person_id = received.person_ids.get(pk, "")
        try:
            if pk in unusable and not person_id:
                with transaction.atomic():
                    _hold(SourceRecord.objects.select_related("agency").get(pk=pk), unusable[pk])
                arrivals.append(Arrival(pk, "held"))
            elif model is None and not person_id:
                arrivals.append(Arrival(pk, "no_model"))
            else:
                arrivals.append(link_arrival(pk, person_id=person_id, index=index, model=model))
        except Exception:  # the record is saved; the nightly run links it
            logger.exception("Matching source record %s on arrival failed", pk)
            arrivals.append(Arrival(pk, "failed"))
        if progress is not None and (len(arrivals) % PROGRESS_EVERY == 0 or pk == ids[-1]):
            progress(len(arrivals), len(ids))
    return arrivals


__all__ = [
    "Arrival",
    "EventIn",
    "FieldError",
    "NeedIn",
    "ParticipantIn",
    "PersonIn",
    "Received",
    "Rejected",
    "check_event",
    "check_need",
    "link_arrivals",
    "receive_events",
    "receive_needs",
]
