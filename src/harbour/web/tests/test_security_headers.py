"""Deployment hardening (issue 16 part 2, ADR 0042): the Content Security Policy allows no inline
script and no framing, no template carries inline script, every dynamic answer is no-store, and
the production settings pass ``check --deploy`` at WARNING with secure cookies and HSTS."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse

from harbour.testing import make_agency, make_staff

SRC = Path(__file__).resolve().parents[2]  # src/harbour

PRODUCTION_ENV = {
    "HARBOUR_SECRET_KEY": "test-only-production-secret-" + "k7Qx9pLm2Vb8Zr4Tn6Wc1Yd3Hf5Js0Ga",
    "DATABASE_URL": "postgres://harbour@127.0.0.1:5432/harbour",
    "HARBOUR_ALLOWED_HOSTS": "harbour.example.org",
    "HARBOUR_AUDIT_KEY": "test-only-audit-key",
}


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
def test_every_page_has_a_policy_with_no_inline_script_no_eval_and_no_framing(client):
    client.force_login(make_staff(make_agency("police")))
    for url in (reverse("pages:home"), reverse("web:privacy")):
        policy = _policy(client.get(url))
        assert policy["script-src"] == ["'self'"]
        assert policy["default-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert not any("unsafe-eval" in v for values in policy.values() for v in values)
    client.logout()
    assert "frame-ancestors 'none'" in client.get(reverse("web:sign-in"))["Content-Security-Policy"]


EVENT_HANDLER = re.compile(
    r"\son(?:click|change|input|submit|load|error|focus|blur|key\w+|mouse\w+)\s*=", re.I
)


def _templates() -> list[Path]:
    return sorted(p for p in SRC.rglob("templates/**/*.html"))


def test_no_template_has_inline_script_or_event_handlers():
    """``script-src 'self'`` would block them in the browser; this finds them before it does. A
    ``<script type="application/json">`` (Django's ``json_script``) is data, never run."""
    problems = []
    for path in _templates():
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                problems.append(f"{path.relative_to(SRC)}: {tag}")
        for handler in re.findall(EVENT_HANDLER, text):
            problems.append(f"{path.relative_to(SRC)}: {handler.strip()}")
        if "javascript:" in text:
            problems.append(f"{path.relative_to(SRC)}: javascript: URL")
    assert len(_templates()) > 50
    assert problems == []


def test_the_template_scan_finds_inline_script(tmp_path, monkeypatch):
    bad = tmp_path / "templates" / "x"
    bad.mkdir(parents=True)
    (bad / "page.html").write_text('<script>alert(1)</script><a onclick="x()">')
    monkeypatch.setattr(sys.modules[__name__], "SRC", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "_templates", lambda: [bad / "page.html"] * 51)
    with pytest.raises(AssertionError, match=r"alert|onclick|script"):
        test_no_template_has_inline_script_or_event_handlers()


@pytest.mark.django_db
def test_pages_and_the_api_are_no_store_but_static_files_are_cached(client):
    signed_out = client.get(reverse("web:sign-in"))
    assert "no-store" in signed_out["Cache-Control"]
    assert "private" in signed_out["Cache-Control"]
    api = client.get("/api/referrals/FD-2026-000001")
    assert api.status_code == 401 and "no-store" in api["Cache-Control"]
    static = client.get("/static/web/harbour.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")


def _run(*args: str, settings_module: str = "harbour.settings.production", **env: str):
    # As a deployment would be: none of the test run's own settings (DJANGO_ALLOW_ASYNC_UNSAFE is
    # the browser journeys').
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HARBOUR_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    clean.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(
        [sys.executable, *args], env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deploy_check_at_warning():
    result = _run("-m", "harbour", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_fails_on_a_weak_production_setting():
    """It can fail: a production secret key too short to be safe is a warning, so an exit of 1."""
    result = _run(
        "-m",
        "harbour",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **{**PRODUCTION_ENV, "HARBOUR_SECRET_KEY": "short"},
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
    "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, s.CSRF_COOKIE_SAMESITE, "
    "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, "
    "s.SESSION_COOKIE_NAME, s.X_FRAME_OPTIONS)"
)


def test_production_cookies_are_secure_httponly_and_samesite_with_hsts():
    result = _run("-c", SHOW, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "Lax",
        "True",
        "True",
        "Lax",
        "31536000",
        "True",
        "True",
        "__Host-harbour-session",
        "DENY",
    ]


# The production runner -------------------------------------------------------------------------

ROOT = SRC.parent.parent  # the checkout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_serves_harbour_in_production_behind_the_proxy(tmp_path):
    """deploy/gunicorn.conf.py with two workers and the production settings (on a throwaway
    SQLite file here; PostgreSQL in a deployment): an answer through the proxy's headers carries
    HSTS, the policy and no-store; plain HTTP is sent to HTTPS."""
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HARBOUR_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    env.update(
        PRODUCTION_ENV,
        DATABASE_URL=f"sqlite:///{tmp_path / 'harbour.sqlite3'}",
        DJANGO_SETTINGS_MODULE="harbour.settings.production",
        HARBOUR_BIND=f"127.0.0.1:{port}",
        HARBOUR_WORKERS="2",
        HARBOUR_ALLOWED_HOSTS="harbour.example.org",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "harbour.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/problems/rate-limited"
        secure = {"Host": "harbour.example.org", "X-Forwarded-Proto": "https"}
        deadline = time.monotonic() + 90
        while True:
            try:
                answer = urllib.request.urlopen(urllib.request.Request(url, headers=secure))
                break
            except (ConnectionError, urllib.error.URLError):
                assert server.poll() is None, server.stdout.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.5)
        assert answer.status == 200
        assert json.loads(answer.read())["status"] == 429
        headers = answer.headers
        assert headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "no-store" in headers["Cache-Control"]
        plain = urllib.request.Request(url, headers={"Host": "harbour.example.org"})

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        with pytest.raises(urllib.error.HTTPError) as redirected:
            urllib.request.build_opener(NoRedirect).open(plain)
        assert redirected.value.code == 301
        assert redirected.value.headers["Location"].startswith("https://harbour.example.org/")
    finally:
        server.terminate()
        server.wait(timeout=30)
