"""One settings module, driven by environment variables (see docs/operations.md).

JINGZHUN_HOME          data folder (SQLite database, secret key, uploads); default ./jingzhun-data
JINGZHUN_DATABASE_URL  e.g. postgres://user@127.0.0.1:5432/jingzhun; default SQLite in JINGZHUN_HOME
JINGZHUN_SECRET_KEY    default: generated once and kept in JINGZHUN_HOME/secret_key
JINGZHUN_DEBUG         1 to enable Django debug pages (never in production)
JINGZHUN_ALLOWED_HOSTS comma-separated; default 127.0.0.1,localhost
JINGZHUN_NOTICE_DAYS   calendar days of a public notice (公示), default 7
JINGZHUN_CLIENT_ADDRESS_HEADER  behind a reverse proxy, the header with the visitor's address
JINGZHUN_SUPERVISION_PHONE  监督举报电话 printed on notices of counties that set none; default 12317
JINGZHUN_PUBLIC_URL    the public address of the site (e.g. https://fp.example.gov.cn) for the
                       notice's QR code; default the address of the request that printed it
JINGZHUN_LOGIN_FAILURE_LIMIT  failed logins per username and address before a lockout; default 5
JINGZHUN_LOGIN_COOLOFF_MINUTES  minutes a lockout lasts (or `jingzhun axes_reset`); default 30
JINGZHUN_TOKEN_DAYS    days an API token is valid; default 30
JINGZHUN_REVEALS_PER_HOUR  full ID numbers one user may reveal per hour; default 20
JINGZHUN_SPARK_MASTER  Spark master of `--engine spark` runs; default local[2]
JINGZHUN_SNAPSHOT_DIR  parent folder of the temporary snapshots of duckdb/spark runs (a
                       cluster needs storage its executors read); default the system temp
JINGZHUN_AGREEMENT_KEYS_DIR  folder of the data-sharing agreements' token keys (*.key, mode 0600,
                       docs/tokenize.md); default JINGZHUN_HOME/agreement-keys
JINGZHUN_ASSESSMENT_ENGINE  engine of assessment runs started from the page or the API: db,
                       duckdb or spark; default db (`jingzhun assess --engine` defaults to it)
JINGZHUN_COMPARISON_ENGINE  engine of comparison runs: db, duckdb or spark; default db (duckdb
                       and spark keep their Parquet files between runs under
                       JINGZHUN_SNAPSHOT_DIR or JINGZHUN_HOME, `comparison-snapshot/`)
JINGZHUN_COMPARISON_WORK_MEM  PostgreSQL work_mem of the comparison's queries; default 256MB
JINGZHUN_DUPLICATE_HOUSEHOLD_DAYS  days around a household's status change within which a new
                       household sharing a member is a possible split or merge; default 90
JINGZHUN_RUN_STALE_MINUTES  minutes without progress after which a running assessment counts as
                       abandoned (its worker died): "停止" then marks it failed; default 60
JINGZHUN_KEEP_RUNS     finished assessment runs kept per (standard, year, area) after each run;
                       default 0 = never pruned automatically (see `jingzhun prune_runs`)
JINGZHUN_EXPORT_RETENTION_DAYS  days a background export's file is kept (JINGZHUN_HOME/exports/)
                       before `jingzhun purge_files` deletes it (the job stays listed, expired);
                       default 7
JINGZHUN_IMPORT_RETENTION_DAYS  days an import's error file is kept (JINGZHUN_HOME/media/imports/)
                       before `jingzhun purge_files` deletes it; default 7
JINGZHUN_IMPORT_SYNC_MAX_KB  an import page's upload up to this size (KB) is imported in the
                       request; a larger one by the task worker, its steps shown; default 256
JINGZHUN_IMPORT_MAX_UPLOAD_MB  largest .xlsx an import accepts, in MB; default 50
JINGZHUN_IMPORT_MAX_UNCOMPRESSED_MB  largest total of an .xlsx's unzipped parts, in MB; default 500
JINGZHUN_IMPORT_MAX_ROWS  most rows over all sheets of an imported .xlsx; default 1000000
JINGZHUN_EMAIL_HOST    the intranet's mail server for `jingzhun notify_awaiting`; default none
                       (nothing is mailed); with JINGZHUN_EMAIL_PORT (25), JINGZHUN_EMAIL_USER,
                       JINGZHUN_EMAIL_PASSWORD, JINGZHUN_EMAIL_USE_TLS (1/0, default 0) and
                       JINGZHUN_EMAIL_FROM (the sender, default jingzhun@localhost)
JINGZHUN_MAP_GEOJSON   驾驶舱's map: a GeoJSON file of the deployment's township/village shapes
                       (property `code`: the 12-digit area code); default none (schematic map)

Behind an HTTPS reverse proxy (nginx terminating TLS, docs/operations.md "Production"):
JINGZHUN_BEHIND_HTTPS_PROXY  1: trust X-Forwarded-Proto: https from the proxy, secure-only session
                       and CSRF cookies, redirect plain HTTP to HTTPS, send HSTS; default off
JINGZHUN_TRUSTED_PROXY the proxy's address as `jingzhun serve` (waitress) sees it: only its
                       X-Forwarded-Proto / X-Forwarded-For are believed, others are dropped; `*`
                       trusts every peer (only when the app's port is reachable from the proxy
                       alone); default 127.0.0.1 behind the proxy, otherwise none
JINGZHUN_CSRF_TRUSTED_ORIGINS  comma-separated origins allowed to POST besides the request's own
                       host, e.g. https://fupin.example.gov.cn; default none
JINGZHUN_HSTS_SECONDS  Strict-Transport-Security max-age; default 31536000 (a year) behind the
                       proxy, 0 otherwise (try 3600 first on a new host name)
JINGZHUN_HSTS_INCLUDE_SUBDOMAINS  1/0: HSTS covers the host's subdomains too; default 1 (set 0
                       when the app is served on a department's main domain with HTTP-only
                       subdomains; `check --deploy` then warns security.W005)
"""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
# Everything the service writes is personal data or leads to it (the SQLite database, error
# files, exports, snapshots, the secret key): created private to the service user, folders 0700
# and files 0600, wherever they are written (issue #11 item 8; docs/operations.md).
os.umask(0o077)
HOME = Path(os.environ.get("JINGZHUN_HOME", "jingzhun-data")).resolve()
HOME.mkdir(mode=0o700, parents=True, exist_ok=True)


