"""SMS Console settings, configured from the environment (see .env.example): Django's and its
libraries' here, the product's own in smsconsole.product_settings (taken in at the end)."""

from django.core.exceptions import ImproperlyConfigured

from smsconsole.environment import BASE_DIR, DEBUG, env

# Development defaults. They are public, so production (DEBUG off) refuses to start with them.
DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key-change-me-in-production-0123456789"
DEFAULT_ENCRYPTION_KEY = "c21zLWNvbnNvbGUtZGV2LW9ubHkta2V5LTMyYnl0ZXM="

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("SMSCONSOLE_LOG_LEVEL", default="INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}

# urllib3 logs whole request URLs at DEBUG, and some providers (JoSMS, İleti Merkezi) carry credentials
# in the query string: keep it at WARNING whatever SMSCONSOLE_LOG_LEVEL says (issue 3).
LOGGING["loggers"]["urllib3"] = {"level": "WARNING"}

# The OpenAPI schema documents every endpoint's error answers too (issue 7: schemathesis checks that
# each answer's status code is a documented one).
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "core.openapi_errors.document_error_answers",
]

from smsconsole.product_settings import *  # noqa: E402, F403
