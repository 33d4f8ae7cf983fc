"""The partnership's education limits: everyone with the partnership pages reads them, only
administrators change them (audited, validated), and the alerts follow the new limit at once."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import AuditWriteError
from harbour.access.models import AuditEvent
from harbour.children import limits
from harbour.children.models import EducationEpisode, EducationLimit
from harbour.children.record import education_alerts
from harbour.partnership.models import AgencyType, Role
from harbour.testing import make_agency, make_child, make_staff

pytestmark = pytest.mark.django_db

LIST = reverse("limits:education-limit-list")


def edit_url(status):
    return reverse("limits:education-limit-edit", args=[status])


@pytest.fixture
def council(db):
    return make_agency("riverside-csc", AgencyType.CHILDRENS_SOCIAL_CARE)


@pytest.fixture
def administrator(council):
    return make_staff(council, Role.ADMINISTRATOR)


@pytest.fixture
def analyst(db):
    return make_staff(make_agency("riverside-police", AgencyType.POLICE), Role.ANALYST)


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def seeded(db):
    EducationLimit.objects.all().delete()
    EducationLimit.objects.create(status="reduced_timetable", max_days=42)
    EducationLimit.objects.create(status="suspended", max_days=15)


def test_every_status_but_full_time_is_listed_with_its_limit(seeded, analyst):
    rows = {row.status: row for row in limits.education_limits(actor=analyst)}
    assert "full_time" not in rows
    assert rows["reduced_timetable"].shown == "42 days (6 weeks)"
    assert rows["suspended"].shown == "15 days (2 weeks and 1 day)"
    assert rows["alternative_provision"].shown == "No limit"


@pytest.mark.parametrize(
    ("days", "text"),
    [(1, "1 day"), (6, "6 days"), (7, "7 days (1 week)"), (84, "84 days (12 weeks)")],
)
def test_limits_are_said_in_days_and_weeks(days, text):
    assert limits.limit_text(days) == text


def test_an_administrator_changes_a_limit_and_the_change_is_audited(seeded, administrator):
    limit = limits.education_limit_set(actor=administrator, status="reduced_timetable", max_days=28)
    assert EducationLimit.objects.get(status="reduced_timetable").max_days == 28
    event = AuditEvent.objects.get(event="education_limit.updated")
    assert event.actor_id == administrator.pk
    assert event.object_id == str(limit.pk)
    assert event.child_id is None
    assert event.detail == {"status": "reduced_timetable", "from_days": 42, "to_days": 28}


def test_setting_a_limit_where_there_was_none_creates_it(seeded, administrator):
    limits.education_limit_set(actor=administrator, status="permanently_excluded", max_days=6)
    assert EducationLimit.objects.get(status="permanently_excluded").max_days == 6
    event = AuditEvent.objects.get(event="education_limit.created")
    assert event.detail["from_days"] is None


def test_an_unchanged_limit_writes_nothing(seeded, administrator):
    limits.education_limit_set(actor=administrator, status="suspended", max_days=15)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("days", [0, -3, 366, 10_000, True, "42", 4.5])
def test_a_limit_must_be_a_sensible_whole_number_of_days(seeded, administrator, days):
    with pytest.raises(ValidationError) as caught:
        limits.education_limit_set(actor=administrator, status="suspended", max_days=days)
    assert caught.value.message_dict == {"max_days": [limits.DAYS_RANGE]}
    assert EducationLimit.objects.get(status="suspended").max_days == 15
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("status", ["full_time", "nonsense"])
def test_a_status_that_cannot_have_a_limit_is_not_found(seeded, administrator, status):
    with pytest.raises(policy.NotFound):
        limits.education_limit_set(actor=administrator, status=status, max_days=10)
    with pytest.raises(policy.NotFound):
        limits.education_limit_for_edit(actor=administrator, status=status)


def test_only_administrators_change_limits(seeded, analyst):
    with pytest.raises(policy.Forbidden):
        limits.education_limit_set(actor=analyst, status="suspended", max_days=10)
    with pytest.raises(policy.Forbidden):
        limits.education_limit_for_edit(actor=analyst, status="suspended")


def test_the_change_and_its_audit_event_are_one_transaction(seeded, administrator, monkeypatch):
    monkeypatch.setattr(
        AuditEvent.objects, "create", lambda **kw: (_ for _ in ()).throw(DatabaseError("down"))
    )
    with pytest.raises(AuditWriteError):
        limits.education_limit_set(actor=administrator, status="suspended", max_days=10)
    assert EducationLimit.objects.get(status="suspended").max_days == 15


def test_the_record_alerts_follow_the_new_limit_at_once(seeded, administrator, council):
    today = timezone.localdate()
    child = make_child(council)
    episode = EducationEpisode.objects.create(
        child=child, status="reduced_timetable", start_date=today - dt.timedelta(days=30)
    )
    assert education_alerts([episode], today) == []  # 30 days, within 42
    limits.education_limit_set(actor=administrator, status="reduced_timetable", max_days=28)
    assert [alert.limit for alert in education_alerts([episode], today)] == [28]


# Pages -----------------------------------------------------------------------------------------


def test_the_partnership_home_links_to_the_limits(seeded, admin_client):
    body = admin_client.get(reverse("partnership:home")).content.decode()
    assert f'href="{LIST}"' in body


def test_readers_see_the_limits_without_change_links(seeded, analyst_client):
    body = analyst_client.get(LIST).content.decode()
    assert "42 days (6 weeks)" in body
    assert "Only administrators can change the limits" in body
    assert edit_url("reduced_timetable") not in body
    assert analyst_client.get(edit_url("reduced_timetable")).status_code == 403
    assert analyst_client.post(edit_url("reduced_timetable"), {"max_days": "1"}).status_code == 403
    assert EducationLimit.objects.get(status="reduced_timetable").max_days == 42


def test_an_administrator_changes_a_limit_through_the_form(seeded, admin_client):
    body = admin_client.get(LIST).content.decode()
    assert f'href="{edit_url("reduced_timetable")}"' in body
    assert "Set a limit" in body  # alternative provision has none in this partnership
    form = admin_client.get(edit_url("reduced_timetable")).content.decode()
    assert "Change the limit for part-time or reduced timetable" in form
    assert 'value="42"' in form
    response = admin_client.post(edit_url("reduced_timetable"), {"max_days": "35"})
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert EducationLimit.objects.get(status="reduced_timetable").max_days == 35
    page = admin_client.get(LIST).content.decode()
    assert "Limit for part-time or reduced timetable set to 35 days (5 weeks)" in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter the limit in days"),
        ("0", limits.DAYS_RANGE),
        ("366", limits.DAYS_RANGE),
        ("six weeks", limits.DAYS_RANGE),
        ("4.5", limits.DAYS_RANGE),
    ],
)
def test_bad_input_shows_the_govuk_error_summary_and_saves_nothing(
    seeded, admin_client, value, message
):
    body = admin_client.post(edit_url("suspended"), {"max_days": value}).content.decode()
    assert "govuk-error-summary" in body
    assert message in body
    assert 'href="#id_max_days"' in body
    assert EducationLimit.objects.get(status="suspended").max_days == 15
    assert not AuditEvent.objects.filter(event__startswith="education_limit.").exists()


def test_an_unknown_status_is_404_for_an_administrator(seeded, admin_client):
    assert admin_client.get(edit_url("full_time")).status_code == 404
