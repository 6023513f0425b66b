"""SMS Console settings: one module, configured from the environment (see .env.example)."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Development defaults. They are public, so production (DEBUG off) refuses to start with them.
DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key-change-me-in-production-0123456789"
DEFAULT_ENCRYPTION_KEY = "c21zLWNvbnNvbGUtZGV2LW9ubHkta2V5LTMyYnl0ZXM="

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SMSCONSOLE_ENCRYPTION_KEYS = env.list(
    "SMSCONSOLE_ENCRYPTION_KEYS", default=[DEFAULT_ENCRYPTION_KEY]
)

if not DEBUG:
    if SECRET_KEY == DEFAULT_SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is off but DJANGO_SECRET_KEY is not set. Set it to a long random value, "
            'e.g. python -c "import secrets; print(secrets.token_urlsafe(50))".'
        )
    if DEFAULT_ENCRYPTION_KEY in SMSCONSOLE_ENCRYPTION_KEYS:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is off but SMSCONSOLE_ENCRYPTION_KEYS is not set (or still holds the "
            "development key). Generate one with "
            'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())".'
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_q",
    "axes",
    "core",
    "accounts",
    "smsconsole",
    "connectors",
    "connectors.simulators",
    "messaging",
    "messaging.campaigns",
    "inbox",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.ProfileLanguageMiddleware",
    "core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smsconsole.urls"
WSGI_APPLICATION = "smsconsole.wsgi.application"

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
                "smsconsole.context_processors.console",
                "accounts.context_processors.language",
            ],
        },
    },
]

# SQLite by default (WAL, IMMEDIATE transactions: see NOTES on lost writes); PostgreSQL via DATABASE_URL.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'smsconsole.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with writers queued on a file lock rather than SQLite's sleeping busy handler.
    DATABASES["default"]["ENGINE"] = "core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Connections are kept between requests (and a worker's provider requests): opening one costs
# setup statements each time (bench.latency singles on SQLite: 45 msg/s new, 65 msg/s kept).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SMSCONSOLE_SESSION_SECONDS", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling: 5 failures lock the user+IP pair for 15 minutes; 20 failures of one user name
# from any addresses together lock that user name (core.lockout: axes has one limit of its own).
AXES_FAILURE_LIMIT = env.int("SMSCONSOLE_LOGIN_FAILURE_LIMIT", default=5)
SMSCONSOLE_LOGIN_USERNAME_FAILURE_LIMIT = env.int(
    "SMSCONSOLE_LOGIN_USERNAME_FAILURE_LIMIT", default=20
)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_HANDLER = "core.lockout.UserNameLockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"

# Console languages: a user's profile chooses one, else the browser's Accept-Language does.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("tr", "Türkçe"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our date and number formats per language (smsconsole/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["smsconsole.formats"]
USE_THOUSAND_SEPARATOR = True  # 1,234.5 in English, 1.234,5 in Turkish
TIME_ZONE = env.str("SMSCONSOLE_TIME_ZONE", default="Europe/Istanbul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Production hardening (on whenever DEBUG is off; see `manage.py check --deploy`).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Users by their role, API keys by their scopes; every API view declares permission_required.
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.ApiPermission"],
    # DRF's three parsers, JSON with a bound on nesting (deep JSON is a 400, not a RecursionError).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SMS Console API",
    "DESCRIPTION": "Connectors, messages, inbox and campaigns. Authenticate with "
    "`Authorization: Bearer <API key>` or `X-Api-Key: <API key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Shared choice sets get one name each in the schema (no Kind42bEnum-style collision names).
    "ENUM_NAME_OVERRIDES": {
        "MessageKindEnum": "messaging.models.MessageKind",
        "MessageStatusEnum": "messaging.models.MessageStatus",
        "CampaignStatusEnum": "messaging.campaigns.models.CampaignStatus",
        "RecipientStatusEnum": "messaging.campaigns.models.RecipientStatus",
        "AttemptOutcomeEnum": "connectors.providers.types.Outcome",
    },
    # No "validator" badge: it would load an image from swagger.io (no third parties; CSP img-src).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Group the docs by resource (connectors, messages, ...) rather than one "api" heap.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}

# django-q2. The Message table is the source of truth; a task is only a "kick" carrying an id.
REDIS_URL = env.str("REDIS_URL", default="")
Q_CLUSTER = {
    "name": "smsconsole",
    "workers": env.int("SMSCONSOLE_WORKERS", default=2),
    "timeout": env.int("SMSCONSOLE_TASK_TIMEOUT", default=60),
    "retry": env.int("SMSCONSOLE_TASK_RETRY", default=90),
    "max_attempts": 3,
    "save_limit": -1,
    "catch_up": False,
    "recycle": 500,
    "max_rss": 300_000,
    "poll": 0.05,
    "ack_failures": True,
    "sync": env.bool("SMSCONSOLE_TASKS_SYNC", default=False),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# "shared": counters every web process must see alike (the receiver's wrong-token throttle), in
# Redis when REDIS_URL is set, else in a database table (created by a migration). The default
# cache stays per process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "smsconsole_shared_cache",
        }
    ),
}

# Providers: dotted paths to provider classes. Adding a provider = one module + one line here.
SMSCONSOLE_PROVIDERS = env.list(
    "SMSCONSOLE_PROVIDERS",
    default=[
        "connectors.providers.iletimerkezi.IletiMerkeziProvider",
        "connectors.providers.jetsms.JetSmsProvider",
        "connectors.providers.josms.JoSmsProvider",
        "connectors.providers.smsc.SmscProvider",
        "connectors.providers.infobip.InfobipProvider",
        "connectors.providers.twilio.TwilioProvider",
        "connectors.providers.mobildev.MobildevProvider",
        "connectors.providers.generic.FigenSoftProvider",
        "connectors.providers.generic.GenericHttpProvider",
    ],
)
SMSCONSOLE_SIMULATORS = env.bool("SMSCONSOLE_SIMULATORS", default=DEBUG)
# Outbound HTTP (providers and inbox forwarding, core/outbound.py): plain http and private, loopback or
# link-local addresses only for these hosts; everything else must be https to a public address.
SMSCONSOLE_PROVIDER_HTTP_HOSTS = env.list(
    "SMSCONSOLE_PROVIDER_HTTP_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
SMSCONSOLE_PROVIDER_MAX_ANSWER_BYTES = env.int(
    "SMSCONSOLE_PROVIDER_MAX_ANSWER_BYTES", default=256_000
)
SMSCONSOLE_DEFAULT_REGION = env.str("SMSCONSOLE_DEFAULT_REGION", default="TR")
SMSCONSOLE_PUBLIC_URL = env.str("SMSCONSOLE_PUBLIC_URL", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("SMSCONSOLE_LOG_LEVEL", default="INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}

# Inbound SMS (/SMSReceiver, inbox app).
# A message whose whole text is one of these (case- and accent-insensitive) opts its sender out.
SMSCONSOLE_STOP_WORDS = env.list("SMSCONSOLE_STOP_WORDS", default=["STOP", "İPTAL", "IPTAL", "RET"])
SMSCONSOLE_INBOUND_MAX_BYTES = env.int("SMSCONSOLE_INBOUND_MAX_BYTES", default=64 * 1024)
SMSCONSOLE_INBOUND_MAX_CHARS = env.int("SMSCONSOLE_INBOUND_MAX_CHARS", default=1600)
# The same request again within this many seconds is a provider retry: answered 200, stored once.
SMSCONSOLE_INBOUND_DEDUPE_SECONDS = env.int("SMSCONSOLE_INBOUND_DEDUPE_SECONDS", default=120)
SMSCONSOLE_FORWARD_MAX_ATTEMPTS = env.int("SMSCONSOLE_FORWARD_MAX_ATTEMPTS", default=5)
SMSCONSOLE_FORWARD_TIMEOUT_SECONDS = env.int("SMSCONSOLE_FORWARD_TIMEOUT_SECONDS", default=10)
# Wrong or missing receiver tokens one address may send in a minute before it gets 429 (0: no limit).
SMSCONSOLE_RECEIVER_BAD_TOKEN_LIMIT = env.int("SMSCONSOLE_RECEIVER_BAD_TOKEN_LIMIT", default=10)

# Campaign CSV uploads: larger ones are refused (413); those over the background size are imported by
# a worker, with progress on the campaign page, instead of holding a web thread.
SMSCONSOLE_CAMPAIGN_MAX_BYTES = env.int("SMSCONSOLE_CAMPAIGN_MAX_BYTES", default=50 * 1024 * 1024)
SMSCONSOLE_CAMPAIGN_BACKGROUND_BYTES = env.int(
    "SMSCONSOLE_CAMPAIGN_BACKGROUND_BYTES", default=1024 * 1024
)

# Sending (messaging): the dispatch lease, retries when every connector failed transiently, the
# sweeper, and the connector circuit breaker. The lease must outlast Q_CLUSTER["timeout"].
SMSCONSOLE_DISPATCH_LEASE_SECONDS = env.int("SMSCONSOLE_DISPATCH_LEASE_SECONDS", default=120)
SMSCONSOLE_RETRY_LIMIT = env.int("SMSCONSOLE_RETRY_LIMIT", default=5)
SMSCONSOLE_RETRY_BACKOFF_SECONDS = env.int(
    "SMSCONSOLE_RETRY_BACKOFF_SECONDS", default=30
)  # doubles
SMSCONSOLE_REKICK_SECONDS = env.int("SMSCONSOLE_REKICK_SECONDS", default=120)
# Provider requests one worker process keeps in flight at once (threads); each connector's
# max_in_flight bounds its share. A send task also picks up this many other due messages.
SMSCONSOLE_SEND_CONCURRENCY = env.int("SMSCONSOLE_SEND_CONCURRENCY", default=16)
SMSCONSOLE_SWEEP_BATCH = env.int("SMSCONSOLE_SWEEP_BATCH", default=500)
SMSCONSOLE_BREAKER_FAILURES = env.int("SMSCONSOLE_BREAKER_FAILURES", default=5)
SMSCONSOLE_BREAKER_COOLDOWN_SECONDS = env.int("SMSCONSOLE_BREAKER_COOLDOWN_SECONDS", default=60)
SMSCONSOLE_BREAKER_BALANCE_SECONDS = env.int("SMSCONSOLE_BREAKER_BALANCE_SECONDS", default=600)
# Status callbacks to integrators: attempts per event, the first retry's delay (doubling each time:
# 6 attempts with 120 s span about an hour) and the timeout of each POST.
SMSCONSOLE_CALLBACK_MAX_ATTEMPTS = env.int("SMSCONSOLE_CALLBACK_MAX_ATTEMPTS", default=6)
SMSCONSOLE_CALLBACK_BACKOFF_SECONDS = env.int("SMSCONSOLE_CALLBACK_BACKOFF_SECONDS", default=120)
SMSCONSOLE_CALLBACK_TIMEOUT_SECONDS = env.int("SMSCONSOLE_CALLBACK_TIMEOUT_SECONDS", default=10)

# Delivery reports (issue 13): a sent message still pending this long becomes "unknown" and is no
# longer asked about; pushed receipts larger than the limit are refused (413).
SMSCONSOLE_DELIVERY_WAIT_HOURS = env.int("SMSCONSOLE_DELIVERY_WAIT_HOURS", default=72)
SMSCONSOLE_RECEIPT_MAX_BYTES = env.int("SMSCONSOLE_RECEIPT_MAX_BYTES", default=256 * 1024)
# Report queries (every minute): the pending messages one connector's queries ask about in one run,
# how long a run may go on asking (it holds a worker: the rest wait for the next run), how long it
# asks before it gives way to tasks waiting for a worker (a campaign's chunks), and how long
# before a message is asked about again (those never asked, then those asked longest ago, go first).
SMSCONSOLE_REPORT_POLL_MAX = env.int("SMSCONSOLE_REPORT_POLL_MAX", default=5000)
SMSCONSOLE_REPORT_POLL_SECONDS = env.int("SMSCONSOLE_REPORT_POLL_SECONDS", default=20)
SMSCONSOLE_REPORT_POLL_YIELD_SECONDS = env.int("SMSCONSOLE_REPORT_POLL_YIELD_SECONDS", default=2)
SMSCONSOLE_REPORT_POLL_INTERVAL_SECONDS = env.int(
    "SMSCONSOLE_REPORT_POLL_INTERVAL_SECONDS", default=50
)
# The simulators' receipts: the share of messages delivered (the rest undelivered) and how long
# after sending a receipt is pushed or reported final. The Simulators page changes them per provider.
SMSCONSOLE_SIMULATOR_DELIVERED_PERCENT = env.int(
    "SMSCONSOLE_SIMULATOR_DELIVERED_PERCENT", default=90
)
SMSCONSOLE_SIMULATOR_RECEIPT_DELAY_SECONDS = env.int(
    "SMSCONSOLE_SIMULATOR_RECEIPT_DELAY_SECONDS", default=5
)
# How long the simulators take to answer (milliseconds, each answer drawn uniformly within
# ±jitter percent), unless a simulator sets its own on the Simulators page: 150 is a real provider.
SMSCONSOLE_SIMULATOR_LATENCY_MS = env.int("SMSCONSOLE_SIMULATOR_LATENCY_MS", default=0)
SMSCONSOLE_SIMULATOR_LATENCY_JITTER_PERCENT = env.int(
    "SMSCONSOLE_SIMULATOR_LATENCY_JITTER_PERCENT", default=20
)
# Whether the simulators push due receipts by themselves (a short-lived thread of the web process).
SMSCONSOLE_SIMULATOR_RECEIPT_PUSH = env.bool("SMSCONSOLE_SIMULATOR_RECEIPT_PUSH", default=True)

# urllib3 logs whole request URLs at DEBUG, and some providers (JoSMS, İleti Merkezi) carry credentials
# in the query string: keep it at WARNING whatever SMSCONSOLE_LOG_LEVEL says (issue 3).
LOGGING["loggers"]["urllib3"] = {"level": "WARNING"}

# SMPP (issue 8). SMPP is plain TCP: the SMSC connector may only connect to these hosts (SSRF guard,
# like SMSCONSOLE_PROVIDER_HTTP_HOSTS for plain http). The demo's SMPP simulator listens on the port.
SMSCONSOLE_PROVIDER_SMPP_HOSTS = env.list(
    "SMSCONSOLE_PROVIDER_SMPP_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
SMSCONSOLE_SMPP_SIMULATOR_PORT = env.int("SMSCONSOLE_SMPP_SIMULATOR_PORT", default=2775)

# The OpenAPI schema documents every endpoint's error answers too (issue 7: schemathesis checks that
# each answer's status code is a documented one).
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "core.openapi_errors.document_error_answers",
]
