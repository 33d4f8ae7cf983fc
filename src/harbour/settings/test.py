"""Test settings: the same as base, with a fast password hasher. The database comes from
DATABASE_URL (the Makefile runs the suite once on SQLite and once on PostgreSQL)."""

from harbour.settings.base import *  # noqa: F403  (settings modules extend each other)
from harbour.settings.base import DATABASES, env

SECRET_KEY = "test-only-secret-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"] = env.db_url("DATABASE_URL", default="sqlite:///:memory:")
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
