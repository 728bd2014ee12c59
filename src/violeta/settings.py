"""Violeta's settings, read from the environment and failing fast on a missing secret.

Three modes (``VIOLETA_MODE``):

* ``demo`` (the default for ``violeta demo``): SQLite in the local data folder, keys generated
  once into that folder, TOTP secrets printed so the demo users can pass two-factor.
* ``test``: what pytest uses; fixed throw-away keys.
* ``production``: DEBUG off, every secret from the environment, HTTPS-only cookies, HSTS.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from violeta.core.keys import load_demo_keys
from violeta.core.logs import FORMATS as LOG_FORMATS
from violeta.core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent
MODE = os.environ.get("VIOLETA_MODE", "demo")
if MODE not in {"demo", "test", "production"}:
    raise ImproperlyConfigured(f"VIOLETA_MODE must be demo, test or production, not {MODE!r}")
PRODUCTION = MODE == "production"
DATA_DIR = Path(os.environ.get("VIOLETA_DATA_DIR", Path.cwd() / "violeta-data")).resolve()


def _secret(name: str) -> str:
    """``NAME`` from the environment, or the content of the file named by ``NAME_FILE`` (the
    convention of systemd credentials and container secrets: the key never sits in the process
    environment). The file must be readable by its owner only."""
    path = os.environ.get(f"{name}_FILE", "")
    if path:
        try:
            mode = os.stat(path).st_mode
            if mode & 0o077:
                raise ImproperlyConfigured(
                    f"{name}_FILE ({path}) is readable by other users (mode {mode & 0o777:o}): "
                    "chmod 600 it"
                )
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"{name}_FILE ({path}) cannot be read: {error.strerror}"
            ) from None
        if not value:
            raise ImproperlyConfigured(f"{name}_FILE ({path}) is empty")
        return value
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production (or {name}_FILE)")
    return value


if PRODUCTION:
    SECRET_KEY = _secret("VIOLETA_SECRET_KEY")
    ENCRYPTION_KEYS = [k.strip() for k in _secret("VIOLETA_ENCRYPTION_KEYS").split(",") if k]
    INDEX_KEY = _secret("VIOLETA_INDEX_KEY")
    AUDIT_KEY = _secret("VIOLETA_AUDIT_KEY")
    SIGNING_KEY = _secret("VIOLETA_SIGNING_KEY")
elif MODE == "test":
    SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789abcdef"
    ENCRYPTION_KEYS = os.environ.get(
        "VIOLETA_ENCRYPTION_KEYS", "wgsoN1rWpSLmp7F28RkmvBjyqYc3InoHilT2M5MMP44="
    ).split(",")
    INDEX_KEY = "test-index-key"
    AUDIT_KEY = "test-audit-key"
    SIGNING_KEY = "7S8wYQ5Oz8YQm0qkq2u0B0m8eD2cN1k2m3n4b5v6c7A="  # Ed25519 seed, tests only
else:
    _keys = load_demo_keys(DATA_DIR)
    SECRET_KEY = os.environ.get("VIOLETA_SECRET_KEY") or _keys["secret_key"]
    ENCRYPTION_KEYS = (os.environ.get("VIOLETA_ENCRYPTION_KEYS") or _keys["encryption_keys"]).split(
        ","
    )
    INDEX_KEY = os.environ.get("VIOLETA_INDEX_KEY") or _keys["index_key"]
    AUDIT_KEY = os.environ.get("VIOLETA_AUDIT_KEY") or _keys["audit_key"]
    SIGNING_KEY = os.environ.get("VIOLETA_SIGNING_KEY") or _keys["signing_key"]

DEBUG = os.environ.get("VIOLETA_DEBUG", "0") == "1" and not PRODUCTION
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("VIOLETA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("VIOLETA_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "violeta.core",
    "violeta.agencies",
    "violeta.catalogs",
    "violeta.people",
    "violeta.records",
    "violeta.audit",
    "violeta.intake",
    "violeta.linkage",
    "violeta.certificates",
    "violeta.referrals",
    "violeta.cases",
    "violeta.safetyplan",
    "violeta.risk",
    "violeta.delivery",
    "violeta.alerts",
    "violeta.reports",
    "violeta.exports",
    "violeta.observatory",
    "violeta.lifecycle",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "violeta.api",
]

MIDDLEWARE = [
    "violeta.core.logs.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "violeta.core.middleware.SpanishByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "violeta.core.middleware.StaffTwoFactorMiddleware",
    "violeta.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "violeta.urls"
WSGI_APPLICATION = "violeta.wsgi.application"
AUTH_USER_MODEL = "agencies.User"

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
                "violeta.agencies.context_processors.capabilities",
                "violeta.delivery.context_processors.inbox",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'violeta.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_db), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers go on while the importer writes; a generous timeout avoids "locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "agencies:login"
LOGIN_REDIRECT_URL = "records:home"

# Lock-out after repeated failures (django-axes): per user name and address.
AXES_FAILURE_LIMIT = int(os.environ.get("VIOLETA_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("VIOLETA_LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "agencies/locked_out.html"
AXES_VERBOSE = False

# Idle-session expiry: the cookie is renewed on every request and dies after this idle time.
SESSION_COOKIE_AGE = int(os.environ.get("VIOLETA_IDLE_MINUTES", "15")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A browser-session cookie, not one kept for a year: the public report pages leave nothing
# behind once the browser closes.
CSRF_COOKIE_AGE = None
OTP_TOTP_ISSUER = "Violeta"
# Passkeys (WebAuthn): the relying party id is the request's host name and the origin its
# scheme and host, unless these say otherwise (behind a proxy that rewrites the host).
WEBAUTHN_RP_ID = os.environ.get("VIOLETA_WEBAUTHN_RP_ID", "").strip()
WEBAUTHN_ORIGIN = os.environ.get("VIOLETA_WEBAUTHN_ORIGIN", "").strip().rstrip("/")

LANGUAGE_CODE = "es-mx"
LANGUAGES = [("es-mx", _("Spanish (Mexico)")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Mexico_City"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if MODE != "test"
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = MODE != "production"

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("VIOLETA_SSL_REDIRECT", "1") == "1"
    # The load balancer probes the backend over plain HTTP: no redirect for health checks.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Demo only: TOTP secrets are printed and stored so a visitor can pass two-factor. In
# production no account may exist without a confirmed device: nothing can switch that off.
DEMO = MODE == "demo"

# Logs on stderr: plain text, or one JSON object per line with request and user ids
# (VIOLETA_LOG_FORMAT=json, violeta.core.logs). Ids only, never personal data.
LOG_FORMAT = os.environ.get("VIOLETA_LOG_FORMAT", "plain")
if LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured(f"VIOLETA_LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = logging_config(LOG_FORMAT, os.environ.get("VIOLETA_LOG_LEVEL", "WARNING"))
CSRF_FAILURE_VIEW = "violeta.core.views.csrf_failure"

# Record linkage (violeta link): pairs at or above LINKAGE_THRESHOLD are the same person;
# pairs between LINKAGE_REVIEW_FROM and the threshold go to a supervisor's review queue.
LINKAGE_THRESHOLD = float(os.environ.get("VIOLETA_LINKAGE_THRESHOLD", "0.95"))
LINKAGE_REVIEW_FROM = float(os.environ.get("VIOLETA_LINKAGE_REVIEW_FROM", "0.5"))
# violeta link --backend spark: the Spark master (local[N], spark://host:7077, yarn) and where
# Splink writes its intermediate tables (a path every executor reaches: hdfs://, s3a://; empty
# for a temporary local directory, fine only in local mode).
SPARK_MASTER = os.environ.get("VIOLETA_SPARK_MASTER", "local[2]")
SPARK_CHECKPOINT_DIR = os.environ.get("VIOLETA_SPARK_CHECKPOINT_DIR", "")

# Referrals between agencies: the receiving agency answers within REFERRAL_RESPOND_HOURS and
# completes the service within REFERRAL_COMPLETE_DAYS of the referral; later, it is overdue.
REFERRAL_RESPOND_HOURS = int(os.environ.get("VIOLETA_REFERRAL_RESPOND_HOURS", "72"))
REFERRAL_COMPLETE_DAYS = int(os.environ.get("VIOLETA_REFERRAL_COMPLETE_DAYS", "10"))
# A woman's follow-up at an agency with no activity for CASE_INACTIVE_DAYS becomes supervised
# (violeta cases_sweep); a supervisor may close it after CASE_SUPERVISED_DAYS supervised.
CASE_INACTIVE_DAYS = int(os.environ.get("VIOLETA_CASE_INACTIVE_DAYS", "90"))
CASE_SUPERVISED_DAYS = int(os.environ.get("VIOLETA_CASE_SUPERVISED_DAYS", "90"))
# Risk assessment: re-assessment intervals in hours per level of the common scale, overriding
# the instrument's own (VIOLETA_REASSESS_EXTREMO=72, _ALTO, _MEDIO, _BAJO, _NO_APRECIADO).
RISK_REASSESS_HOURS: dict[str, int] = {}
for _level in ("no_apreciado", "bajo", "medio", "alto", "extremo"):
    _hours = os.environ.get(f"VIOLETA_REASSESS_{_level.upper()}", "").strip()
    if _hours:
        if not _hours.isdigit() or int(_hours) < 1:
            raise ImproperlyConfigured(
                f"VIOLETA_REASSESS_{_level.upper()} must be a whole number of hours, not {_hours!r}"
            )
        RISK_REASSESS_HOURS[_level] = int(_hours)
# Operators assess risk only in these agencies (police first contact, the follow-up line).
RISK_OPERATOR_AGENCIES = ("SSC", "LINEA")
# Early warnings: the agency on duty receives every alert; minutes to acknowledge per level
# before it escalates to the supervisors.
# Largest file accepted by the upload page (/importar/), in megabytes; `violeta import` has none.
IMPORT_MAX_MB = int(os.environ.get("VIOLETA_IMPORT_MAX_MB", "200"))
VIOLETA_ALERTS_ON_DUTY_AGENCY = os.environ.get("VIOLETA_ALERTS_ON_DUTY_AGENCY", "C5")
# A new record raises alerts only if it happened within this many days (history loads quietly).
VIOLETA_ALERTS_RECORD_WINDOW_DAYS = int(os.environ.get("VIOLETA_ALERTS_RECORD_WINDOW_DAYS", "30"))
VIOLETA_ALERTS_DEADLINES = {"alarma": 15, "alerta": 4 * 60, "aviso": 72 * 60}
# The instrument suggested for a first assessment (a follow-up form is suggested afterwards).
RISK_FIRST_INSTRUMENT = os.environ.get("VIOLETA_RISK_FIRST_INSTRUMENT", "vpr")

# REST API for agencies' systems (violeta.api): bearer tokens, problem+json errors, per-client
# rate limit (VIOLETA_API_RATE, e.g. "120/min"), OpenAPI 3 at /api/v1/schema/.
VIOLETA_API_RATE = os.environ.get("VIOLETA_API_RATE", "120/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["violeta.api.security.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["violeta.api.security.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["violeta.api.security.ClientRateThrottle"],
    "EXCEPTION_HANDLER": "violeta.api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Violeta API",
    "DESCRIPTION": (
        "REST API for agencies' systems. Authenticate with `Authorization: Bearer <token>`; "
        "writes accept an `Idempotency-Key` header; lists use cursor pagination; errors are "
        "`application/problem+json` (RFC 9457). Every call is audited."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Alert delivery (violeta.delivery, ``violeta worker``): email over SMTP, signed webhooks.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("VIOLETA_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("VIOLETA_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("VIOLETA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("VIOLETA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("VIOLETA_EMAIL_USE_TLS", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("VIOLETA_EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("VIOLETA_EMAIL_FROM", "violeta@localhost")
# The address links in emails start with (the inbox and alert pages), e.g. https://violeta.example
SITE_URL = os.environ.get("VIOLETA_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# After DELIVERY_MAX_ATTEMPTS failed attempts a delivery is parked (retried by hand); between
# attempts the worker waits DELIVERY_BACKOFF_SECONDS * 2**(attempt-1), at most
# DELIVERY_BACKOFF_MAX_SECONDS, with jitter. A worker holds a delivery for DELIVERY_LEASE_SECONDS:
# if it dies, another worker takes it over after that.
DELIVERY_MAX_ATTEMPTS = int(os.environ.get("VIOLETA_DELIVERY_MAX_ATTEMPTS", "8"))
DELIVERY_BACKOFF_SECONDS = float(os.environ.get("VIOLETA_DELIVERY_BACKOFF_SECONDS", "30"))
DELIVERY_BACKOFF_MAX_SECONDS = float(os.environ.get("VIOLETA_DELIVERY_BACKOFF_MAX_SECONDS", "3600"))
DELIVERY_LEASE_SECONDS = float(os.environ.get("VIOLETA_DELIVERY_LEASE_SECONDS", "60"))
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("VIOLETA_WEBHOOK_TIMEOUT_SECONDS", "5"))

# The public reporting channel (violeta.reports): /denuncia/ without login. Submissions and
# follow-up look-ups per address and window; the neutral site the quick-exit button goes to.
VIOLETA_REPORTS_RATE_LIMIT = int(os.environ.get("VIOLETA_REPORTS_RATE_LIMIT", "10"))
VIOLETA_REPORTS_RATE_WINDOW_SECONDS = int(os.environ.get("VIOLETA_REPORTS_RATE_WINDOW", "600"))
VIOLETA_REPORTS_QUICK_EXIT_URL = os.environ.get(
    "VIOLETA_REPORTS_QUICK_EXIT_URL", "https://www.google.com/search?q=clima"
)
# WhatsApp Business Cloud API: the webhook /denuncia/whatsapp/webhook checks the
# X-Hub-Signature-256 with the app secret (refuses everything while it is empty); replies go to
# {GRAPH_URL}/{PHONE_NUMBER_ID}/messages with the access token.
VIOLETA_WHATSAPP_APP_SECRET = os.environ.get("VIOLETA_WHATSAPP_APP_SECRET", "")
VIOLETA_WHATSAPP_VERIFY_TOKEN = os.environ.get("VIOLETA_WHATSAPP_VERIFY_TOKEN", "")
VIOLETA_WHATSAPP_TOKEN = os.environ.get("VIOLETA_WHATSAPP_TOKEN", "")
VIOLETA_WHATSAPP_PHONE_NUMBER_ID = os.environ.get("VIOLETA_WHATSAPP_PHONE_NUMBER_ID", "")
VIOLETA_WHATSAPP_GRAPH_URL = os.environ.get(
    "VIOLETA_WHATSAPP_GRAPH_URL", "https://graph.facebook.com/v21.0"
)
VIOLETA_WHATSAPP_TIMEOUT_SECONDS = float(os.environ.get("VIOLETA_WHATSAPP_TIMEOUT_SECONDS", "5"))
# The public observatory (violeta.observatory): no published figure counts fewer than
# OBSERVATORY_K women (complementary suppression keeps hidden figures unrecoverable).
OBSERVATORY_K = int(os.environ.get("VIOLETA_OBSERVATORY_K", "5"))
# The first month the observatory publishes (YYYY-MM); empty: the first month with records.
OBSERVATORY_FIRST_MONTH = os.environ.get("VIOLETA_OBSERVATORY_FIRST_MONTH", "")
# A refresh counts again only the women with new records (observatory.incremental); every
# record is counted again after anything else changed, and at least every this many hours.
OBSERVATORY_FULL_COUNT_HOURS = float(os.environ.get("VIOLETA_OBSERVATORY_FULL_COUNT_HOURS", "24"))
# More women than this touched since the last count: count everything instead.
OBSERVATORY_DELTA_MAX_WOMEN = int(os.environ.get("VIOLETA_OBSERVATORY_DELTA_MAX_WOMEN", "20000"))
# The observatory's open-data API (/observatorio/api/v1/): requests per address.
VIOLETA_OBSERVATORY_API_RATE = os.environ.get("VIOLETA_OBSERVATORY_API_RATE", "300/min")
# Differential privacy (docs/observatory.md): empty = off (mode "k"); a positive number = the
# epsilon spent by each release (OpenDP Laplace noise on every figure, then k on noisy counts).
OBSERVATORY_DP_EPSILON = os.environ.get("VIOLETA_OBSERVATORY_DP_EPSILON", "")
# With DP: at most this many records (and alerts) of one woman are counted in a release ...
OBSERVATORY_DP_MAX_RECORDS = int(os.environ.get("VIOLETA_OBSERVATORY_DP_MAX_RECORDS", "3"))
# ... and a new noisy release (which spends epsilon again) at most once per this many hours.
OBSERVATORY_DP_EVERY_HOURS = float(os.environ.get("VIOLETA_OBSERVATORY_DP_EVERY_HOURS", "24"))