def _close(path: Path, mode: int) -> None:
    """Tighten a folder or file made before this release (or by hand), when it is ours."""
    if hasattr(os, "getuid") and path.exists() and path.stat().st_uid == os.getuid():
        path.chmod(mode)


_close(HOME, 0o700)


def _secret_key() -> str:
    if key := os.environ.get("JINGZHUN_SECRET_KEY"):
        return key
    path = HOME / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("JINGZHUN_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("JINGZHUN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
    ","
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "jingzhun.core",
    "jingzhun.accounts",
    "jingzhun.areas",
    "jingzhun.audit",
    "jingzhun.exports",
    "jingzhun.imports",
    "jingzhun.comparison",
    "jingzhun.registry",
    "jingzhun.assessment",
    "jingzhun.procedures",
    "jingzhun.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files from STATIC_ROOT (collected, gzip copies) before any other work on the request.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jingzhun.core.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A write that waited out the database's lock (SQLite: an import writing) answers 503 with
    # "please retry", never a 500 (issue #11 item 6).
    "jingzhun.imports.middleware.DatabaseBusyMiddleware",
    # Last: turns a lockout seen during authenticate() into the lockout page (accounts/lockout.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jingzhun.urls"
WSGI_APPLICATION = "jingzhun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("JINGZHUN_DATABASE_URL", f"sqlite:///{HOME / 'jingzhun.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    for _suffix in ("", "-wal", "-shm"):
        _close(Path(f"{DATABASES['default']['NAME']}{_suffix}"), 0o600)
    # WAL lets pages read while an import writes; IMMEDIATE avoids lock upgrades mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests too use a file in WAL mode (not shared-cache memory, which locks whole tables), so
    # the live server, the task worker and the test share the database as in production.
    # One file per test process, outside the data folder: parallel runs never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"jingzhun-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Lockout (issue #11 item 11, 等保 8.1.4.1b): django-axes counts failures per username and client
# address on every authenticate(request=...) (login page, admin, /api/token/); past the limit
# even the right password is refused until the cool-off ends or `jingzhun axes_reset`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("JINGZHUN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("JINGZHUN_LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "jingzhun.accounts.lockout.request_address"
AXES_LOCKOUT_CALLABLE = "jingzhun.accounts.lockout.locked_out"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 12, not Django's 8 (等保 8.1.4.1a as assessed, ASVS 2.1.1): `jingzhun` was accepted.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese first; English available through the language switch.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Chinese numbers grouped by three with a comma (8,620), as official documents print them.
FORMAT_MODULE_PATH = ["jingzhun.core.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Project-wide assets (site.css, vendored Swagger UI) live outside any app's static/ folder.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = HOME / "static"
# WhiteNoise warns on every start when STATIC_ROOT is missing (tests, before a first collectstatic).
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = HOME / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # `collectstatic` (which `jingzhun serve` runs) also writes a .gz beside each file for
    # WhiteNoise, only for files that changed (core/staticfiles.py). No hashed (manifest)
    # names: {% static %} then needs no collectstatic in tests and development, and the
    # vendored Swagger UI (linked by plain URL, its CSS naming a missing .map) keeps its names.
    "staticfiles": {"BACKEND": "jingzhun.core.staticfiles.IncrementalCompressedStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Behind an HTTPS reverse proxy that terminates TLS and sets X-Forwarded-Proto (the proxy must
# overwrite a client's own header; `jingzhun serve` also drops it from any peer but the proxy).
BEHIND_HTTPS_PROXY = os.environ.get("JINGZHUN_BEHIND_HTTPS_PROXY", "") == "1"
TRUSTED_PROXY = os.environ.get("JINGZHUN_TRUSTED_PROXY", "127.0.0.1" if BEHIND_HTTPS_PROXY else "")
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = int(
    os.environ.get("JINGZHUN_HSTS_SECONDS", "31536000" if BEHIND_HTTPS_PROXY else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("JINGZHUN_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("JINGZHUN_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload (W021) is a submission of a public domain to the browsers' built-in list,
    # deliberate and hard to undo; an intranet host name cannot be on it.
    "security.W021",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    # Token first: an unauthenticated call then answers 401 with `WWW-Authenticate: Token`
    # (the first class names the challenge); browsers still authenticate by session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "jingzhun.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "jingzhun.core.paging.DeferredJoinPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # DRF's handler plus ProtectedError → 409 with the reason (core/api_errors.py).
    "EXCEPTION_HANDLER": "jingzhun.core.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jingzhun API",
    "DESCRIPTION": "精准扶贫信息系统 registry API. Every response is scoped to the caller's area.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc are served from our own static files: no CDN (offline intranets).
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui/favicon-32x32.png",
    # Separate request/response components: write-only fields (members, id_number) typed right.
    "COMPONENT_SPLIT_REQUEST": True,
    # One enum name per choice set shared by several fields (otherwise: hashed names, warnings).
    "ENUM_NAME_OVERRIDES": {
        "CauseEnum": "jingzhun.registry.choices.Cause",
        "HouseholdKindEnum": "jingzhun.registry.choices.Kind",
        "MeasureKindEnum": "jingzhun.registry.choices.MeasureKind",
        "StatusEnum": "jingzhun.registry.choices.Status",
        "ProcedureKindEnum": "jingzhun.procedures.flows.Kind",
        "ProcedureStateEnum": "jingzhun.procedures.flows.STATE_CHOICES",
        "StepIdEnum": "jingzhun.procedures.flows.StepId",
        "LevelEnum": "jingzhun.areas.choices.Level",
        "AssessmentLevelEnum": "jingzhun.assessment.choices.Level",
        "RunStatusEnum": "jingzhun.assessment.choices.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JINGZHUN_LOG_LEVEL", "WARNING")},
}

# Background jobs (assessment runs): Django 6's tasks API through the django-tasks backport, queued
# in the application database, run by `jingzhun db_worker` (`jingzhun serve` starts one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Days an API token is valid from its creation (accounts/authentication.py); then 401 and a new
# one from /api/token/ or `jingzhun create_token`.
TOKEN_DAYS = int(os.environ.get("JINGZHUN_TOKEN_DAYS", "30"))
# Full ID numbers one user may reveal per hour (pages and API), counted from the audit trail.
REVEALS_PER_HOUR = int(os.environ.get("JINGZHUN_REVEALS_PER_HOUR", "20"))
# Calendar days a public notice (公示) runs, the first day included.
NOTICE_DAYS = int(os.environ.get("JINGZHUN_NOTICE_DAYS", "7"))
# Behind a reverse proxy: the request header carrying the visitor's address (e.g. HTTP_X_REAL_IP),
# so the public objection form's rate limit counts visitors, not the proxy.
CLIENT_ADDRESS_HEADER = os.environ.get("JINGZHUN_CLIENT_ADDRESS_HEADER", "")
# The supervision hotline printed on a notice when its county has none (the national 12317).
SUPERVISION_PHONE = os.environ.get("JINGZHUN_SUPERVISION_PHONE", "12317")
# 驾驶舱's map: a GeoJSON file whose features carry the 12-digit area code in property `code`
# (docs/operations.md); empty: a schematic map generated from the area tree.
MAP_GEOJSON = os.environ.get("JINGZHUN_MAP_GEOJSON", "")
# The address villagers reach the site at: the base of the notice's QR code link. Empty: the
# address of the request that produced the notice (right unless a proxy rewrites the host).
PUBLIC_URL = os.environ.get("JINGZHUN_PUBLIC_URL", "").rstrip("/")

# Assessment engines (docs/engine.md). Spark: local mode by default; a cluster URL
# (spark://host:7077, yarn) needs JINGZHUN_SNAPSHOT_DIR on storage shared with the executors.
SPARK_MASTER = os.environ.get("JINGZHUN_SPARK_MASTER", "local[2]")
SNAPSHOT_DIR = os.environ.get("JINGZHUN_SNAPSHOT_DIR", "") or None
# The engine comparison runs (数据比对) evaluate on: db (the application database), duckdb or
# spark (over a Parquet snapshot of the comparison's tables); `jingzhun compare --engine` too.
COMPARISON_ENGINE = os.environ.get("JINGZHUN_COMPARISON_ENGINE", "db")
# The engine of assessment runs started from the page or the API: db, duckdb or spark.
ASSESSMENT_ENGINE = os.environ.get("JINGZHUN_ASSESSMENT_ENGINE", "db")
# PostgreSQL's work_mem for the comparison's queries on the db engine (their hashes and sorts
# over millions of persons; the server's default 4MB spills them to disk).
COMPARISON_WORK_MEM = os.environ.get("JINGZHUN_COMPARISON_WORK_MEM", "256MB")
# 疑似重复: a household created within this many days of another's status change (deregistered,
# exited…) and sharing a member with it is reviewed as a possible split or merge.
DUPLICATE_HOUSEHOLD_DAYS = int(os.environ.get("JINGZHUN_DUPLICATE_HOUSEHOLD_DAYS", "90"))
# Token keys of the data-sharing agreements (one *.key file each, mode 0600): never in the
# database; a tokenised dataset links to the registry with the key of its key_id (docs/tokenize.md).
AGREEMENT_KEYS_DIR = Path(
    os.environ.get("JINGZHUN_AGREEMENT_KEYS_DIR", "") or HOME / "agreement-keys"
).resolve()
# A running assessment whose progress has not moved for this long is taken as abandoned (its
# worker process died): stopping it marks it failed instead of waiting for it to notice.
RUN_STALE_MINUTES = int(os.environ.get("JINGZHUN_RUN_STALE_MINUTES", "60"))
# Finished runs kept per (standard, year, area) once a run finishes (~1.1 M rows each at 3.5 M
# persons); 0 = never pruned automatically, only by `jingzhun prune_runs`.
KEEP_RUNS = int(os.environ.get("JINGZHUN_KEEP_RUNS", "0"))
# Background exports (exports app): files in HOME/exports are deleted this many days after they
# were written, by `jingzhun purge_exports` (scheduled daily, docs/operations.md).
EXPORT_RETENTION_DAYS = int(os.environ.get("JINGZHUN_EXPORT_RETENTION_DAYS", "7"))
# Import error files (HOME/media/imports: the uploaded rows, ID numbers included) are deleted this
# many days after they were written, by the same command.
IMPORT_RETENTION_DAYS = int(os.environ.get("JINGZHUN_IMPORT_RETENTION_DAYS", "7"))
# Import limits, checked before a workbook is parsed (workbook/guard.py, docs/excel-template.md).
# The demo county's export is 7 MB, 66 MB unzipped, 85,812 rows; the 100,000-person benchmark
# workbook 5.2 MB, 56 MB, 152,003 rows; a full export of 100,000 persons ~21 MB, ~200 MB, ~265,000.
# Import pages: files up to this size are imported in the request (about 1,200 persons with all
# their sheets: ~1 s); larger ones by the task worker while the page shows the step (imports app).
IMPORT_SYNC_MAX_BYTES = int(os.environ.get("JINGZHUN_IMPORT_SYNC_MAX_KB", "256")) * 1024
IMPORT_MAX_UPLOAD_MB = int(os.environ.get("JINGZHUN_IMPORT_MAX_UPLOAD_MB", "50"))
IMPORT_MAX_UNCOMPRESSED_MB = int(os.environ.get("JINGZHUN_IMPORT_MAX_UNCOMPRESSED_MB", "500"))
IMPORT_MAX_ROWS = int(os.environ.get("JINGZHUN_IMPORT_MAX_ROWS", "1000000"))
# Mail (`jingzhun notify_awaiting`): an intranet's own server, none by default (nothing sent).
EMAIL_HOST = os.environ.get("JINGZHUN_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("JINGZHUN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("JINGZHUN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("JINGZHUN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("JINGZHUN_EMAIL_USE_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("JINGZHUN_EMAIL_FROM", "jingzhun@localhost")
