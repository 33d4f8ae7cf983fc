"""Deactivating an account ends its sessions at once (issue 16 part 1, ADR 0042)."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from harbour.access.models import AuditEvent
from harbour.partnership import services
from harbour.partnership.models import Role
from harbour.partnership.tests.conftest import make_staff
from harbour.partnership.tests.test_services import staff_values

pytestmark = pytest.mark.django_db


def _signed_in_client(email):
    client = Client()
    response = client.post(
        reverse("web:sign-in"), {"username": email, "password": "a-test-password"}
    )
    assert response.status_code == 302
    assert client.get(reverse("pages:home")).status_code == 200
    return client


def test_deactivating_an_account_ends_every_session_it_has_at_once(administrator, council):
    leaving = make_staff(council, Role.REFERRER, "leaving@example.org")
    staying = make_staff(council, Role.REFERRER, "staying@example.org")
    desk, phone, other = (
        _signed_in_client(leaving.email),
        _signed_in_client(leaving.email),
        _signed_in_client(staying.email),
    )
    assert Session.objects.count() == 3
    services.staff_update(
        actor=administrator, staff=leaving, **staff_values(leaving, is_active=False)
    )
    # Both of their sessions are gone from the database, in the change's own transaction...
    assert Session.objects.count() == 1
    event = AuditEvent.objects.get(event="staff.access_changed")
    assert event.detail["sessions_ended"] == 2
    # ...and their very next request is sent to sign in; a colleague carries on.
    for client in (desk, phone):
        response = client.get(reverse("pages:home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:sign-in"))
    assert other.get(reverse("pages:home")).status_code == 200


def test_an_inactive_account_s_session_is_refused_even_if_its_row_survives(council):
    """Defence in depth: Django gives no user for an inactive account's session."""
    leaving = make_staff(council, Role.REFERRER, "leaving@example.org")
    client = _signed_in_client(leaving.email)
    type(leaving).objects.filter(pk=leaving.pk).update(is_active=False)
    response = client.get(reverse("pages:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:sign-in"))
