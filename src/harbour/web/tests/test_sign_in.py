import json

import pytest
from django.db import DatabaseError
from django.urls import reverse

from harbour.access.models import AuditEvent
from harbour.partnership.models import Staff
from harbour.testing import make_agency, make_staff
from harbour.web import views as web_views

pytestmark = pytest.mark.django_db


def test_wrong_password_and_unknown_user_get_the_same_govuk_error(client):
    staff = make_staff(make_agency("police"))
    wrong = client.post(reverse("web:sign-in"), {"username": staff.email, "password": "nope"})
    unknown = client.post(
        reverse("web:sign-in"), {"username": "nobody@example.test", "password": "nope"}
    )
    for response in (wrong, unknown):
        body = response.content.decode()
        assert response.status_code == 200
        assert "govuk-error-summary" in body
        assert "Enter a correct email address and password" in body
        assert 'href="#id_username"' in body
    assert "_auth_user_id" not in client.session


def test_a_deactivated_user_cannot_sign_in(client):
    staff = make_staff(make_agency("police"), is_active=False)
    response = client.post(
        reverse("web:sign-in"), {"username": staff.email, "password": "correct horse battery"}
    )
    assert "Enter a correct email address and password" in response.content.decode()


def test_sign_in_then_home_shows_role_navigation(client):
    staff = make_staff(make_agency("police"))
    response = client.post(
        reverse("web:sign-in"),
        {"username": staff.email, "password": "correct horse battery"},
        follow=True,
    )
    body = response.content.decode()
    assert "Find a child" in body
    assert "Break-glass reviews" not in body
    assert "govuk-service-navigation" in body


def test_missing_fields_link_to_each_field(client):
    body = client.post(reverse("web:sign-in"), {}).content.decode()
    assert 'href="#id_username"' in body
    assert 'href="#id_password"' in body
    assert "Enter your email address" in body


def test_error_pages_use_the_govuk_pattern(client):
    body = client.get("/no-such-page/").content.decode()
    assert "Page not found" in body
    assert "govuk-heading-l" in body


# Signing in and out is audited (ADR 0018) --------------------------------------------------------


def sign_in(client, email, password="correct horse battery", **headers):  # noqa: S107
    return client.post(reverse("web:sign-in"), {"username": email, "password": password}, **headers)


def test_a_sign_in_is_audited_before_the_session_starts(client):
    staff = make_staff(make_agency("police"))
    response = sign_in(client, staff.email)
    assert response.status_code == 302
    event = AuditEvent.objects.get(event="staff.signed_in")
    assert (event.actor_id, event.actor_username, event.actor_agency) == (
        staff.pk,
        staff.email,
        "police",
    )
    assert (event.object_type, event.object_id) == ("partnership.Staff", str(staff.pk))
    assert event.child_id is None
    assert event.outcome == "allowed"
    assert event.request_id == response["X-Request-ID"]


@pytest.mark.parametrize("known", [True, False])
def test_a_failed_sign_in_records_the_username_tried_never_the_password(client, known):
    staff = make_staff(make_agency("police"))
    tried = staff.email if known else "nobody@example.test"
    response = sign_in(client, tried.upper(), password="Sup3r-secret-guess")
    assert response.status_code == 200
    event = AuditEvent.objects.get(event="staff.sign_in_failed")
    assert event.outcome == "denied"
    assert event.actor_id is None
    assert event.actor_username == "sign-in form"
    assert event.child_id is None
    assert event.detail["username"] == tried.upper()
    assert event.detail["account_exists"] is known
    assert event.object_id == (str(staff.pk) if known else "")
    stored = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert "Sup3r-secret-guess" not in stored
    assert not AuditEvent.objects.filter(event="staff.signed_in").exists()


def test_a_form_sent_with_an_empty_field_is_not_a_failed_sign_in(client):
    staff = make_staff(make_agency("police"))
    client.post(reverse("web:sign-in"), {"username": staff.email, "password": ""})
    client.post(reverse("web:sign-in"), {})
    assert not AuditEvent.objects.exists()


def test_a_very_long_username_is_cut_short_in_the_log(client):
    sign_in(client, "x" * 5000 + "@example.test", password="nope")
    event = AuditEvent.objects.get(event="staff.sign_in_failed")
    assert len(event.detail["username"]) == 150


def test_a_deactivated_account_signing_in_is_a_failed_sign_in(client):
    staff = make_staff(make_agency("police"), is_active=False)
    sign_in(client, staff.email)
    event = AuditEvent.objects.get()
    assert (event.event, event.object_id) == ("staff.sign_in_failed", str(staff.pk))


def test_an_account_with_no_agency_or_role_signs_in_and_is_audited(client):
    # A developer's superuser, say: the event has no agency to name, and must not break on it.
    staff = Staff.objects.create_user(
        username="dev@example.test", email="dev@example.test", password="correct horse battery"
    )
    response = sign_in(client, staff.email)
    assert response.status_code == 302
    event = AuditEvent.objects.get(event="staff.signed_in")
    assert (event.actor_id, event.actor_agency, event.actor_role) == (staff.pk, "", "")


def test_sign_out_is_audited(client):
    staff = make_staff(make_agency("police"))
    client.force_login(staff)
    response = client.post(reverse("web:sign-out"))
    assert response.status_code == 302
    event = AuditEvent.objects.get(event="staff.signed_out")
    assert event.actor_id == staff.pk
    assert "_auth_user_id" not in client.session


def refuse_audit(monkeypatch):
    def refuse(**fields):
        raise DatabaseError("permission denied for table access_auditevent")

    monkeypatch.setattr(AuditEvent.objects, "create", refuse)


def test_no_sign_in_when_the_audit_cannot_be_written(client, monkeypatch):
    staff = make_staff(make_agency("police"))
    refuse_audit(monkeypatch)
    response = sign_in(client, staff.email)
    assert response.status_code == 503
    assert "_auth_user_id" not in client.session
    monkeypatch.undo()
    home = client.get(reverse("pages:home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("web:sign-in"))


def test_a_failed_sign_in_that_cannot_be_audited_answers_503(client, monkeypatch):
    make_staff(make_agency("police"))
    refuse_audit(monkeypatch)
    response = sign_in(client, "nobody@example.test", password="nope")
    assert response.status_code == 503
    assert "Enter a correct email address" not in response.content.decode()


def test_sign_out_goes_ahead_when_the_audit_cannot_be_written(client, monkeypatch, caplog):
    staff = make_staff(make_agency("police"))
    client.force_login(staff)
    refuse_audit(monkeypatch)
    response = client.post(reverse("web:sign-out"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:sign-in")
    assert "_auth_user_id" not in client.session
    assert "could not be audited" in caplog.text


def test_with_nothing_to_record_sign_ins_nobody_signs_in(client, monkeypatch):
    # The kit is told how to audit by the access app when Django starts (ADR 0020); without it
    # the sign-in fails closed rather than letting anyone in unrecorded.
    staff = make_staff(make_agency("police"))
    monkeypatch.setattr(web_views, "_sign_in_audit", None)
    with pytest.raises(RuntimeError, match="not audited"):
        sign_in(client, staff.email)
    assert "_auth_user_id" not in client.session
