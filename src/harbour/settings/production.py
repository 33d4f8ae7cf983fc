"""Production: secrets and the database come from the environment, or Harbour refuses to start."""

from django.core.exceptions import ImproperlyConfigured

from harbour.settings.base import *  # noqa: F403  (settings modules extend each other)
from harbour.settings.base import env

_REQUIRED = ("HARBOUR_SECRET_KEY", "DATABASE_URL", "HARBOUR_ALLOWED_HOSTS", "HARBOUR_AUDIT_KEY")
_missing = [name for name in _REQUIRED if not env.str(name, default="")]
if _missing:
    raise ImproperlyConfigured(
        "Harbour will not start in production without these environment variables: "
        + ", ".join(_missing)
    )

SECRET_KEY = env.str("HARBOUR_SECRET_KEY")
HARBOUR_AUDIT_KEY = env.str("HARBOUR_AUDIT_KEY")
HARBOUR_SYNTHETIC_DATA = False
# The extracts' pseudonymisation key (ADR 0039): the environment's or a file the deployment
# provides; no default file, so ``harbour insight extract`` refuses to run until one is set.
HARBOUR_PSEUDONYM_KEY_FILE = env.str("HARBOUR_PSEUDONYM_KEY_FILE", default="")
DEBUG = False
ALLOWED_HOSTS = env.list("HARBOUR_ALLOWED_HOSTS")
DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A worker keeps its connection between requests (a new PostgreSQL connection costs a
# process and cold caches each time: ADR 0038), checked before it is reused.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("HARBOUR_DB_CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
# Behind the reverse proxy (docs/deployment.md, ADR 0042): HTTPS only, for a year, here and on
# every subdomain; cookies only over HTTPS, never to scripts, not sent from other sites; the
# __Host- prefix pins each cookie to this host and path /.
SECURE_SSL_REDIRECT = env.bool("HARBOUR_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-harbour-session"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-harbour-csrf"
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HARBOUR_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("HARBOUR_HSTS_PRELOAD", default=True)
# The proxy sets X-Forwarded-Proto (and overwrites any the client sent).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if not host.startswith(".")]
