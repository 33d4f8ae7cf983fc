"""The API's hardening (issue 16 part 2, ADR 0042): tokens expire and rotate, each token has a
rate limit answering 429 with a problem body and Retry-After, counted in the database so every
worker shares it, and JSON is read only when sent as application/json."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.core.management import call_command
from django.db import close_old_connections
from django.test import Client, override_settings
from django.utils import timezone

from harbour.access.models import AuditEvent
from harbour.frontdoor import ratelimit, tokens
from harbour.frontdoor.api import api
from harbour.frontdoor.models import ApiRateWindow, ApiToken, Referral
from harbour.frontdoor.tests.api_support import assert_problem, make_feeds, referral_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def feeds(db):
    return make_feeds()


def _token(sender) -> ApiToken:
    return ApiToken.objects.get(prefix=sender.secret.split("_")[1])


# Expiry ---------------------------------------------------------------------------------------


def test_a_new_token_expires_in_90_days(feeds):
    token = _token(feeds["police"])
    left = token.expires_at - timezone.now()
    assert dt.timedelta(days=89, hours=23) < left <= dt.timedelta(days=90)


def test_an_expired_token_is_401_with_a_problem_body_saying_so(feeds):
    police = feeds["police"]
    ApiToken.objects.filter(pk=_token(police).pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    for response in (police.post("custody", referral_body()), police.get("FD-2026-000001")):
        body = assert_problem(response, 401)
        assert body["type"] == "/api/problems/unauthenticated"
        assert "expired" in body["detail"]
        assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert Referral.objects.count() == 0


def test_a_token_works_until_its_expiry(feeds):
    police = feeds["police"]
    ApiToken.objects.filter(pk=_token(police).pk).update(
        expires_at=timezone.now() + dt.timedelta(minutes=1)
    )
    assert police.post("custody", referral_body()).status_code == 201


# Rotation -------------------------------------------------------------------------------------


def test_rotation_issues_a_new_token_and_the_old_one_expires_soon(feeds):
    police = feeds["police"]
    old = _token(police)
    made = tokens.token_rotate(token=old, system_actor="test")
    old.refresh_from_db()
    assert old.replaced_by == made.token
    assert made.token.agency == old.agency and made.token.name == old.name
    overlap = old.expires_at - timezone.now()
    assert dt.timedelta(days=6, hours=23) < overlap <= dt.timedelta(days=7)
    # Both work during the overlap.
    assert police.post("custody", referral_body()).status_code == 201
    response = Client().post(
        "/api/referrals/custody",
        data=json.dumps(referral_body()),
        content_type="application/json",
        headers={"Authorization": f"Bearer {made.secret}", "Idempotency-Key": "rotated-1"},
    )
    assert response.status_code == 201
    event = AuditEvent.objects.get(event="api_token.rotated")
    assert event.detail["replaced_by"] == made.token.prefix
    # A rotated token is not rotated twice, and an expired one not at all.
    with pytest.raises(Exception, match="rotated already"):
        tokens.token_rotate(token=old)
    ApiToken.objects.filter(pk=made.token.pk).update(expires_at=timezone.now())
    with pytest.raises(Exception, match="revoked or expired"):
        tokens.token_rotate(token=made.token)


def test_the_rotate_command_prints_the_new_token_once(feeds, capsys):
    old = _token(feeds["police"])
    call_command("frontdoor", "token", "rotate", old.prefix)
    out = capsys.readouterr().out
    secret = next(line.strip() for line in out.splitlines() if line.strip().startswith("hbr_"))
    new = ApiToken.objects.get(prefix=secret.split("_")[1])
    assert f"replaces {old.prefix}" in out
    call_command("frontdoor", "token", "list")
    listed = capsys.readouterr().out
    assert f"replaced by {new.prefix}" in listed and secret not in listed


# Rate limit -----------------------------------------------------------------------------------


@override_settings(HARBOUR_API_RATE_LIMIT=3)
def test_past_the_limit_a_token_gets_429_with_a_problem_body_and_retry_after(feeds):
    police = feeds["police"]
    answers = [police.get("FD-2026-000001") for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [404, 404, 404]
    body = assert_problem(answers[3], 429)
    assert body["type"] == "/api/problems/rate-limited"
    assert 1 <= int(answers[3]["Retry-After"]) <= 60
    assert "3 requests a minute" in body["detail"]
    assert answers[3]["X-Request-ID"]
    assert "no-store" in answers[3]["Cache-Control"]
    # A refused send saves nothing.
    assert police.post("custody", referral_body()).status_code == 429
    assert Referral.objects.count() == 0
    # Another agency's token has its own allowance.
    assert feeds["ambulance"].get("FD-2026-000001").status_code == 404


@override_settings(HARBOUR_API_RATE_LIMIT=2)
def test_the_limit_is_per_minute(feeds):
    token = _token(feeds["police"])
    start = timezone.now().replace(second=10, microsecond=0)
    assert [ratelimit.hit(token, start).allowed for _ in range(3)] == [True, True, False]
    verdict = ratelimit.hit(token, start)
    assert verdict.retry_after == 50
    assert ratelimit.hit(token, start + dt.timedelta(minutes=1)).allowed


def test_windows_older_than_an_hour_are_cleared(feeds):
    token = _token(feeds["police"])
    now = timezone.now()
    ratelimit.hit(token, now - dt.timedelta(hours=2))
    ratelimit.hit(token, now)
    assert ApiRateWindow.objects.filter(token=token).count() == 1


def test_a_wrong_secret_uses_no_one_s_allowance(feeds, client):
    police = feeds["police"]
    forged = police.secret[:-4] + "AAAA"
    client.get("/api/referrals/FD-2026-000001", headers={"Authorization": f"Bearer {forged}"})
    assert not ApiRateWindow.objects.exists()


@pytest.mark.django_db(transaction=True)
@override_settings(HARBOUR_API_RATE_LIMIT=20)
def test_the_count_is_shared_by_concurrent_workers():
    """Each thread has its own database connection, as each gunicorn worker has: 10 of them
    sending 4 requests each at once get exactly 20 allowed between them."""
    feeds = make_feeds()
    token = _token(feeds["police"])
    allowed: list[bool] = []
    lock = threading.Lock()
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(seconds=1)

    def worker() -> None:
        try:
            for _ in range(4):
                verdict = ratelimit.hit(token, start)
                with lock:
                    allowed.append(verdict.allowed)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 40
    assert allowed.count(True) == 20
    assert ApiRateWindow.objects.get(token=token).count == 40


# JSON only as application/json -----------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "text/csv", "application/xml"],
)
@pytest.mark.parametrize("path", ["/api/referrals/custody", "/api/events", "/api/needs"])
def test_json_sent_as_anything_else_is_415(feeds, content_type, path):
    police = feeds["police"]
    response = police.client.post(
        path, data=json.dumps(referral_body()), content_type=content_type, headers=police.headers()
    )
    body = assert_problem(response, 415)
    assert body["type"] == "/api/problems/json-required"
    assert content_type in body["detail"]
    assert Referral.objects.count() == 0


def test_json_with_a_charset_is_accepted(feeds):
    police = feeds["police"]
    response = police.client.post(
        "/api/referrals/custody",
        data=json.dumps(referral_body()),
        content_type="application/json; charset=utf-8",
        headers=police.headers(),
    )
    assert response.status_code == 201


def test_the_openapi_document_says_what_is_accepted():
    schema = api.get_openapi_schema()
    assert "application/json" in schema["info"]["description"]
    for path in ("/api/referrals/{feed}", "/api/events", "/api/needs"):
        post = schema["paths"][path]["post"]
        assert list(post["requestBody"]["content"]) == ["application/json"]
        assert {"415", "429"} <= {str(code) for code in post["responses"]}
    read = schema["paths"]["/api/referrals/{reference}"]["get"]
    assert "429" in {str(code) for code in read["responses"]}
