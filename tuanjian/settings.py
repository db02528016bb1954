"""Settings, read from the environment.

With nothing set the app runs embedded: SQLite file, Celery tasks run eagerly, DEBUG on.
Production sets DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("生产环境必须设置 SECRET_KEY 环境变量")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "mptt",
    "django_htmx",
    "django_filters",
    "django_tables2",
    "import_export",
    "axes",  # login throttling; its admin lists lockouts and unlocks them
    "csp",
    # The project's apps, lowest floor first: each imports only from those above it in this list.
    "core",
    "orgtree",
    "notifications",
    "plans",
    "indicators",
    "assignments",
    "reporting",
    "supervision",
    "evaluation",
    "tuanjian",
]

MIDDLEWARE = [
    "tuanjian.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # An upload above MAX_UPLOAD_BYTES is answered 413 from its Content-Length, before it is received.
    "core.uploads.UploadLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked login_not_required (the login page).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tuanjian.middleware.FreshStatesMiddleware",
    # Last, as axes asks: turns a login refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tuanjian.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.notifications",
                "orgtree.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "tuanjian.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Persistent connections are for long-lived production processes (compose sets 60 s).
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several requests (and the loader) write at once in the embedded mode: wait instead of failing.
    # IMMEDIATE takes the write lock when a transaction begins: a deferred one that read first and then
    # wrote failed at once with "database is locked" (SQLite does not wait to upgrade a read lock).
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=30, transaction_mode="IMMEDIATE")
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database fails a request (and /healthz/) within seconds, not after TCP's minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "tuanjian.accounts.MinimumLengthValidator"},  # Django's, with its message in Chinese
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # tuanjian.views.home sends each role to its work
LOGOUT_REDIRECT_URL = "login"

# The axes backend first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one account from one
# address, that account cannot sign in from that address for LOGIN_COOLOFF_MINUTES (each further try
# restarts the wait). Per account *and* address: a colleague behind the same office NAT, or the owner
# elsewhere, is not locked out by someone else's guessing. Admins unlock in the admin (Axes → Access
# attempts).
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，请稍后再试。"
AXES_CLIENT_IP_CALLABLE = "tuanjian.accounts.client_ip"
AXES_VERBOSE = False  # no start-up line on every management command; lockouts are still logged
AXES_SENSITIVE_PARAMETERS = []  # lockouts are logged with the username and address (passwords never)

# A working day: a session ends SESSION_HOURS after login, and with the browser (office computers are
# shared), not 14 days later.
SESSION_COOKIE_AGE = int(float(os.environ.get("SESSION_HOURS", "10")) * 3600)
if SESSION_COOKIE_AGE <= 0:
    raise ImproperlyConfigured("SESSION_HOURS 必须大于 0")
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Celery: a real broker when REDIS_URL is set, otherwise tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Every task is idempotent (tests/test_worker_lost.py lists the ones reviewed), so a job whose worker died
# runs again: acknowledged only after it ran, put back at once when its pool process was killed (the OOM
# killer), and handed out again by Redis after the visibility timeout when the whole worker died.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds no job it is not running
# No job may run longer than an import is given before it counts as stopped (15 min; the longest measured
# job takes ~30 s, BENCHMARKS.md). The visibility timeout is twice that: a running job is never handed
# out a second time, and one whose worker died comes back within 30 minutes, not Celery's default hour.
CELERY_TASK_TIME_LIMIT = int(os.environ.get("IMPORT_JOB_TIMEOUT_SECONDS", "900"))
_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", str(2 * CELERY_TASK_TIME_LIMIT)))
# Redis down or hung holds nobody for long: every Redis client gives up after REDIS_TIMEOUT seconds, and a
# request that cannot queue its job records it for the next scheduled run (core.jobs.enqueue).
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "2"))
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    "socket_timeout": REDIS_TIMEOUT,
    "socket_connect_timeout": REDIS_TIMEOUT,
    "unacked_restore_throttle": 1,  # look for jobs of dead workers every 10 s (one cheap Redis query)
}
# Beat and workers retry a publish briefly; requests do not (core.jobs.enqueue records the job instead).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_step": 0.5, "interval_max": 1}
CELERY_REDIS_SOCKET_TIMEOUT = CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 2, "interval_step": 0.5}}
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Wall-clock schedules (in TIME_ZONE): an interval counts from beat's start, so "nightly" ran whenever
# beat had been started and "hourly" first ran an hour after a restart.
CELERY_BEAT_SCHEDULE = {
    "check-orgtree-nightly": {
        "task": "orgtree.tasks.check_orgtree_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "refresh-statuses-hourly": {
        "task": "supervision.tasks.refresh_statuses_task",
        "schedule": crontab(minute=5),
    },
    "send-reminders-daily": {
        "task": "supervision.tasks.send_reminders_task",
        "schedule": crontab(hour=8, minute=0),
    },
    "send-email-outbox": {
        "task": "notifications.tasks.send_email_outbox_task",
        "schedule": crontab(minute="*/5"),
    },
    "send-pending-jobs": {
        "task": "core.tasks.pending_jobs_task",
        "schedule": crontab(minute="*/5"),
    },
    "purge-staged-uploads-nightly": {
        "task": "core.tasks.purge_staged_uploads_task",
        "schedule": crontab(hour=3, minute=15),
    },
}
# Beat touches a heartbeat file on every tick, at least once a minute; `manage.py check_beat` (its compose
# health check) tells a running beat from one that merely started once.
CELERY_BEAT_SCHEDULER = "tuanjian.beat:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 60
BEAT_HEARTBEAT_FILE = Path(os.environ.get("BEAT_HEARTBEAT_FILE", "/tmp/celerybeat-heartbeat"))

# Status engine: "due soon" window and the "behind schedule" margin (percentage points).
STATUS_DUE_SOON_DAYS = int(os.environ.get("STATUS_DUE_SOON_DAYS", "14"))
STATUS_AT_RISK_MARGIN = int(os.environ.get("STATUS_AT_RISK_MARGIN", "20"))
# A report or figure for a period is due this many days after the period ends (2019-05 → 5 June).
REPORT_DEADLINE_DAY = int(os.environ.get("REPORT_DEADLINE_DAY", "5"))
# Evidence attached to a progress report: the largest file accepted.
REPORT_ATTACHMENT_MAX_BYTES = int(os.environ.get("REPORT_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
# The largest request body: the largest file a form takes (10 MB: a 任务分解表, a figures file, evidence)
# with the form's other fields and the multipart framing. A bigger one is answered 413 from its
# Content-Length before it is read (core.uploads); the reverse proxy's body limit must not be below this.
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024 + 512 * 1024)))
# Form fields without files (Django's default, stated); a file above FILE_UPLOAD_MAX_MEMORY_SIZE is
# received into a temporary file rather than memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Uploads previewed and never confirmed (or refused) keep their file this many days, then the nightly
# purge deletes them (core.staging.staged_uploads_purge).
STAGED_UPLOAD_KEEP_DAYS = int(os.environ.get("STAGED_UPLOAD_KEEP_DAYS", "3"))
# An import job not finished after this many seconds is taken as stopped (its worker was killed): the
# user may start it again; nothing of it was written.
IMPORT_JOB_TIMEOUT_SECONDS = int(os.environ.get("IMPORT_JOB_TIMEOUT_SECONDS", "900"))
# Where no worker runs (Celery eager), the first page of the day that shows states refreshes them first.
STATES_REFRESH_ON_PAGE = env_bool("STATES_REFRESH_ON_PAGE", CELERY_TASK_ALWAYS_EAGER)
# The dashboard's "refresh now" runs at most once per organisation in this many seconds.
STATUS_REFRESH_THROTTLE_SECONDS = int(os.environ.get("STATUS_REFRESH_THROTTLE_SECONDS", "60"))

if REDIS_URL:
    # A Redis outage slows a page by one timeout (then the cache is skipped for a while), never fails it.
    CACHES = {
        "default": {
            "BACKEND": "tuanjian.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_timeout": REDIS_TIMEOUT, "socket_connect_timeout": REDIS_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tuanjian@localhost")


def email_url(url: str) -> dict:
    """smtp://user:password@host:587?tls=1 or smtps://user:password@host:465 → the EMAIL_* settings."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured("EMAIL_URL 应以 smtp:// 或 smtps:// 开头")
    tls = parse_qs(parts.query).get("tls", [""])[0].lower() in {"1", "true", "yes", "on"}
    return {
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": tls,
    }


