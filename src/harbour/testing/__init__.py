"""Factories for tests: the one place test objects are made (the demo generator makes the
synthetic partnership; these make small, exact situations)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from harbour.access.models import RelationshipKind, WorkingRelationship
from harbour.children.models import Child
from harbour.partnership.models import Agency, AgencyType, InformationSharingAgreement, Role, Staff

_counter = itertools.count(1)


def make_agency(
    code: str | None = None, agency_type: str = AgencyType.POLICE, **extra: Any
) -> Agency:
    n = next(_counter)
    code = code or f"agency-{n}"
    return Agency.objects.create(
        name=extra.pop("name", f"Agency {code}"), code=code, agency_type=agency_type, **extra
    )


def make_staff(agency: Agency, role: str = Role.REFERRER, **extra: Any) -> Staff:
    n = next(_counter)
    email = extra.pop("email", f"staff{n}@{agency.code}.test")
    staff = Staff(
        username=email,
        email=email,
        agency=agency,
        role=role,
        first_name=extra.pop("first_name", "Test"),
        last_name=extra.pop("last_name", f"Person{n}"),
        **extra,
    )
    staff.set_password("correct horse battery")
    staff.save()
    return staff


def make_child(recorded_by: Agency, **extra: Any) -> Child:
    n = next(_counter)
    defaults: dict[str, Any] = {
        "given_name": f"Child{n}",
        "family_name": "Testfamily",
        "date_of_birth": dt.date(2011, 3, 27),
        "sex": "F",
        "postcode": "RV1 2AB",
    }
    defaults.update(extra)
    child = Child(recorded_by=recorded_by, **defaults)
    child.save()
    return child


def hold_record(child: Child, agency: Agency, **extra: Any) -> WorkingRelationship:
    return WorkingRelationship.objects.create(
        child=child, agency=agency, kind=RelationshipKind.AGENCY_RECORD, **extra
    )


def relate(
    child: Child, staff: Staff, kind: str = RelationshipKind.TEAM_AROUND_CHILD, **extra: Any
) -> WorkingRelationship:
    return WorkingRelationship.objects.create(child=child, staff=staff, kind=kind, **extra)


def make_agreement(
    *parties: Agency,
    purposes: list[str] | None = None,
    categories: list[str] | None = None,
    start: dt.date = dt.date(2025, 4, 1),
    end: dt.date | None = None,
) -> InformationSharingAgreement:
    n = next(_counter)
    agreement = InformationSharingAgreement.objects.create(
        title=f"Agreement {n}",
        reference=f"ISA-{n}",
        purposes=purposes if purposes is not None else ["safeguarding", "prevention"],
        data_categories=categories
        if categories is not None
        else ["identity", "family", "ethnicity"],
        lawful_basis="public_task",
        start_date=start,
        end_date=end,
    )
    agreement.parties.set(parties)
    return agreement


def person_index_from_ground_truth() -> None:
    """The person index as the demo generator's ground truth has it: one person per child, with
    every source record of that child. For tests that need linked records without running
    linkage."""
    from harbour.demo.models import GroundTruth
    from harbour.identity.models import Person, PersonRecord

    people = {}
    for n, child_id in enumerate(
        sorted(set(GroundTruth.objects.values_list("child_id", flat=True)), key=str), start=1
    ):
        people[child_id] = Person.objects.create(number=n, child_id=child_id)
    PersonRecord.objects.bulk_create(
        PersonRecord(source_record_id=r, person=people[c], method="manual")
        for r, c in GroundTruth.objects.values_list("source_record_id", "child_id")
    )


def linked_record(child: Child, agency: Agency, source_id: str) -> Any:
    """An agency's source record of a Harbour child, linked in the person index to the child's
    person (made if the child has none yet)."""
    from harbour.identity.models import LinkMethod, Person, PersonRecord, SourceRecord

    record = SourceRecord.objects.create(
        agency=agency,
        source_system="test",
        source_id=source_id,
        given_name=child.given_name,
        family_name=child.family_name,
        date_of_birth=child.date_of_birth,
        as_of=dt.date(2026, 1, 1),
    )
    person = Person.objects.filter(child=child).first()
    if person is None:
        last = Person.objects.order_by("-number").values_list("number", flat=True).first()
        person = Person.objects.create(number=(last or 0) + 1, child=child)
    PersonRecord.objects.create(source_record=record, person=person, method=LinkMethod.MANUAL)
    return record


def agency_event(
    record: Any,
    on: dt.date,
    reference: str,
    *,
    kind: str = "incident",
    category: str = "assault",
    role: str = "victim",
    severity: int = 2,
    summary: str = "What the agency recorded happened to the child.",
    named: tuple[Any, ...] = (),
) -> Any:
    """An event on an agency's record, naming other records as suspects."""
    from harbour.identity.models import AgencyEvent, EventParticipant

    found = AgencyEvent.objects.create(
        source_record=record,
        agency=record.agency,
        kind=kind,
        occurred_on=on,
        role=role,
        category=category,
        severity=severity,
        weapon=category == "weapon",
        summary=summary,
        source_reference=reference,
    )
    for other in named:
        EventParticipant.objects.create(event=found, source_record=other, role="suspect")
    return found
