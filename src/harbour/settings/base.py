"""Settings shared by every environment. Local runs (``make demo``) use these directly.

Production differs only by environment variables (see ``production.py``).
"""

from datetime import timedelta
from pathlib import Path

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
    # Sign-in lockout by username (ADR 0042).
    "axes",
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
    # Every answer past the static files: Content-Security-Policy, and no copy kept in any cache
    # (ADR 0042).
    "csp.middleware.CSPMiddleware",
    "harbour.web.security.NoStoreMiddleware",
    "harbour.access.middleware.RequestIdMiddleware",
    # Under /api/, every error answer is an RFC 9457 problem body (ADR 0011).
    "harbour.frontdoor.problems.ApiProblemMiddleware",
    # Per-token rate limit, counted in the database outside the request's transaction (ADR 0042).
    "harbour.frontdoor.ratelimit.ApiRateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Idle and absolute session limits (ADR 0042).
    "harbour.web.security.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "harbour.access.middleware.AuditUnavailableMiddleware",
    # Last: answers the sign-in form with the locked-out page once a username is locked.
    "axes.middleware.AxesMiddleware",
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
# Axes first: it refuses a locked-out username before any password is checked (ADR 0042).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Passwords as the NCSC advises: long enough, not a known common or breached one, and no
# composition rules (no "one digit and one symbol"). The blocklist is the one Django ships
# (about 20,000 of the most common passwords, CommonPasswordValidator's own file).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
# A password reset link works once (the token covers the password hash) and for an hour.
PASSWORD_RESET_TIMEOUT = 60 * 60

# Lockout by username, never by address: ten wrong passwords in a row lock that username for
# fifteen minutes, wherever they came from, so one office behind one address is never shut out
# by a colleague's (or an attacker's) mistakes (ADR 0042). A correct sign-in resets the count; a
# failure during the lockout does not extend it, so the cool-off is always finite.
AXES_ENABLED = env.bool("HARBOUR_AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("HARBOUR_SIGN_IN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("HARBOUR_SIGN_IN_COOL_OFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "harbour.web.security.sign_in_username"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "harbour.web.views.locked_out"
# Harbour's own audit log records every sign-in and failure (ADR 0018); Axes keeps only its
# counts, not a second log of who signed in from where.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Axes warns when the lockout is not also keyed on the address. It is not, on purpose: many staff
# of one agency share one address, and a lock on it would shut a whole office out (ADR 0042).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Sessions end after 30 minutes without a request, and 10 hours after signing in whatever
# happens (harbour.web.security.SessionLimitsMiddleware); the cookie goes when the browser
# closes. Saving on every request moves the server-side expiry with each page.
HARBOUR_SESSION_IDLE_SECONDS = 30 * 60
HARBOUR_SESSION_ABSOLUTE_SECONDS = 10 * 60 * 60
SESSION_COOKIE_AGE = HARBOUR_SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy (django-csp, ADR 0042): scripts and everything else only from Harbour
# itself, no inline script and no eval; no framing by anyone. Styles allow inline because
# Vega's SVG and htmx set style attributes; no script can run from a style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

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
# The chain's head is anchored outside the database (ADR 0041): ``harbour audit anchor``, at
# least every 15 minutes, appends a line signed with this key to a file in this directory. In
# production the directory is on another volume or host, writable only by the anchoring job, and
# the key is readable only by that job and by ``harbour audit verify`` (not by the web app).
# Without its own key the anchor key is derived from the audit key (fine for a demo only).
HARBOUR_AUDIT_ANCHOR_DIR = Path(
    env.str("HARBOUR_AUDIT_ANCHOR_DIR", default=str(PROJECT_DIR / "var" / "audit-anchors"))
)
HARBOUR_AUDIT_ANCHOR_KEY = env.str("HARBOUR_AUDIT_ANCHOR_KEY", default="")
# An anchor older than this many minutes makes ``harbour audit verify`` warn (the timer runs
# every 15 minutes).
HARBOUR_AUDIT_ANCHOR_MAX_AGE_MINUTES = env.int("HARBOUR_AUDIT_ANCHOR_MAX_AGE_MINUTES", default=30)
# The suspicious-access rules ``harbour audit watch`` runs over the audit stream (ADR 0041): the
# thresholds, as data a partnership may change without a release.
HARBOUR_AUDIT_WATCH = {
    # One person viewing at least this many different children within any hour.
    "many_children_per_hour": env.int("HARBOUR_AUDIT_WATCH_CHILDREN_PER_HOUR", default=25),
    # Out of hours (from evening_starts to morning_ends, local time, and all weekend): at least
    # this many different children viewed by one person in one night or weekend day.
    "out_of_hours_children": env.int("HARBOUR_AUDIT_WATCH_OUT_OF_HOURS_CHILDREN", default=8),
    "evening_starts": env.int("HARBOUR_AUDIT_WATCH_EVENING_STARTS", default=20),
    "morning_ends": env.int("HARBOUR_AUDIT_WATCH_MORNING_ENDS", default=7),
    "weekends_out_of_hours": env.bool("HARBOUR_AUDIT_WATCH_WEEKENDS", default=True),
    # How far back each run reads (every run is idempotent; an alert is never raised twice).
    "look_back_hours": env.int("HARBOUR_AUDIT_WATCH_LOOK_BACK_HOURS", default=48),
}
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
# The automated referrals API (ADR 0042): a token works this many days after it is made; a
# rotated token keeps working this many days beside its successor; each token may make this many
# requests a minute (counted in the database, so across every worker), then 429.
HARBOUR_API_TOKEN_DAYS = env.int("HARBOUR_API_TOKEN_DAYS", default=90)
HARBOUR_API_TOKEN_OVERLAP_DAYS = env.int("HARBOUR_API_TOKEN_OVERLAP_DAYS", default=7)
HARBOUR_API_RATE_LIMIT = env.int("HARBOUR_API_RATE_LIMIT", default=120)
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
# The key of the pseudonyms in Harbour's own extracts (ADR 0039): HMAC-SHA256 of each child's
# identifier. Kept outside the store, so the store alone never gives a child back: in the
# environment (HARBOUR_PSEUDONYM_KEY, at least 32 characters) or in a file only Harbour reads
# (HARBOUR_PSEUDONYM_KEY_FILE, never inside HARBOUR_INSIGHT_STORE). A local run makes a random
# key file under var/ the first time; production makes none and the extract refuses to run
# without one. Changing the key changes every pseudonym (a new extract replaces them all).
HARBOUR_PSEUDONYM_KEY = env.str("HARBOUR_PSEUDONYM_KEY", default="")
HARBOUR_PSEUDONYM_KEY_FILE = env.str(
    "HARBOUR_PSEUDONYM_KEY_FILE", default=str(PROJECT_DIR / "var" / "insight-pseudonym.key")
)
# A large events file is matched against a copy of the person index kept here in DuckDB and
# brought up to date before each file (ADR 0038); empty: read afresh for every file.
HARBOUR_PERSON_INDEX_COPY = env.str(
    "HARBOUR_PERSON_INDEX_COPY", default=str(PROJECT_DIR / "var" / "person-index")
)
# The language checker's sentence model (ADR 0044): measured on held-out sentences, but on
# ordinary case notes it suggests rewording where nothing blames the child, so practitioners see
# the rules' suggestions only until the partnership turns it on.
HARBOUR_LANGUAGE_MODEL = env.bool("HARBOUR_LANGUAGE_MODEL", default=False)
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
