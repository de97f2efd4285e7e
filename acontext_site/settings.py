"""Settings, read from the environment (one file for every deployment).

Defaults suit development: DEBUG on, SQLite in the repository root, a throwaway SECRET_KEY.
Production sets DEBUG=false and then must provide SECRET_KEY and ALLOWED_HOSTS; with those,
``manage.py check --deploy`` is clean. Malformed variables stop the process at start-up rather
than being half-understood.
"""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

# Lets Django's generic classes be subscripted at run time (ModelAdmin[Project]) for mypy.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    normalized = value.strip().lower()
    if normalized in ("1", "true", "yes", "on"):
        return True
    if normalized in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-development-only-key-never-use-this-in-production"

# With DEBUG on and an empty list Django already allows localhost, 127.0.0.1 and [::1].
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "sessions_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body, so an oversized upload is refused unread.
    "sessions_app.api.middleware.RequestBodyLimitMiddleware",
    "sessions_app.api.middleware.QueryNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "acontext_site.urls"
WSGI_APPLICATION = "acontext_site.wsgi.application"

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
            ],
        },
    },
]

# Postgres in production (DATABASE_URL=postgres://...), SQLite in the repository root otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Persistent connections: a request pays no connection set-up (about half of a
        # store's time here when each request connected anew); the health check replaces a
        # connection the database has dropped.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a cheaper health check (acontext_site/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "acontext_site.postgresql"
    # Parameters bound by the server, and a statement run a fifth time on a connection is
    # prepared: Postgres then skips parsing and planning, which for the API key's join cost
    # more than running it (0.43 of 0.57 ms). Behind PgBouncer in transaction mode (before
    # 1.21, or without max_prepared_statements) set DATABASE_PREPARE_THRESHOLD=0 to prepare
    # nothing.
    prepare_threshold = env_int("DATABASE_PREPARE_THRESHOLD", 5)
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("server_side_binding", True)
    options.setdefault("prepare_threshold", prepare_threshold if prepare_threshold > 0 else None)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two concurrent writers queue
    # instead of failing with "database is locked" when one upgrades its read lock.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The HTML pages (sessions_app.urls) log people in with Django's own views.
LOGIN_URL = "pages:login"
LOGIN_REDIRECT_URL = "pages:session-list"
LOGOUT_REDIRECT_URL = "pages:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed but not hashed: a manifest would make every test run depend on collectstatic.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Uploaded files (sessions_app.assets): a directory by default, any S3-compatible store
    # when ACONTEXT_ASSET_S3_BUCKET is set (credentials as boto3 reads them: AWS_ACCESS_KEY_ID,
    # AWS_SECRET_ACCESS_KEY, or the instance's role).
    "assets": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("ACONTEXT_ASSET_ROOT") or str(BASE_DIR / "var" / "assets"),
            # Never served as files of a public URL: only by /api/v1/material/<token> links
            # and the pages' login-checked view.
            "base_url": None,
        },
    },
}
if os.environ.get("ACONTEXT_ASSET_S3_BUCKET"):
    STORAGES["assets"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["ACONTEXT_ASSET_S3_BUCKET"],
            # MinIO, Cloudflare R2, Ceph, ...: the store's URL; empty for AWS itself.
            "endpoint_url": os.environ.get("ACONTEXT_ASSET_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("ACONTEXT_ASSET_S3_REGION") or None,
            # Path-style addressing, which every S3-compatible store understands.
            "addressing_style": os.environ.get("ACONTEXT_ASSET_S3_ADDRESSING_STYLE") or "path",
            "default_acl": "private",
            # Keys are content addresses: the same key always holds the same bytes.
            "file_overwrite": True,
        },
    }

