"""Test settings: the same as base, with a fast password hasher. The database comes from
DATABASE_URL (the Makefile runs the suite once on SQLite and once on PostgreSQL)."""

import hashlib
import os

from harbour.settings.base import *  # noqa: F403  (settings modules extend each other)
from harbour.settings.base import DATABASES
from harbour.settings.env import PROJECT_DIR, env

SECRET_KEY = "test-only-secret-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test's database is new: a large file reads the person index afresh, unless a test keeps
# a copy in its own directory (ADR 0038).
HARBOUR_PERSON_INDEX_COPY = ""
DATABASES["default"] = env.db_url("DATABASE_URL", default="sqlite:///:memory:")
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
    # Files, not shared-cache memory: SQLite's shared cache locks tables without waiting, so
    # concurrent writers (the audit chain test, the live server) would fail instead of queueing;
    # and an in-memory NAME makes Django hand the live server the test thread's own connection,
    # which crashes when both threads use it at once.
    (PROJECT_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["NAME"] = str(PROJECT_DIR / "var" / "harbour-test-unused.sqlite3")
    # One file per test process, so runs side by side never share (or delete) each other's.
    DATABASES["default"]["TEST"] = {
        "NAME": str(PROJECT_DIR / "var" / f"test-harbour-{os.getpid()}.sqlite3")
    }
else:
    # One test database per checkout, so a fresh-clone check and a working tree can run their
    # suites at the same time without dropping each other's databases.
    checkout = hashlib.sha1(str(PROJECT_DIR).encode()).hexdigest()[:8]  # noqa: S324  (a name, not security)
    DATABASES["default"]["TEST"] = {"NAME": f"test_harbour_{checkout}"}
STATIC_ROOT = PROJECT_DIR / "build" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test process anchors the audit chain in its own empty directory (tests that anchor use their
# own tmp_path), never in the demo's var/audit-anchors.
HARBOUR_AUDIT_ANCHOR_DIR = PROJECT_DIR / "var" / f"test-audit-anchors-{os.getpid()}"
# Tests that are not about the API's rate limit (Schemathesis sends hundreds of requests a minute
# with one token) are not stopped by it; its own tests set their limit (ADR 0042).
HARBOUR_API_RATE_LIMIT = 100_000
