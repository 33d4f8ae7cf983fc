"""Production refuses to start without its secrets; the other settings modules load."""

import os
import subprocess
import sys

import pytest

CHECK = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def run(settings_module, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HARBOUR_", "DATABASE_URL"))}
    clean.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(
        [sys.executable, "-c", CHECK], env=clean, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "missing",
    ["HARBOUR_SECRET_KEY", "DATABASE_URL", "HARBOUR_ALLOWED_HOSTS", "HARBOUR_AUDIT_KEY"],
)
def test_production_refuses_to_start_without_each_secret(missing):
    env = {
        "HARBOUR_SECRET_KEY": "a-long-random-production-secret",
        "DATABASE_URL": "postgres://harbour@127.0.0.1:5432/harbour",
        "HARBOUR_ALLOWED_HOSTS": "harbour.example.org",
        "HARBOUR_AUDIT_KEY": "a-long-random-audit-key",
    }
    del env[missing]
    result = run("harbour.settings.production", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_starts_with_its_secrets_and_debug_off():
    result = run(
        "harbour.settings.production",
        HARBOUR_SECRET_KEY="a-long-random-production-secret",
        DATABASE_URL="postgres://harbour@127.0.0.1:5432/harbour",
        HARBOUR_ALLOWED_HOSTS="harbour.example.org",
        HARBOUR_AUDIT_KEY="a-long-random-audit-key",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
