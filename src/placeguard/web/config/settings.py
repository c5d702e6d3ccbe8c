"""Django settings, read from the environment with secure defaults.

``PLACEGUARD_ENV`` selects the mode: ``production`` (the default), ``development`` (what
``make run`` uses) or ``test``. Production refuses to start with DEBUG on, with the
development secret key, or without ``PLACEGUARD_ALLOWED_HOSTS``. See docs/deployment.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from placeguard.web.config.env import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("PLACEGUARD_DATA_DIR", str(Path.cwd() / "var")))

ENVIRONMENT = env_str("PLACEGUARD_ENV", "production")
if ENVIRONMENT not in {"production", "development", "test"}:
    msg = f"PLACEGUARD_ENV={ENVIRONMENT!r}: use production, development or test"
    raise ImproperlyConfigured(msg)
IS_PRODUCTION = ENVIRONMENT == "production"

_DEV_SECRET = "insecure-development-key-do-not-use-in-production"  # noqa: S105 - refused in production
SECRET_KEY = env_secret("PLACEGUARD_SECRET_KEY", _DEV_SECRET)
DEBUG = env_bool("PLACEGUARD_DEBUG", default=ENVIRONMENT == "development")
ALLOWED_HOSTS = env_list(
    "PLACEGUARD_ALLOWED_HOSTS", [] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)

if IS_PRODUCTION:
    if DEBUG:
        msg = "Refusing to start: PLACEGUARD_DEBUG is on in production."
        raise ImproperlyConfigured(msg)
    if SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 40:
        msg = "Refusing to start: set PLACEGUARD_SECRET_KEY (40+ random characters) in production."
        raise ImproperlyConfigured(msg)
    if not ALLOWED_HOSTS:
        msg = "Refusing to start: set PLACEGUARD_ALLOWED_HOSTS in production."
        raise ImproperlyConfigured(msg)

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
    "django_tasks",
    "django_tasks_db",
    "placeguard.web.common",
    "placeguard.web.audit",
    "placeguard.web.orgs",
    "placeguard.web.sites",
    "placeguard.web.assessments",
    "placeguard.web.allocation",
    "placeguard.web.engineering",
    "placeguard.web.intel",
    "placeguard.web.exercises",
    "placeguard.web.capacity",
    "placeguard.web.sharing",
    "placeguard.web.sars",
    "placeguard.web.incidents",
    "placeguard.web.practices",
    "placeguard.web.notifications",
    "placeguard.web.interchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "placeguard.web.orgs.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "placeguard.web.common.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "placeguard.web.config.urls"
WSGI_APPLICATION = "placeguard.web.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "placeguard.web.common.context.placeguard",
                "placeguard.web.notifications.context.unread",
            ],
        },
    },
]

_DEFAULT_DB = f"sqlite:///{DATA_DIR / 'placeguard.sqlite3'}"
DATABASES = {"default": database_from_url(env_str("DATABASE_URL", _DEFAULT_DB))}
if (
    DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    and "DATABASE_URL" not in os.environ
):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if ENVIRONMENT == "test":
    # Fast hashing keeps the suite quick; never used outside tests.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("ru", _("Russian")),
    ("zh-hans", _("Chinese")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
if not IS_PRODUCTION:
    # WhiteNoise warns about a missing STATIC_ROOT; in production `collectstatic` creates it.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Outside production, serve assets straight from the source folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# ------------------------------------------------------------------ security
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_HTTPS = env_bool("PLACEGUARD_HTTPS", default=IS_PRODUCTION)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
# Sharing policy R0: reading shared items above TLP:CLEAR needs a session (or API token) that
# passed the TOTP step. On by default in production; development and test turn it off so the
# demo personas and the suite can read without enrolling (the enforcement tests switch it on).
PLACEGUARD_SHARING_REQUIRE_2FA = env_bool("PLACEGUARD_SHARING_REQUIRE_2FA", default=IS_PRODUCTION)
SECURE_SSL_REDIRECT = _HTTPS and env_bool("PLACEGUARD_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("PLACEGUARD_HSTS_SECONDS", 31536000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PLACEGUARD_HSTS_SUBDOMAINS", default=_HTTPS)
# No script reads the CSRF cookie (forms carry the token), so it can be HttpOnly too.
CSRF_COOKIE_HTTPONLY = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _HTTPS else None
CSRF_TRUSTED_ORIGINS = env_list("PLACEGUARD_CSRF_TRUSTED_ORIGINS", [])
SESSION_COOKIE_AGE = env_int("PLACEGUARD_SESSION_SECONDS", 8 * 3600)

# ------------------------------------------------------------------ API
# API rate limits (catalogue 69): per API token, else per signed-in user, else per address;
# see placeguard.web.common.throttling. Generous defaults: normal use never meets them.
PLACEGUARD_API_RATE_USER = env_str("PLACEGUARD_API_RATE_USER", "1200/min")
PLACEGUARD_API_RATE_ANON = env_str("PLACEGUARD_API_RATE_ANON", "120/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "placeguard.web.orgs.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "placeguard.web.orgs.scopes.TokenScopePermission",
    ],
    "DEFAULT_PAGINATION_CLASS": "placeguard.web.common.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "placeguard.web.common.problems.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["placeguard.web.common.throttling.ApiRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"login": env_str("PLACEGUARD_LOGIN_RATE", "10/min")},
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PlaceGuard API",
    "DESCRIPTION": (
        "Registry, risk, intelligence, allocation, sharing and preparedness for vulnerable targets."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`; name each enum instead of letting it be hashed.
    "ENUM_NAME_OVERRIDES": {
        "SiteStatusEnum": "placeguard.web.sites.choices.SiteStatus",
        "AssessmentStatusEnum": "placeguard.web.assessments.choices.AssessmentStatus",
        "ActionStatusEnum": "placeguard.web.assessments.choices.ActionStatus",
        "AcceptanceStatusEnum": "placeguard.web.assessments.choices.AcceptanceStatus",
        "RiskBandEnum": "placeguard.web.assessments.choices.RiskBand",
        "PlanStatusEnum": "placeguard.web.allocation.choices.PlanStatus",
        "StudyStatusEnum": "placeguard.web.engineering.choices.StudyStatus",
        "StudyKindEnum": "placeguard.web.engineering.choices.StudyKind",
        "DatasetStatusEnum": "placeguard.web.intel.choices.DatasetStatus",
        "ExerciseStatusEnum": "placeguard.web.exercises.choices.ExerciseStatus",
        "InjectStateEnum": "placeguard.web.exercises.choices.InjectState",
        "OrgKindEnum": "placeguard.web.orgs.choices.OrgKind",
        "TrainingRequestStatusEnum": "placeguard.web.capacity.choices.RequestStatus",
        "PlanActionStatusEnum": "placeguard.web.capacity.choices.ActionStatus",
        "ShareStatusEnum": "placeguard.web.sharing.choices.BulletinStatus",
        "SarStatusEnum": "placeguard.web.sars.choices.SarStatus",
        "SarChannelEnum": "placeguard.web.sars.choices.Channel",
        "InvestigationStatusEnum": "placeguard.web.incidents.choices.InvestigationStatus",
        "IncidentTaskStatusEnum": "placeguard.web.incidents.choices.TaskStatus",
        "NotificationChannelEnum": "placeguard.web.notifications.choices.Channel",
        "DeliveryStatusEnum": "placeguard.web.notifications.choices.DeliveryStatus",
    },
}
API_TOKEN_TTL_HOURS = env_int("PLACEGUARD_API_TOKEN_TTL_HOURS", 24 * 30)

# ------------------------------------------------------------------ map
# Tiles are off by default: the map works air-gapped, drawing markers and region outlines only.
PLACEGUARD_TILE_URL = env_str("PLACEGUARD_TILE_URL", "")
PLACEGUARD_TILE_ATTRIBUTION = env_str("PLACEGUARD_TILE_ATTRIBUTION", "")

# ------------------------------------------------------------------ background tasks
# django-tasks: the database backend (``placeguard serve`` starts a ``db_worker`` beside the
# server); in tests the immediate backend runs each task inside the request, synchronously.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if ENVIRONMENT == "test"
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Minutes between built-in housekeeping runs (expiry, purges, group rules); 0 turns it off.
PLACEGUARD_HOUSEKEEPING_MINUTES = env_int("PLACEGUARD_HOUSEKEEPING_MINUTES", 60)

# ------------------------------------------------------------------ allocation
# Road network for response coverage: a GeoJSON file of road lines or an OpenStreetMap
# .osm.pbf extract (needs the roads extra). Empty: the coverage page says none is configured.
# In development the demo loader writes a synthetic road grid, used unless this is set.
_DEMO_ROADS = str(DATA_DIR / "demo-roads.geojson") if ENVIRONMENT == "development" else ""
PLACEGUARD_ROAD_NETWORK = env_str("PLACEGUARD_ROAD_NETWORK", _DEMO_ROADS)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PLACEGUARD_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
