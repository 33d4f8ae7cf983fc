"""Settings shared by every environment. Local runs (``make demo``) use these directly.

Production differs only by environment variables (see ``production.py``).
"""

from harbour.settings.env import PROJECT_DIR, env

SECRET_KEY = env.str(
    "HARBOUR_SECRET_KEY", default="insecure-local-demo-key-never-use-in-production"
)
DEBUG = env.bool("HARBOUR_DEBUG", default=False)
ALLOWED_HOSTS = env.list("HARBOUR_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_typer",
    # Django Ninja, for the automated referrals API; listed so its Swagger page uses the
    # swagger-ui files it ships (static) rather than a CDN.
    "ninja",
    # One background task runner (ADR 0028): Django's tasks framework and its database backend.
    "django_tasks",
    "django_tasks_db",
    "harbour.web",
    "harbour.partnership",
    "harbour.access",
    "harbour.children",
    "harbour.identity",
    "harbour.language",
    "harbour.frontdoor",
    "harbour.notices",
    "harbour.insight",
    "harbour.pages",
    "harbour.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "harbour.access.middleware.RequestIdMiddleware",
    # Under /api/, every error answer is an RFC 9457 problem body (ADR 0011).
    "harbour.frontdoor.problems.ApiProblemMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "harbour.access.middleware.AuditUnavailableMiddleware",
]

ROOT_URLCONF = "harbour.urls"
WSGI_APPLICATION = "harbour.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "harbour.web.context_processors.navigation",
                "harbour.frontdoor.context_processors.clock_alerts",
                "harbour.notices.context_processors.unread_notices",
            ],
        },
    },
]
FORM_RENDERER = "harbour.web.forms.GovukFormRenderer"

_default_sqlite = f"sqlite:///{PROJECT_DIR / 'var' / 'harbour.sqlite3'}"
DATABASES = {"default": env.db_url("DATABASE_URL", default=_default_sqlite)}
# Every request is one transaction, so a child's data and its access event commit together.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A worker keeps its connection between requests (a new PostgreSQL connection costs a
# process and cold caches each time: ADR 0038), checked before it is reused.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("HARBOUR_DB_CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent requests queue instead of failing
    # with "database is locked" when they both append to the audit chain.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "partnership.Staff"
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "pages:home"
LOGOUT_REDIRECT_URL = "web:sign-in"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "var" / "static"
# Built by scripts/build-assets.sh from npm packages (govuk-frontend, MoJ frontend, htmx).
STATICFILES_DIRS = [PROJECT_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Keys the audit chain's HMAC. Kept outside the database so that write access to the table is
# not enough to forge the chain; production refuses to start without its own.
HARBOUR_AUDIT_KEY = env.str("HARBOUR_AUDIT_KEY", default="local-demo-audit-key")
HARBOUR_SERVICE_NAME = "Harbour"
# Local runs hold the synthetic partnership only; production says nothing of the kind.
HARBOUR_SYNTHETIC_DATA = env.bool("HARBOUR_SYNTHETIC_DATA", default=True)
HARBOUR_PARTNERSHIP_NAME = env.str(
    "HARBOUR_PARTNERSHIP_NAME", default="Riverside Safeguarding Partnership"
)
# The partnership's area as a box of WGS84 degrees (west, south, east, north): an agency's event
# placed outside it is refused (issue 11). The default holds the synthetic Riverside.
HARBOUR_AREA_BOUNDS = tuple(
    float(v) for v in env.list("HARBOUR_AREA_BOUNDS", default=["-1.80", "52.30", "-1.30", "52.55"])
)
# How long a break-glass grant lasts before the practitioner must give a reason again.
HARBOUR_BREAK_GLASS_HOURS = env.int("HARBOUR_BREAK_GLASS_HOURS", default=8)
# Published counts from 1 to this less one are shown as [c] (harbour.disclosure); a partnership
# may choose more than 5, never fewer.
HARBOUR_DISCLOSURE_THRESHOLD = max(5, env.int("HARBOUR_DISCLOSURE_THRESHOLD", default=5))

# The insight store (ADR 0022): Parquet files partitioned by source and month. Production points
# it at its own volume (or a mount of object storage); the catalogue is in the database.
HARBOUR_INSIGHT_STORE = env.path(
    "HARBOUR_INSIGHT_STORE", default=str(PROJECT_DIR / "var" / "insight-store")
)
# A large events file is matched against a copy of the person index kept here in DuckDB and
# brought up to date before each file (ADR 0038); empty: read afresh for every file.
HARBOUR_PERSON_INDEX_COPY = env.str(
    "HARBOUR_PERSON_INDEX_COPY", default=str(PROJECT_DIR / "var" / "person-index")
)
# The partnership's choice for a file with bad rows: refuse it whole (the default), or set the
# bad rows aside, listed with their problems, and import the rest.
HARBOUR_INSIGHT_QUARANTINE_ROWS = env.bool("HARBOUR_INSIGHT_QUARANTINE_ROWS", default=False)
# How an import started from the page runs: "thread" (beside the web process, so the page can
# show its progress) or "inline" (in the request, after it commits).
HARBOUR_INSIGHT_RUNNER = env.str("HARBOUR_INSIGHT_RUNNER", default="thread")

# Background tasks (ADR 0028): enqueued in the database, run by `harbour db_worker` (`make demo`
# starts one beside the server). A test that wants a task run at once overrides TASKS.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Email goes through Django's pluggable backend: the console in a local run, SMTP in production
# (HARBOUR_EMAIL_BACKEND and Django's EMAIL_* settings from the environment); tests use locmem.
EMAIL_BACKEND = env.str(
    "HARBOUR_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("HARBOUR_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("HARBOUR_EMAIL_PORT", default=25)
EMAIL_USE_TLS = env.bool("HARBOUR_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("HARBOUR_FROM_EMAIL", default="Harbour <harbour@riverside.example>")
# The address notices link back to (a notice's email carries a link, never the record).
HARBOUR_SITE_URL = env.str("HARBOUR_SITE_URL", default="http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("HARBOUR_LOG_LEVEL", default="WARNING")},
}
