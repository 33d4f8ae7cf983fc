"""The audit's request id is the server's own (issue 10, finding 7; ADR 0018): a client cannot set
it through ``X-Request-ID``; what a client sends is kept beside it, made safe."""

import re

import pytest
from django.urls import reverse

from harbour.access.middleware import CLIENT_REQUEST_ID_LENGTH, client_request_id
from harbour.access.models import AuditEvent

pytestmark = pytest.mark.django_db

SERVER_ID = re.compile(r"^[0-9a-f]{32}$")


def failed_sign_in(client, **headers):
    """A request that writes one audit event without anyone signed in."""
    return client.post(
        reverse("web:sign-in"), {"username": "nobody@example.test", "password": "x"}, **headers
    )


def test_the_request_id_is_the_servers_own_whatever_the_client_sends(client):
    chosen = "0123456789abcdef0123456789abcdef"  # even one shaped like ours
    response = failed_sign_in(client, HTTP_X_REQUEST_ID=chosen)
    event = AuditEvent.objects.get()
    assert SERVER_ID.match(response["X-Request-ID"])
    assert response["X-Request-ID"] != chosen
    assert event.request_id == response["X-Request-ID"]
    assert event.detail["client_request_id"] == chosen


def test_each_request_gets_a_new_id(client):
    ids = {failed_sign_in(client, HTTP_X_REQUEST_ID="same")["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3
    assert set(AuditEvent.objects.values_list("request_id", flat=True)) == ids


def test_a_request_without_an_id_records_none_from_the_client(client):
    response = failed_sign_in(client)
    event = AuditEvent.objects.get()
    assert event.request_id == response["X-Request-ID"]
    assert "client_request_id" not in event.detail


def test_a_clients_id_is_kept_only_made_safe_and_short(client):
    sent = '<script>alert("x")</script>\r\n' + "a" * 200
    failed_sign_in(client, HTTP_X_REQUEST_ID=sent)
    kept = AuditEvent.objects.get().detail["client_request_id"]
    assert kept == client_request_id(sent)
    assert re.fullmatch(r"[A-Za-z0-9._:-]+", kept)
    assert len(kept) == CLIENT_REQUEST_ID_LENGTH
    assert kept.startswith("scriptalertxscript")


def test_only_unsafe_characters_are_dropped():
    assert client_request_id("trace-1.2:3_x") == "trace-1.2:3_x"
    assert client_request_id("") == ""
    assert client_request_id("   ") == ""
