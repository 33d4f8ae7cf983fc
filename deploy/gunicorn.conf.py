"""Gunicorn for Harbour in production (docs/deployment.md, ADR 0042).

Run as: gunicorn -c deploy/gunicorn.conf.py harbour.wsgi:application
with DJANGO_SETTINGS_MODULE=harbour.settings.production and the environment it requires.
Gunicorn listens on loopback only; the reverse proxy in front (deploy/nginx.conf) ends TLS."""

import multiprocessing
import os

bind = os.environ.get("HARBOUR_BIND", "127.0.0.1:8001")
# Sync workers: each request is one database transaction (ATOMIC_REQUESTS). Every worker shares
# the sign-in lockout and the API's rate limit, which are counted in the database.
workers = int(os.environ.get("HARBOUR_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
timeout = int(os.environ.get("HARBOUR_WORKER_TIMEOUT", "120"))  # a bulk file or a PDF report
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Trust X-Forwarded-Proto only from the proxy on this machine.
forwarded_allow_ips = os.environ.get("HARBOUR_PROXY_IPS", "127.0.0.1")
# Request-line and header limits below gunicorn's defaults' upper end.
limit_request_line = 8190
limit_request_fields = 100
# Logs to stdout/stderr for journald. The access log names paths (record ids), never query
# strings, which may hold a search for a child's name.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms "%({x-request-id}o)s"'
errorlog = "-"
loglevel = os.environ.get("HARBOUR_LOG_LEVEL", "warning").lower()
