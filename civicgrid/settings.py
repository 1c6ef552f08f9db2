"""civicgrid settings. Every value comes from an environment variable (see .env.example)."""

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from civicgrid.env import (
    env_bool,
    env_float,
    env_int,
    env_limits,
    env_list,
    env_networks,
    env_str,
    local_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CIVICGRID_VAR_DIR", str(BASE_DIR / "var")))
TESTING = "pytest" in sys.modules

DEBUG = env_bool("CIVICGRID_DEBUG", False)
ALLOWED_HOSTS = env_list("CIVICGRID_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CIVICGRID_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "ninja",  # serves the API docs' Swagger UI from this site (the CDN copy breaks the CSP)
    "civicgrid.core",
    "civicgrid.messaging",
    "civicgrid.accounts",
    "civicgrid.org",
    "civicgrid.events",
    "civicgrid.people",
    "civicgrid.party",
    "civicgrid.classes",
    "civicgrid.volunteers",
    "civicgrid.community",
    "civicgrid.alliances",
    "civicgrid.interop",
    "civicgrid.mediation",
    "civicgrid.assessment",
    "civicgrid.selections",
    "civicgrid.cockpit",
    "civicgrid.routing",
    "civicgrid.site",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "civicgrid.core.middleware.RequestLogMiddleware",  # first: times and logs every request
    "django.middleware.security.SecurityMiddleware",
    "civicgrid.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "civicgrid.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "civicgrid.core.middleware.PlainTextInputMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "civicgrid.core.middleware.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "civicgrid.core.middleware.ErrorBoundaryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "civicgrid.urls"
WSGI_APPLICATION = "civicgrid.wsgi.application"

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
                "django.template.context_processors.i18n",
                # The navigation: unread_count (the bell), the role's menu, the platform name.
                "civicgrid.site.context_processors.unread",
                "civicgrid.site.context_processors.menu",
                # read_only: the leader's pages offer no write forms.
                "civicgrid.site.context_processors.access",
            ],
        },
    },
]

# ---- Database: connections, pool and replica (issue 15) ----
# SQLite (WAL, busy timeout) unless DATABASE_URL names another database, e.g. PostgreSQL.
# On PostgreSQL each gunicorn worker process keeps a psycopg 3 connection pool: at least
# CIVICGRID_DB_POOL_MIN connections, at most CIVICGRID_DB_POOL_MAX (one per thread is enough;
# a thread that finds none free waits up to CIVICGRID_DB_POOL_TIMEOUT seconds), and connections
# above the minimum are closed after CIVICGRID_DB_POOL_MAX_IDLE idle seconds. A server holds
# at most workers × pool max connections. CIVICGRID_DB_POOL=false turns the pool off (e.g.
# behind pgbouncer in transaction mode): a connection per request, closed after it.
# DATABASE_REPLICA_URL adds a `replica` database (a streaming replica of the primary) from
# which figures are read outside write transactions (civicgrid/core/routers.py).
DATABASE_URL = env_str("DATABASE_URL")
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
DB_POOL = env_bool("CIVICGRID_DB_POOL", True)


def _database(url: str) -> dict[str, Any]:
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    if DB_POOL and config["ENGINE"] == "django.db.backends.postgresql":
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("CIVICGRID_DB_POOL_MIN", 1),
            "max_size": env_int("CIVICGRID_DB_POOL_MAX", 4),
            "timeout": env_int("CIVICGRID_DB_POOL_TIMEOUT", 10),
            "max_idle": env_int("CIVICGRID_DB_POOL_MAX_IDLE", 300),
        }
    return config


if DATABASE_URL:
    DATABASES = {"default": _database(DATABASE_URL)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "civicgrid.sqlite3"),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                    # Deleted personal data is overwritten on disk, not left in free pages.
                    " PRAGMA secure_delete=ON;"
                ),
            },
        }
    }
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = _database(DATABASE_REPLICA_URL)
elif TESTING:
    # A second, separate database standing in as the replica for the tests that ask for it
    # (civicgrid/core/tests/test_replica.py); unused unless FIGURES_DATABASE names it.
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"NAME": None}}
    DATABASES["replica"]["NAME"] = str(DATABASES["default"]["NAME"]) + "_replica"