# The largest request body accepted, in bytes. The middleware refuses larger bodies from their
# Content-Length before they are read; Django enforces the same limit on form bodies it reads.
ACONTEXT_MAX_BODY_BYTES = env_int("ACONTEXT_MAX_BODY_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = ACONTEXT_MAX_BODY_BYTES
# Uploaded files: the largest one accepted (413 above it), the largest one given inline (as
# base64) when a conversation is read in a provider's format (above it, a link, where the
# provider takes that kind of file by URL), and how long the links (/api/v1/material/<token>,
# and public_urls) stay valid.
ACONTEXT_ASSET_MAX_BYTES = env_int("ACONTEXT_ASSET_MAX_BYTES", 10 * 1024 * 1024)
ACONTEXT_ASSET_INLINE_MAX_BYTES = env_int("ACONTEXT_ASSET_INLINE_MAX_BYTES", 2 * 1024 * 1024)
ACONTEXT_ASSET_LINK_SECONDS = env_int("ACONTEXT_ASSET_LINK_SECONDS", 24 * 60 * 60)
if ACONTEXT_ASSET_MAX_BYTES >= ACONTEXT_MAX_BODY_BYTES:
    raise ImproperlyConfigured(
        "ACONTEXT_ASSET_MAX_BYTES must be below ACONTEXT_MAX_BODY_BYTES (the whole request)"
    )
# POST /session/{id}/copy refuses (413) a session with more messages than this, as Acontext does.
ACONTEXT_COPY_MAX_MESSAGES = env_int("ACONTEXT_COPY_MAX_MESSAGES", 5000)

# Production hardening: on whenever DEBUG is off, each one can be switched by its variable
# (for example SECURE_SSL_REDIRECT=false behind a proxy that already redirects).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    # Only behind a proxy that sets this header itself; otherwise clients could forge it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["sessions_app.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["sessions_app.api.json.OrjsonRenderer"],
    "DEFAULT_PARSER_CLASSES": ["sessions_app.api.json.OrjsonParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "sessions_app.api.json.SingleRendererNegotiation",
    "EXCEPTION_HANDLER": "sessions_app.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The API needs `?format=` for the message format, so DRF must not read it as a renderer
    # override.
    "URL_FORMAT_OVERRIDE": None,
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Acontext-compatible sessions API",
    "DESCRIPTION": (
        "Store LLM conversations in one format (OpenAI, Anthropic, Gemini or acontext) and "
        "read them in any other. The official Acontext SDKs work against it unchanged with "
        "`ACONTEXT_BASE_URL=<this server>/api/v1`.\n\n"
        "Every request but ping needs an API key: `Authorization: Bearer sk-ac-...` (issue one "
        "in the admin or with `manage.py create_api_key`; here, use **Authorize**).\n\n"
        'Every answer is an envelope: `{"code": 0, "data": ..., "msg": ""}` on success, '
        '`{"code": <HTTP status>, "msg": "<field path>: <problem>", "error": "<short code>"}` '
        "on failure.\n\n"
        "**Limits.** Every JSON a request carries (body, `blob`, `meta`, `configs`, event "
        "`data`, `filter_by_configs`) holds numbers between -2^63 and 2^64 - 1 and at most 100 "
        "levels of nested arrays and objects, and no string holds U+0000; otherwise the answer "
        "is a 400 naming the field (`unsupported_json`). What is accepted reads back exactly. "
        "A body is at most 20 MiB (413), `meta` at most 64 KiB serialized (413), a page of "
        "messages at most 1,000 (no `limit`: the whole session), a page of sessions or events "
        "at most 200, and a copy at most 5,000 messages (413)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # The sidecar's Redoc, served by acontext_site/redoc.py without its CDN logo (the
    # bundle's only request off this server): {REDOC_DIST}/bundles/redoc.standalone.js.
    "REDOC_DIST": "/api/redoc",
    # The PATCH endpoints take a whole {"configs": ...} or {"meta": ...} object (the merge
    # happens inside it), so their bodies are not partial versions of another schema.
    "COMPONENT_SPLIT_PATCH": False,
    # As declared: the session id first, then the query parameters.
    "SORT_OPERATION_PARAMETERS": False,
    # Names for the enums, instead of the field-derived CodeEnum and FormatEnum.
    "ENUM_NAME_OVERRIDES": {
        "MessageFormat": "conversion.FORMATS",
        "SuccessCode": [(0, 0)],  # (value, label) as the hook compares them for a raw enum
    },
    # In the order a newcomer meets them.
    "TAGS": [
        {"name": "health", "description": "Is the server there"},
        {"name": "sessions", "description": "Conversations, each in one project"},
        {"name": "configs", "description": "A session's free-form settings (JSON)"},
        {"name": "messages", "description": "Store in one format, read in any"},
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