# The SMTP server, as EMAIL_URL or one variable each (these win over EMAIL_URL's parts).
_EMAIL = email_url(os.environ["EMAIL_URL"]) if os.environ.get("EMAIL_URL") else {}
EMAIL_HOST = os.environ.get("EMAIL_HOST") or _EMAIL.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or _EMAIL.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER") or _EMAIL.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD") or _EMAIL.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", _EMAIL.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", _EMAIL.get("EMAIL_USE_SSL", False))
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS 和 EMAIL_USE_SSL 只能设置其中一个")
# A hung SMTP server would otherwise hold the outbox job (and a password-reset request) forever.
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))

# Pages list at most this many rows; bigger subtrees are paginated.
PAGE_SIZE = 50

# Set only where gunicorn is reachable through the project's reverse proxy alone (docker-compose: nginx,
# deploy/nginx.conf), which overwrites X-Forwarded-Proto and X-Real-IP: anywhere else those headers are
# what the client claims, and a client claiming HTTPS would be taken at its word.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)

# Content-Security-Policy: scripts and styles only from our own static files, no inline script (any
# injected markup cannot run), no framing. Page data for scripts travels in data-* attributes or
# json_script blocks (type="application/json", never executed).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # django-import-export's export page (admin) has one inline handler; allowed by its hash alone.
        "script-src-attr": ["'unsafe-hashes'", "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

if not DEBUG:
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # axes says at INFO what it does on every login; failures and lockouts are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}
