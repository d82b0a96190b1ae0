"""Settings shared by every environment.

This is the only settings module that reads the environment (django-environ). The other modules
(dev, test, production) derive from the values read here and never call ``env`` themselves.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

# --- Values read from the environment -----------------------------------------------------------
SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
DATABASE_URL = env.str("DATABASE_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
EMAIL_URL = env.str("EMAIL_URL", default="consolemail://")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SectorplanPlus <noreply@sectorplanplus.nl>")
# Letters are private: they live outside MEDIA_ROOT and are only served through permission-checked views.
PRIVATE_STORAGE_ROOT = Path(env.str("PRIVATE_STORAGE_ROOT", default=str(BASE_DIR / "var" / "private")))
# R50: every uploaded document is scanned by ClamAV when a scanner is configured: a UNIX socket
# (CLAMD_SOCKET, e.g. /run/clamav/clamd.ctl) or a TCP address (CLAMD_HOST, CLAMD_PORT).
CLAMD_SOCKET = env.str("CLAMD_SOCKET", default="")
CLAMD_HOST = env.str("CLAMD_HOST", default="")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=30.0)
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
ENVIRONMENT = env.str("ENVIRONMENT", default="development")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# The sender of every letter (R27): office, signatory, objection address and the IBAN a reclaim is paid to.
# The development defaults are PLACEHOLDERS; the system check ``applications.E001`` refuses them in production.
LETTER_OFFICE_NAME = env.str("LETTER_OFFICE_NAME", default="Uitvoeringsorganisatie SectorplanPlus")
LETTER_OFFICE_DEPARTMENT = env.str("LETTER_OFFICE_DEPARTMENT", default="Afdeling Subsidieverlening")
LETTER_OFFICE_POSTBUS = env.str("LETTER_OFFICE_POSTBUS", default="Postbus 0000")
LETTER_OFFICE_POSTAL_CODE = env.str("LETTER_OFFICE_POSTAL_CODE", default="0000 AA")
LETTER_OFFICE_CITY = env.str("LETTER_OFFICE_CITY", default="Utrecht")
LETTER_OFFICE_PHONE = env.str("LETTER_OFFICE_PHONE", default="030 000 00 00")
LETTER_OFFICE_EMAIL = env.str("LETTER_OFFICE_EMAIL", default="info@sectorplanplus.example")
LETTER_OFFICE_WEBSITE = env.str("LETTER_OFFICE_WEBSITE", default="www.sectorplanplus.example")
LETTER_SIGNATORY_NAME = env.str("LETTER_SIGNATORY_NAME", default="A. Voorbeeld")
LETTER_SIGNATORY_FUNCTION = env.str(
    "LETTER_SIGNATORY_FUNCTION", default="hoofd van de Uitvoeringsorganisatie SectorplanPlus"
)
LETTER_OBJECTION_ADDRESSEE = env.str(
    "LETTER_OBJECTION_ADDRESSEE", default="de Minister van Volksgezondheid, Welzijn en Sport"
)
LETTER_DEBTOR_IBAN = env.str("LETTER_DEBTOR_IBAN", default="NL00 BANK 0000 0000 00")

# --- Derived ------------------------------------------------------------------------------------
DATABASES = {"default": env.db_url_config(DATABASE_URL)} if DATABASE_URL else {}
for _db in DATABASES.values():
    _db["ATOMIC_REQUESTS"] = False
    _db.setdefault("CONN_MAX_AGE", 60)
    # A persistent connection is checked before a request reuses it: after a PostgreSQL restart the first
    # requests reconnect instead of answering 500 (issue 16, item 7).
    _db["CONN_HEALTH_CHECKS"] = True

vars().update(env.email_url_config(EMAIL_URL))

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
    "drf_spectacular_sidecar",
    "django_celery_beat",
    # Login security (R41, issue 16 item 6): lockout per account and address, TOTP as the second factor.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "budgets",
    "applications",
    "accounting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "sectorplan.api.middleware.APIVersionMiddleware",
    "sectorplan.api.middleware.CamelCaseQueryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sectorplan.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "applications.portal.EmployerMismatchMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sectorplan.urls"
WSGI_APPLICATION = "sectorplan.wsgi.application"

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
                "django.template.context_processors.i18n",
                "sectorplan.context_processors.environment",
                "applications.portal.portal_context",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Login security (R41; README "Security") -----------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses (before any password is hashed) a locked-out account or address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
#: Failed logins (a wrong password or a wrong second-factor code) before the account, and separately the address,
#: is locked out for AXES_COOLOFF_TIME; counted on the portal, the admin and ``POST /api/v2/auth/token`` alike.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "sectorplan.api.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
#: The TOTP issuer shown in authenticator apps.
OTP_TOTP_ISSUER = "SectorplanPlus"
#: API token lifetimes (shared/api.md): accounts with a second factor, and the others.
API_TOKEN_LIFETIME_SECOND_FACTOR = timedelta(hours=24)
API_TOKEN_LIFETIME = timedelta(days=30)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Content-Security-Policy (django-csp) and Permissions-Policy (django-permissions-policy) -----
# Everything the pages load is our own: no inline script (the one script is a static file), no frames, no
# plugins. The API documentation pages relax what Swagger UI and ReDoc need (sectorplan/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# --- Django REST framework ----------------------------------------------------------------------
# --- API (shared/api.md v2, NLGov REST API Design Rules) ------------------------------------------
#: The full version of the public API: ``info.version`` of openapi.json and the ``API-Version`` header.
API_VERSION = "2.0.0"
API_PATH_PREFIX = "/api/v2"

REST_FRAMEWORK = {
    # Token first: an anonymous API call is answered 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sectorplan.api.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "sectorplan.api.permissions.MinistryOnlyWhereAllowed",
        "sectorplan.api.permissions.HasRequiredRoles",
    ],
    "DEFAULT_PAGINATION_CLASS": "sectorplan.api.pagination.DefaultPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sectorplan.api.errors.exception_handler",
    # lowerCamelCase properties in and out (djangorestframework-camel-case); enumeration values stay as they are.
    "DEFAULT_RENDERER_CLASSES": [
        "djangorestframework_camel_case.render.CamelCaseJSONRenderer",
        "djangorestframework_camel_case.render.CamelCaseBrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "sectorplan.api.parsers.JSONBodyParser",
        "djangorestframework_camel_case.parser.CamelCaseFormParser",
        "djangorestframework_camel_case.parser.CamelCaseMultiPartParser",
    ],
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "SectorplanPlus API",
    "DESCRIPTION": (
        "Public REST API v2 of the SectorplanPlus subsidy administration, on the NLGov REST API Design Rules: "
        "reference data, employers, applications, allocation and decisions, accountability and the ministry's "
        "aggregated tables. Properties and query keys are lowerCamelCase; errors are problem details (RFC 9457); "
        "every response carries the `API-Version` header."
    ),
    "VERSION": API_VERSION,
    "CONTACT": {
        "name": "SectorplanPlus, subsidy office",
        "email": "api@sectorplanplus.example",
        "url": "https://sectorplanplus.example/api",
    },
    "SERVERS": [{"url": API_PATH_PREFIX, "description": "This installation"}],
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": API_PATH_PREFIX,
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "CAMELIZE_NAMES": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "drf_spectacular.contrib.djangorestframework_camel_case.camelize_serializer_fields",
        "sectorplan.api.schema.nlgov_conventions",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AllocationMethodEnum": "budgets.constants.AllocationMethod",
        "StatusEnum": "applications.constants.ApplicationStatus",
        "AgreementStatusEnum": "accounting.models.AgreementStatus",
        "AgreementDocumentKindEnum": "accounting.models.AgreementDocumentKind",
        "DeadlineKindEnum": "budgets.constants.DeadlineKind",
    },
}

# --- Celery -------------------------------------------------------------------------------------
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict = {
    # Letters stuck in pending/generating (broker down at commit, worker lost) are re-enqueued (R28).
    "sweep-letters": {"task": "applications.tasks.sweep_letters", "schedule": 300.0},
    # R32: accountability reminders 30 and 7 days before the deadline (each once; daily is enough).
    "accountability-reminders": {"task": "accounting.tasks.send_accountability_reminders", "schedule": 3600.0 * 6},
}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = True

# --- Logging: no personal data; structured enough for an operator -------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