FIGURES_DATABASE = "replica" if DATABASE_REPLICA_URL else ""
DATABASE_ROUTERS = ["civicgrid.core.routers.FiguresRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---- Keys and files of stateless app servers (issue 15) ------------------------------------
# Production is a DATABASE_URL outside the tests: every app server and the task consumer must
# then share the same keys, so they come from the environment and nothing starts without them.
# A laptop (SQLite) generates them once into var/. docs/backup.md says what to keep where.
PRODUCTION = bool(DATABASE_URL) and not TESTING
if PRODUCTION:
    _missing = [
        name
        for name, given in (
            ("CIVICGRID_SECRET_KEY", env_str("CIVICGRID_SECRET_KEY")),
            ("CIVICGRID_DATA_KEYS", env_list("CIVICGRID_DATA_KEYS", [])),
        )
        if not given
    ]
    if _missing:
        raise ImproperlyConfigured(
            f"DATABASE_URL is set (production), so {' and '.join(_missing)} must come from the "
            "environment, the same on every app server and the task consumer; nothing is "
            "generated in production (see .env.example and docs/backup.md)."
        )
SECRET_KEY = local_secret("CIVICGRID_SECRET_KEY", VAR_DIR / "secret_key")
# Keys for personal data encrypted at rest (phone numbers, ID numbers): Fernet keys, comma-
# separated, newest first, so a key can be rotated without losing old rows. The database keeps
# a fingerprint of them (core.keyring): a host whose keys cannot read it refuses to start.
DATA_KEYS = env_list("CIVICGRID_DATA_KEYS", []) or [
    local_secret("CIVICGRID_DATA_KEY", VAR_DIR / "data_key", nbytes=32)
]
# Key of the keyed hashes that find a number without decrypting (blind index): by default the
# last (oldest) data key. It does not change when data keys are rotated; set it explicitly
# before the oldest data key is retired (docs/security.md).
INDEX_KEY = env_str("CIVICGRID_INDEX_KEY") or DATA_KEYS[-1]

# Photos (storage "default") and uploaded ledgers waiting for their job (storage "private"):
# local folders by default (MEDIA_ROOT; IMPORT_DIR, 0700/0600), or an S3-compatible object
# store when CIVICGRID_S3_BUCKET is set, so every app server and the consumer see the same
# files. Photos are served only by the permission-checking views, streamed from the store:
# the bucket stays private and needs no public address (CIVICGRID_CSP_IMG_SOURCES unchanged).
MEDIA_ROOT = Path(env_str("CIVICGRID_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
S3_BUCKET = env_str("CIVICGRID_S3_BUCKET")
if S3_BUCKET:
    _s3 = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env_str("CIVICGRID_S3_ENDPOINT_URL") or None,  # AWS when empty
        "region_name": env_str("CIVICGRID_S3_REGION") or None,
        "access_key": env_str("CIVICGRID_S3_ACCESS_KEY_ID") or None,
        "secret_key": env_str("CIVICGRID_S3_SECRET_ACCESS_KEY") or None,
        "addressing_style": env_str("CIVICGRID_S3_ADDRESSING_STYLE") or None,  # path | virtual
        "file_overwrite": False,
        "querystring_auth": True,
    }
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": _s3 | {"location": env_str("CIVICGRID_S3_MEDIA_PREFIX", "media")},
    }
    _private_storage = {
        "BACKEND": "civicgrid.core.s3.PrivateS3Storage",
        "OPTIONS": _s3
        | {
            "bucket_name": env_str("CIVICGRID_S3_PRIVATE_BUCKET") or S3_BUCKET,
            "location": env_str("CIVICGRID_S3_PRIVATE_PREFIX", "private/imports"),
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    _private_storage = {"BACKEND": "civicgrid.core.storage.PrivateFiles"}
STORAGES = {
    "default": _default_storage,
    "private": _private_storage,
}  # "staticfiles" below, with the static files
# ---- end of keys and files --------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Checked where people choose a password (change-password page, admin, createsuperuser);
# see civicgrid/accounts/passwords.py. CIVICGRID_PASSWORD_MIN_LENGTH sets the length (10).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("CIVICGRID_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "civicgrid.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: failed log-ins per user name + real client address (core.limits.client_ip), a growing
# wait (accounts/lockout.py) instead of a hard lock. After CIVICGRID_LOGIN_FAILURE_LIMIT
# failures the pair waits CIVICGRID_LOGIN_FIRST_DELAY_SECONDS, doubled after each further
# failure up to CIVICGRID_LOGIN_COOLOFF_MINUTES; failures are forgotten
# CIVICGRID_LOGIN_FAILURE_MEMORY_HOURS after the last one.
LOGIN_FREE_FAILURES = env_int("CIVICGRID_LOGIN_FAILURE_LIMIT", 5)
LOGIN_FIRST_DELAY_SECONDS = env_int("CIVICGRID_LOGIN_FIRST_DELAY_SECONDS", 1)
LOGIN_MAX_DELAY_SECONDS = env_int("CIVICGRID_LOGIN_COOLOFF_MINUTES", 30) * 60
AXES_FAILURE_LIMIT = "civicgrid.accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = env_int("CIVICGRID_LOGIN_FAILURE_MEMORY_HOURS", 24)
AXES_CLIENT_IP_CALLABLE = "civicgrid.core.limits.client_ip"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "civicgrid.accounts.views.locked_out"
AXES_ENABLED = env_bool("CIVICGRID_LOGIN_LOCKOUT", True)
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "civicgrid" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end packages come from npm (package-lock.json) and are served by the app: no CDN.
STATICFILES_DIRS = [
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
STORAGES["staticfiles"] = {
    "BACKEND": (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING or DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("CIVICGRID_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# --- Hardening of the web layer ----------------------------------------------------------
# Content-Security-Policy (core.middleware.SecurityHeadersMiddleware): scripts only from this
# site; images also from the map tile host and CIVICGRID_CSP_IMG_SOURCES (another image host;
# photos need none: the app streams them from storage, even from an S3 bucket).
CSP_IMG_SOURCES = env_list("CIVICGRID_CSP_IMG_SOURCES", [])
# The report page reads GPS and takes photos; nothing else may use devices or payments.
PERMISSIONS_POLICY = "geolocation=(self), camera=(self), microphone=(), payment=(), usb=()"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# HSTS only where the site is served over HTTPS (CIVICGRID_SECURE_COOKIES on). Behind a TLS
# proxy, CIVICGRID_PROXY_SSL_HEADER names the header it sets to "https" (X-Forwarded-Proto), so
# Django knows a request was secure; set it only when that proxy always sets or strips it.
PROXY_SSL_HEADER = env_str("CIVICGRID_PROXY_SSL_HEADER")
if PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
SECURE_HSTS_SECONDS = env_int("CIVICGRID_HSTS_SECONDS", 31536000) if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
# Sessions end after CIVICGRID_SESSION_IDLE_MINUTES without a request (default 30): each
# request pushes the expiry on (core.middleware.IdleSessionMiddleware, at most once a minute).
SESSION_IDLE_MINUTES = env_int("CIVICGRID_SESSION_IDLE_MINUTES", 30)
if SESSION_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("CIVICGRID_SESSION_IDLE_MINUTES must be 1 or more")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# --- end of web hardening -------------------------------------------------------------------

# The name in the top bar and the page titles (issue 14).
PLATFORM_NAME = env_str("CIVICGRID_PLATFORM_NAME", "党建引领网格化治理平台")

# Map: no tile layer unless one is configured (government intranets have no internet).
# CIVICGRID_MAP_TILE_CRS says whether the tiles use WGS-84 (e.g. Tianditu) or GCJ-02
# (e.g. AMap); geometry is stored in WGS-84 and shifted at the map edge only.
MAP_TILE_URL = env_str("CIVICGRID_MAP_TILE_URL")
MAP_TILE_ATTRIBUTION = env_str("CIVICGRID_MAP_TILE_ATTRIBUTION")
MAP_TILE_CRS = env_str("CIVICGRID_MAP_TILE_CRS", "wgs84").lower()
if MAP_TILE_CRS not in {"wgs84", "gcj02"}:
    raise ImproperlyConfigured("CIVICGRID_MAP_TILE_CRS must be wgs84 or gcj02")

# Background jobs (deadline escalation, follow-up reminders): huey, with a SQLite file by
# default and Redis when REDIS_URL is set. Tests run tasks at once, in the calling thread.
REDIS_URL = env_str("REDIS_URL")
HUEY = {
    "name": "civicgrid",
    "immediate": TESTING or env_bool("CIVICGRID_TASKS_IMMEDIATE", False),
    "consumer": {"workers": env_int("CIVICGRID_TASK_WORKERS", 2), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY |= {"huey_class": "huey.RedisHuey", "url": REDIS_URL}
else:
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")}

# Events: the working day used to count deadlines in working hours (Asia/Shanghai time).
WORKDAY_START = env_str("CIVICGRID_WORKDAY_START", "09:00")
WORKDAY_END = env_str("CIVICGRID_WORKDAY_END", "17:30")
# Events handled on the spot (即报即办): the share the community spot-checks (0 to 1).
SPOT_CHECK_SHARE = env_float("CIVICGRID_SPOT_CHECK_SHARE", 0.2)
if not 0 <= SPOT_CHECK_SHARE <= 1:
    raise ImproperlyConfigured("CIVICGRID_SPOT_CHECK_SHARE must lie between 0 and 1")
# Classes: minutes in one class hour (学时) credited to party members who attend.
CLASS_HOUR_MINUTES = env_int("CIVICGRID_CLASS_HOUR_MINUTES", 60)
# Photos: largest upload accepted and longest side kept for display.
PHOTO_MAX_BYTES = env_int("CIVICGRID_PHOTO_MAX_BYTES", 15 * 1024 * 1024)
PHOTO_MAX_SIDE = env_int("CIVICGRID_PHOTO_MAX_SIDE", 2048)
DATA_UPLOAD_MAX_MEMORY_SIZE = PHOTO_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# ---- Uploads (image and Excel bombs, private import files) -----------------------------------
# Photos: pixels declared in the header above which a photo is refused before decoding, and
# photos accepted in one request. The request parser itself refuses (400) past a few more files,
# so a flood of files is never even written to disk; up to that, the user gets a clear message.
PHOTO_MAX_PIXELS = env_int("CIVICGRID_PHOTO_MAX_PIXELS", 40_000_000)
PHOTO_MAX_FILES = env_int("CIVICGRID_PHOTO_MAX_FILES", 6)
DATA_UPLOAD_MAX_NUMBER_FILES = PHOTO_MAX_FILES + 4
# Excel ledgers: an upload is refused before parsing when its parts unpack to more than
# IMPORT_MAX_INFLATED_MB in all or a large part is packed more than IMPORT_MAX_RATIO times
# (real sheets: ~12; zip bombs: ~1000), and while streaming past IMPORT_MAX_ROWS rows.
IMPORT_MAX_ROWS = env_int("CIVICGRID_IMPORT_MAX_ROWS", 100_000)
IMPORT_MAX_INFLATED_MB = env_int("CIVICGRID_IMPORT_MAX_INFLATED_MB", 160)
IMPORT_MAX_RATIO = env_int("CIVICGRID_IMPORT_MAX_RATIO", 200)
# Uploaded ledgers waiting for their background job hold full ID numbers: they are kept in
# IMPORT_DIR (outside MEDIA_ROOT, folder 0700, files 0600) until the job ends, then deleted.
# A running job with no progress for IMPORT_STALL_MINUTES lost its worker: it is tried again
# from the kept file up to IMPORT_MAX_ATTEMPTS runs in all, then failed (file deleted).
IMPORT_DIR = Path(env_str("CIVICGRID_IMPORT_DIR", str(VAR_DIR / "private" / "imports")))
IMPORT_STALL_MINUTES = env_int("CIVICGRID_IMPORT_STALL_MINUTES", 10)
IMPORT_MAX_ATTEMPTS = env_int("CIVICGRID_IMPORT_MAX_ATTEMPTS", 2)

# Public doors (core.limits): the client address behind reverse proxies, and rate limits.
# CIVICGRID_TRUSTED_PROXIES: the addresses of the proxies in front of the app and nothing else
# (e.g. "127.0.0.1,10.1.2.3"; never a network the clients are in, or they choose the address
# they are counted under); only then is CIVICGRID_PROXY_HEADER (default X-Forwarded-For) read.
PROXY_HEADER = env_str("CIVICGRID_PROXY_HEADER", "X-Forwarded-For")
TRUSTED_PROXIES = env_networks("CIVICGRID_TRUSTED_PROXIES", [])
# name -> (count, seconds). CIVICGRID_RATE_LIMITS overrides any of them: "report_ip=20/3600,…".
# "<door>_ip" counts a client address, "<door>_phone" a phone number (core.limits.guard).
RATE_LIMITS = env_limits(
    "CIVICGRID_RATE_LIMITS",
    {
        "report_ip": (20, 3600),
        "report_phone": (5, 86400),
        # The residents' pages and public API reached by a secret link (tracking, enrolment,
        # order, check-in pages; public API reads; Open311 reads): generous, against guessing.
        "read_ip": (600, 3600),
        # Rating or cancelling through a secret link (event, enrolment, order).
        "track_ip": (30, 3600),
        # 查询进度: a report found by its number and the reporter's phone (/q/), against guessing.
        "lookup_ip": (20, 3600),
        "lookup_phone": (10, 86400),
        # The duplicate hint on the report page (/events/nearby/).
        "nearby_ip": (120, 3600),
        # Suggested category and department for a text: the report page as one types
        # (/events/suggest/) and POST /api/v1/routing/suggest. Each costs a model's prediction.
        "suggest_ip": (600, 3600),
        # Open311 POSTs (keyed clients: a city app may post for many residents from one address).
        "open311_ip": (300, 3600),
        # Classes: enrolment, topic requests and support, check-in by phone at the venue (a
        # venue's Wi-Fi is one address for everyone in the room).
        "enrol_ip": (20, 3600),
        "enrol_phone": (5, 86400),
        "topic_ip": (10, 3600),
        "topic_phone": (5, 86400),
        "checkin_ip": (200, 3600),
        "checkin_phone": (5, 3600),
        # Volunteer service orders.
        "order_ip": (10, 3600),
        "order_phone": (5, 86400),
        # Log-in and password-change attempts from one address, whatever the user name.
        "login_ip": (60, 3600),
        # Verification codes sent (civicgrid.messaging), and wrong venue codes at check-in.
        "code_ip": (20, 3600),
        "code_phone": (5, 3600),
        "checkin_code_ip": (20, 3600),
        # Searches by a whole ID or phone number (and ID numbers typed in that are already
        # recorded), per user: each is logged like a reveal.
        "number_search_user": (20, 3600),
    },
)

# ---- Outbound messages and verification codes (civicgrid.messaging) ----------------------------
# Sender per channel: CIVICGRID_SMS_SENDER / CIVICGRID_EMAIL_SENDER, else CIVICGRID_MESSAGING_SENDER
# ("console" prints messages; "file" appends them to var/outbox.log; "smtp"; "http"; or a
# dotted class path). Tests always use "memory".
MESSAGING_SENDER = "memory" if TESTING else env_str("CIVICGRID_MESSAGING_SENDER", "console")
MESSAGING_SENDERS = (
    {}
    if TESTING
    else {"sms": env_str("CIVICGRID_SMS_SENDER"), "email": env_str("CIVICGRID_EMAIL_SENDER")}
)
MESSAGING_FILE = Path(env_str("CIVICGRID_MESSAGING_FILE", str(VAR_DIR / "outbox.log")))
# Seconds to wait before each retry of a failed message; one more attempt than delays.
MESSAGING_RETRY_DELAYS = [
    int(seconds) for seconds in env_list("CIVICGRID_MESSAGING_RETRY_DELAYS", ["60", "300", "1800"])
]
# The site's address, for links in messages (opt-out).
SITE_URL = env_str("CIVICGRID_SITE_URL", "http://127.0.0.1:8000")
# The generic text-message gateway ("http" sender): URL template with {phone} and {text},
# method, headers ("Name: value" separated by "|"), optional body template, the text a
# successful answer must contain (optional) and the timeout in seconds.
SMS_URL = env_str("CIVICGRID_SMS_URL")
SMS_METHOD = env_str("CIVICGRID_SMS_METHOD", "GET").upper()
SMS_HEADERS = [
    tuple(part.strip() for part in header.split(":", 1))
    for header in env_str("CIVICGRID_SMS_HEADERS").split("|")
    if ":" in header
]
SMS_BODY = env_str("CIVICGRID_SMS_BODY")
SMS_OK_TEXT = env_str("CIVICGRID_SMS_OK_TEXT")
SMS_TIMEOUT = env_int("CIVICGRID_SMS_TIMEOUT", 10)
# E-mail ("smtp" sender) through Django's SMTP backend.
EMAIL_HOST = env_str("CIVICGRID_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("CIVICGRID_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("CIVICGRID_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("CIVICGRID_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("CIVICGRID_EMAIL_TLS", False)
EMAIL_USE_SSL = env_bool("CIVICGRID_EMAIL_SSL", False)
EMAIL_TIMEOUT = SMS_TIMEOUT
DEFAULT_FROM_EMAIL = env_str("CIVICGRID_EMAIL_FROM", "civicgrid@localhost")
MESSAGING_EMAIL_SUBJECT = env_str("CIVICGRID_EMAIL_SUBJECT", "civicgrid")
# Verification codes: digits, minutes valid, wrong tries allowed per code.
VERIFICATION_CODE_LENGTH = env_int("CIVICGRID_CODE_LENGTH", 6)
VERIFICATION_CODE_MINUTES = env_int("CIVICGRID_CODE_MINUTES", 10)
VERIFICATION_CODE_TRIES = env_int("CIVICGRID_CODE_TRIES", 5)
# Classes: the check-in code shown at the venue changes every this many minutes.
CHECKIN_CODE_MINUTES = env_int("CIVICGRID_CHECKIN_CODE_MINUTES", 5)

# ---- Observability and background jobs (issue 15) ----------------------------------------
# docs/observability.md. Logs: one JSON object a line (json, the default in production, i.e.
# with DATABASE_URL) or plain text; every request writes one line (core.middleware.RequestLog).
LOG_FORMAT = env_str("CIVICGRID_LOG_FORMAT", "json" if DATABASE_URL else "text")
# A periodic job's lease (core.jobs.periodic): one run per scheduled minute across consumers;
# a run killed with its consumer holds the lease no longer than this.
JOB_LEASE_MINUTES = env_int("CIVICGRID_JOB_LEASE_MINUTES", 15)
# /readyz answers 503 when the consumer's heartbeat (written every minute) is older than this
# many minutes; 0: the heartbeat is shown but not required.
CONSUMER_STALE_MINUTES = env_int("CIVICGRID_CONSUMER_STALE_MINUTES", 5)
# /metrics (Prometheus) answers a bearer token (CIVICGRID_METRICS_TOKEN) or the client
# addresses in CIVICGRID_METRICS_ALLOW (core.limits.client_ip, so behind trusted proxies the
# real client); with neither set it is 404. Under gunicorn, set PROMETHEUS_MULTIPROC_DIR to an
# empty folder, so each scrape sums every worker.
METRICS_TOKEN = env_str("CIVICGRID_METRICS_TOKEN")
METRICS_ALLOW = env_networks("CIVICGRID_METRICS_ALLOW", [])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Issue 12: no api_key from a query string in any log line (core/logs.py).
    "filters": {
        "redact_secrets": {"()": "civicgrid.core.logs.RedactSecrets"},
        "request_context": {"()": "civicgrid.core.logs.RequestContext"},
    },
    "formatters": {
        "json": {"()": "civicgrid.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_secrets", "request_context"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        },
    },
    # runserver's request lines, through the same filter; huey's consumer through the same
    # handler (JSON too), so run_huey adds no handler of its own: warnings and errors only.
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "huey": {
            "handlers": ["console"],
            "level": env_str("CIVICGRID_HUEY_LOG_LEVEL", "WARNING"),
            "propagate": False,
        },
    },
    "root": {"handlers": ["console"], "level": env_str("CIVICGRID_LOG_LEVEL", "INFO")},
}

# ---- Issue 16, 12345 / external work orders: the connectors' outbox (interop.outbox) ----------
# The file adapter's JSON lines (the default adapter, so a demo needs no other system).
INTEROP_FILE = Path(env_str("CIVICGRID_INTEROP_FILE", str(VAR_DIR / "interop-outbox.jsonl")))
# Seconds before each further delivery attempt of a failed outbox message; after the last one
# the message is given up (FAILED) until staff retry it.
INTEROP_RETRY_DELAYS = [
    int(seconds)
    for seconds in env_list("CIVICGRID_INTEROP_RETRY_DELAYS", ["60", "300", "1800", "7200"])
]
# ---- History import (issue 16: interop.history, docs/history-import.md) ----------------------
# A district's past events from a CSV or .xlsx file: files up to HISTORY_IMPORT_MAX_MB and
# HISTORY_IMPORT_MAX_ROWS rows; more than HISTORY_IMPORT_BACKGROUND_ROWS rows run in the
# background job queue. (Zip-bomb limits, the private folder and stall handling: the ledger
# import settings above.)
HISTORY_IMPORT_MAX_MB = env_int("CIVICGRID_HISTORY_IMPORT_MAX_MB", 60)
HISTORY_IMPORT_MAX_ROWS = env_int("CIVICGRID_HISTORY_IMPORT_MAX_ROWS", 200_000)
HISTORY_IMPORT_BACKGROUND_ROWS = env_int("CIVICGRID_HISTORY_IMPORT_BACKGROUND_ROWS", 1000)
# Requests reported before this day are refused (a typo's year 1900 would make a century of
# monthly partitions on PostgreSQL).
HISTORY_IMPORT_EARLIEST = dt.date.fromisoformat(
    env_str("CIVICGRID_HISTORY_IMPORT_EARLIEST", "2000-01-01")
)
# ---- end of history import ---------------------------------------------------------------------


# ---- mediation (issue 17) ----------------------------------------------------------------------
# Working days (the official Chinese calendar) allowed for each stage of a mediation case: the
# desk decides whether to accept it; mediation comes to an end (agreement or not); a referred
# case is accepted by the receiving body; the agreement is followed up; the case is closed
# after follow-up or after no agreement. A case past its deadline is raised to the street.
MEDIATION_DAYS = {"accept": 3, "mediate": 20, "referral": 5, "follow_up": 10, "close": 5}


# ---- selections (评选: civicgrid.selections, docs/selections.md) --------------------------------
# The public doors' limits, laid over RATE_LIMITS (CIVICGRID_SELECTION_LIMITS="vote_ip=60/3600,…"):
# votes per address and per device cookie, wrong verification codes per address (counted on
# failure), phones proved from one device, and residents' nominations per address and phone.
# The code requests themselves count against messaging's code_ip and code_phone.
RATE_LIMITS.update(
    env_limits(
        "CIVICGRID_SELECTION_LIMITS",
        {
            "vote_ip": (120, 3600),
            "vote_device": (30, 86400),
            "vote_guess_ip": (20, 3600),
            "vote_device_phone": (5, 86400),
            "nominate_ip": (10, 3600),
            "nominate_phone": (3, 86400),
        },
    )
)
# How long a phone proved with a code may vote from that browser, in minutes.
SELECTION_VOTER_MINUTES = env_int("CIVICGRID_SELECTION_VOTER_MINUTES", 30)
# Anomalies flagged for staff (never refused): more than N votes from one address within S
# seconds; more than N phones voting from one device in a selection; more than N votes for one
# candidate within S seconds.
SELECTION_IP_BURST = (
    env_int("CIVICGRID_SELECTION_IP_BURST", 20),
    env_int("CIVICGRID_SELECTION_IP_BURST_SECONDS", 600),
)
SELECTION_DEVICE_PHONES = env_int("CIVICGRID_SELECTION_DEVICE_PHONES", 3)
SELECTION_CANDIDATE_SURGE = (
    env_int("CIVICGRID_SELECTION_CANDIDATE_SURGE", 100),
    env_int("CIVICGRID_SELECTION_CANDIDATE_SURGE_SECONDS", 600),
)
# A nomination's story (characters) and photos (at most PHOTO_MAX_FILES either way).
SELECTION_STORY_LIMIT = env_int("CIVICGRID_SELECTION_STORY_LIMIT", 1000)
SELECTION_PHOTOS = min(env_int("CIVICGRID_SELECTION_PHOTOS", 3), PHOTO_MAX_FILES)
# ---- end of selections ------------------------------------------------------------------------

# ---- w-screen: the big screen (issue 19) --------------------------------------------------------
# Seconds a screen's figures are kept (every screen of a unit shares one computation), and how
# often an open screen asks for them again (no reload).
SCREEN_CACHE_SECONDS = env_int("CIVICGRID_SCREEN_CACHE_SECONDS", 60)
SCREEN_REFRESH_SECONDS = max(15, env_int("CIVICGRID_SCREEN_REFRESH_SECONDS", 60))
# Seconds each rotating panel stays on the screen.
SCREEN_ROTATE_SECONDS = max(5, env_int("CIVICGRID_SCREEN_ROTATE_SECONDS", 15))
# The secret links' door (core.limits): per client address; a screen asks once a minute, and a
# hall's screens share one address (CIVICGRID_SCREEN_LIMITS="screen_ip=count/seconds").
RATE_LIMITS.update(env_limits("CIVICGRID_SCREEN_LIMITS", {"screen_ip": (900, 3600)}))
# ---- end of w-screen ----------------------------------------------------------------------------
# ---- w-reports: the cockpit's monthly and quarterly reports (issue 19) -------------------------
# The kinds of unit the schedule writes a report for on the first working day of each month
# (the last month's; in January, April, July and October the last quarter's too).
REPORT_UNIT_KINDS = env_list("CIVICGRID_REPORT_UNIT_KINDS", ["district", "street", "community"])
# A TrueType/OpenType font file for the reports' PDF (else STSong-Light, which readers carry).
REPORT_PDF_FONT = env_str("CIVICGRID_PDF_FONT")
# Where a unit's new report is mailed (messaging's e-mail channel): "code=address" pairs, e.g.
# "410102=office@example.gov.cn,410102001=street@example.gov.cn". Staff posted at the unit
# are told in their inbox whatever this says.
REPORT_MAIL_TO = [pair.split("=", 1) for pair in env_list("CIVICGRID_REPORT_MAIL_TO", [])]
if any(len(pair) != 2 or not all(pair) for pair in REPORT_MAIL_TO):
    raise ImproperlyConfigured("CIVICGRID_REPORT_MAIL_TO holds code=address pairs")
# ---- end of w-reports -------------------------------------------------------------------------

# ---- w-maps: the cockpit's maps and service points (issue 19) ----------------------------------
# Leaflet's plug-ins for the unit map: clusters and a density layer (npm, package-lock.json).
STATICFILES_DIRS += [
    ("vendor/leaflet-markercluster", BASE_DIR / "node_modules" / "leaflet.markercluster" / "dist"),
    ("vendor/leaflet-heat", BASE_DIR / "node_modules" / "leaflet.heat" / "dist"),
]
# The public map of service points (/service-points/ and its GeoJSON), per client address.
# CIVICGRID_COCKPIT_MAP_LIMITS="service_points_ip=600/3600" overrides it.
RATE_LIMITS.update(env_limits("CIVICGRID_COCKPIT_MAP_LIMITS", {"service_points_ip": (300, 3600)}))
# The most events a unit map draws (newest first), and points per layer.
COCKPIT_MAP_EVENTS_LIMIT = env_int("CIVICGRID_COCKPIT_MAP_EVENTS_LIMIT", 5000)
COCKPIT_MAP_POINTS_LIMIT = env_int("CIVICGRID_COCKPIT_MAP_POINTS_LIMIT", 2000)
# The most grids a unit map colours (a street has 50–150); a district with more is coloured
# by its streets, each a link to its own map of grids.
COCKPIT_MAP_MAX_UNITS = env_int("CIVICGRID_COCKPIT_MAP_MAX_UNITS", 400)
# ---- w-exports (issue 19) ---------------------------------------------------------------------
# List exports (core.exports): up to EXPORT_INLINE_ROWS rows download at once; a larger list is
# made in the background (task queue) with a progress page. Files kept EXPORT_KEEP_DAYS days.
EXPORT_INLINE_ROWS = env_int("CIVICGRID_EXPORT_INLINE_ROWS", 5000)
EXPORT_KEEP_DAYS = env_int("CIVICGRID_EXPORT_KEEP_DAYS", 7)

# ---- Issue 20, routing (智能分拨): suggested category and department from a report's text ------
# The deployment's own models, trained from its closed events (routing.services).
ROUTING_CATEGORY_MODEL = env_str("CIVICGRID_ROUTING_CATEGORY_MODEL", "categories")
ROUTING_DEPARTMENT_MODEL = env_str("CIVICGRID_ROUTING_DEPARTMENT_MODEL", "departments")
# Below this confidence the report page pre-fills nothing (the suggestions are still shown).
ROUTING_PREFILL_CONFIDENCE = env_float("CIVICGRID_ROUTING_PREFILL_CONFIDENCE", 0.6)
# Retrain when this many events have closed since the active model learned (checked nightly).
ROUTING_RETRAIN_MIN_NEW = env_int("CIVICGRID_ROUTING_RETRAIN_MIN_NEW", 200)
# Train no model from fewer closed events than this.
ROUTING_MIN_EVENTS = env_int("CIVICGRID_ROUTING_MIN_EVENTS", 100)
# The most recent share of events held out to compare a new model with the active one.
ROUTING_HOLDOUT_SHARE = env_float("CIVICGRID_ROUTING_HOLDOUT_SHARE", 0.2)
# A corrected event (category changed by a dispatcher, transferred, re-dispatched) weighs this.
ROUTING_CORRECTION_WEIGHT = env_float("CIVICGRID_ROUTING_CORRECTION_WEIGHT", 3.0)
# The real labelled messages the benchmark and some tests read (never in the repository).
ROUTING_MESSAGES = Path(
    env_str(
        "CIVICGRID_ROUTING_MESSAGES",
        str(BASE_DIR.parent / "shared" / "data" / "messages-train.csv"),
    )
)
# Learn from at most this many of the most recent closed events.
ROUTING_MAX_ROWS = env_int("CIVICGRID_ROUTING_MAX_ROWS", 50_000)
for _name in ("ROUTING_PREFILL_CONFIDENCE", "ROUTING_HOLDOUT_SHARE"):
    if not 0 < globals()[_name] < 1:
        raise ImproperlyConfigured(f"CIVICGRID_{_name} must lie between 0 and 1")
