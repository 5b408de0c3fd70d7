"""Fanloop settings: every knob comes from an environment variable with a safe default.

Two modes: ``local`` (the default; one team on one machine, SQLite under ./var/) and
``production`` (FANLOOP_MODE=production; SECRET_KEY must be given, cookies are secure).
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


MODE = env_str("FANLOOP_MODE", "local")
if MODE not in {"local", "production"}:
    raise ImproperlyConfigured(f"FANLOOP_MODE must be 'local' or 'production', got {MODE!r}")
PRODUCTION = MODE == "production"

DATA_DIR = Path(env_str("FANLOOP_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret_key() -> str:
    """Generate the key once and keep it, so sessions survive restarts."""
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. In production mode (FANLOOP_MODE=production) set SECRET_KEY "
            "to a long random string, e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = _local_secret_key()

# Keys for encrypting platform credentials at rest; the first encrypts, all decrypt,
# so a key can be rotated by putting the new one first.
FIELD_ENCRYPTION_KEYS = env_list("FANLOOP_ENCRYPTION_KEYS", [])

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "django_rq",
    "fanloop.core",
    "fanloop.campaigns",
    "fanloop.compliance",
    "fanloop.content",
    "fanloop.channels",
    "fanloop.inbox",
    "fanloop.community",
    "fanloop.tracking",
    "fanloop.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fanloop.core.middleware.FanloopLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fanloop.urls"
WSGI_APPLICATION = "fanloop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fanloop.core.context_processors.shell",
            ],
        },
    }
]

# Database: SQLite under DATA_DIR unless DATABASE_URL says otherwise.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "fanloop.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and scheduler share the file: WAL lets readers run beside one writer,
    # busy_timeout waits instead of failing, IMMEDIATE takes the write lock up front so
    # two writers never deadlock upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
            "PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("FANLOOP_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("FANLOOP_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

# i18n: zh-hans first, English available.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "fanloop" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
FRONTEND_PACKAGES = BASE_DIR / "frontend" / "node_modules"
# Static URL -> file under frontend/node_modules (installed by `npm ci` from package-lock).
VENDOR_FILES = {
    "vendor/htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "vendor/bootstrap/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "vendor/echarts/echarts.min.js": "echarts/dist/echarts.min.js",
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "fanloop.core.staticfinders.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
DOCUMENT_MAX_BYTES = env_int("FANLOOP_DOCUMENT_MAX_MB", 25) * 1_048_576
# Media library limits (content/mediafiles.py reads these).
FANLOOP_MEDIA_MAX_IMAGE_BYTES = env_int("FANLOOP_MEDIA_MAX_IMAGE_MB", 20) * 1_048_576
FANLOOP_MEDIA_MAX_VIDEO_BYTES = env_int("FANLOOP_MEDIA_MAX_VIDEO_MB", 1024) * 1_048_576
FANLOOP_MEDIA_MAX_PIXELS = env_int("FANLOOP_MEDIA_MAX_MEGAPIXELS", 40) * 1_000_000

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("FANLOOP_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("FANLOOP_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("FANLOOP_HSTS_SECONDS", 0)
if env_bool("FANLOOP_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Email (invitations). Local mode prints mail to the console.
_MAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _MAIL_BACKEND,
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", default=False),
            "use_ssl": env_bool("EMAIL_USE_SSL", default=False),
        }
        if _MAIL_BACKEND.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Fanloop <fanloop@localhost>")
SITE_URL = env_str("FANLOOP_SITE_URL", "http://127.0.0.1:8000")

# Background jobs: the app's own database by default, RQ on Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
JOB_QUEUES = ["default"]
if REDIS_URL:
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": JOB_QUEUES}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": JOB_QUEUES}}
RQ_QUEUES = {name: {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"} for name in JOB_QUEUES}
JOB_DEFAULT_MAX_ATTEMPTS = env_int("FANLOOP_JOB_MAX_ATTEMPTS", 3)
JOB_RETRY_BASE_SECONDS = env_int("FANLOOP_JOB_RETRY_BASE_SECONDS", 30)
SCHEDULER_TICK_SECONDS = env_int("FANLOOP_SCHEDULER_TICK_SECONDS", 5)
# Publishing: attempts before a job fails, back-off base, how long a worker holds a claimed
# job before reconciliation may take it, how often a platform still processing a post is
# asked again, and when an assisted post counts as overdue.
PUBLISH_MAX_ATTEMPTS = env_int("FANLOOP_PUBLISH_MAX_ATTEMPTS", 5)
PUBLISH_RETRY_BASE_SECONDS = env_int("FANLOOP_PUBLISH_RETRY_BASE_SECONDS", 30)
PUBLISH_LEASE_SECONDS = env_int("FANLOOP_PUBLISH_LEASE_SECONDS", 120)
PUBLISH_STATUS_POLL_SECONDS = env_int("FANLOOP_PUBLISH_STATUS_POLL_SECONDS", 30)
PUBLISH_POLL_SECONDS = env_int("FANLOOP_PUBLISH_POLL_MS", 500) / 1000
ASSISTED_OVERDUE_MINUTES = env_int("FANLOOP_ASSISTED_OVERDUE_MINUTES", 30)
FANLOOP_METRIC_IMPORT_MAX_BYTES = env_int("FANLOOP_METRIC_IMPORT_MAX_MB", 200) * 1_048_576

# Workspace creation: any signed-in user, or staff only.
WORKSPACE_CREATION_STAFF_ONLY = env_bool("FANLOOP_WORKSPACE_CREATION_STAFF_ONLY", default=False)
INVITATION_VALID_DAYS = env_int("FANLOOP_INVITATION_VALID_DAYS", 7)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fanloop.core.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "fanloop.core.api_support.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "fanloop.core.api_support.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env_str("FANLOOP_API_RATE", "6000/hour")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fanloop API",
    "DESCRIPTION": (
        "REST API of Fanloop. Authenticate with `Authorization: Token <key>`; create keys "
        "under Settings -> API tokens or with `fanloop token create USERNAME`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "fanloop.core.permissions.Role",
        "VariantStateEnum": "fanloop.content.models.choices.VariantState",
        "CampaignStateEnum": "fanloop.campaigns.models.CampaignState",
        "ContentPlatformEnum": "fanloop.content.models.choices.TARGET_PLATFORM_CHOICES",
        "JobStateEnum": "fanloop.channels.models.publishing.JobState",
        "AccountStatusEnum": "fanloop.channels.models.accounts.AccountStatus",
        "AccountPlatformEnum": "fanloop.channels.models.accounts.ACCOUNT_PLATFORM_CHOICES",
        "GroupPlatformEnum": "fanloop.community.models.GroupPlatform",
        "EventKindEnum": "fanloop.community.models.EventKind",
        "EventStatusEnum": "fanloop.community.models.EventStatus",
        "PartnerKindEnum": "fanloop.tracking.models.PartnerKind",
        "PromoKindEnum": "fanloop.tracking.models.PromoKind",
        "PlatformEnum": "fanloop.core.platforms.Platform",
        "ThreadStatusEnum": "fanloop.inbox.models.choices.ThreadStatus",
        "MessageKindEnum": "fanloop.inbox.models.choices.MessageKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "fanloop.core.api_support.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("FANLOOP_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Tracking links: proxies whose X-Forwarded-For is believed (IPs or CIDR networks), and the
# click log's buffer (clicks are written in batches off the request path).
TRACKING_TRUSTED_PROXIES = env_list("FANLOOP_TRUSTED_PROXIES", [])
# alert webhooks may post to private addresses (an intranet install); see core/outbound.py
OUTBOUND_ALLOW_PRIVATE = env_bool("FANLOOP_OUTBOUND_ALLOW_PRIVATE", False)
TRACKING_CLICKLOG_SYNC = env_bool("FANLOOP_CLICKLOG_SYNC", False)
TRACKING_CLICKLOG_FLUSH_SECONDS = float(env_str("FANLOOP_CLICKLOG_FLUSH_SECONDS", "1.0"))
TRACKING_CLICKLOG_BATCH_SIZE = env_int("FANLOOP_CLICKLOG_BATCH_SIZE", 500)
TRACKING_CLICKLOG_MAX_BUFFER = env_int("FANLOOP_CLICKLOG_MAX_BUFFER", 20_000)
FANLOOP_ORDER_IMPORT_MAX_BYTES = env_int("FANLOOP_ORDER_IMPORT_MAX_BYTES", 100 * 1024 * 1024)
