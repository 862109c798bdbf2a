"""The only settings file. Every value comes from the environment (see .env.example)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from buurtonderzoek.core import deployment
from buurtonderzoek.core.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    # Fail loudly: a production instance with a guessable key is worse than one that won't start.
    raise RuntimeError("SECRET_KEY (of SECRET_KEY_FILE) ontbreekt; zet hem in de omgeving.")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")
SITE_ID = 1

INSTALLED_APPS = [
    "buurtonderzoek.core",
    "buurtonderzoek.accounts",
    "buurtonderzoek.places",
    "buurtonderzoek.dashboards",
    "buurtonderzoek.jobs",
    "buurtonderzoek.incidents",
    "buurtonderzoek.canvass",
    "buurtonderzoek.questionnaires",
    "buurtonderzoek.monitor",
    "buurtonderzoek.signalements",
    "buurtonderzoek.handoff",
    "buurtonderzoek.privacy",
    "buurtonderzoek.impact",
    # Before django_tasks_db: its `db_worker` command, extended to run the scheduled jobs.
    "buurtonderzoek.scheduling",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
]

MIDDLEWARE = [
    # HTML and JSON compressed (a route's JSON: 46 KB raw, 10 KB gzipped); static files come pre-compressed
    # from WhiteNoise. Django masks the CSRF token per response and pads the gzip header with random bytes
    # against BREACH ("Heal The Breach").
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # With a read replica: after sending a form, read the primary a few seconds (core/dbrouter.py).
    "buurtonderzoek.core.dbrouter.ReadYourWritesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # LocaleMiddleware, but pages ignore the browser's Accept-Language: Dutch unless switched.
    "buurtonderzoek.core.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "buurtonderzoek.accounts.middleware.RequireTwoFactorMiddleware",
    # Axes must come last so it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "buurtonderzoek.core.context_processors.site",
                "buurtonderzoek.dashboards.context_processors.menu",
            ],
        },
    },
]

# Database: SQLite (WAL) as the embedded default, PostgreSQL through DATABASE_URL, optionally behind
# PgBouncer (DATABASE_POOL=pgbouncer) and with a read replica (DATABASE_REPLICA_URL); see core/deployment.py.
SQLITE_PATH = Path(envstr("SQLITE_PATH", str(BASE_DIR / "var" / "db.sqlite3")))
DATABASES = deployment.databases(SQLITE_PATH)
DATABASE_ROUTERS = ["buurtonderzoek.core.dbrouter.ReplicaRouter"]
REPLICA_STICKY_SECONDS = envint("REPLICA_STICKY_SECONDS", 10)  # after a form, read the primary this long
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache"
        if not envstr("REDIS_URL")
        else "django.core.cache.backends.redis.RedisCache",
        "LOCATION": envstr("REDIS_URL", "buurtonderzoek"),
    }
}

TASKS = {
    "default": {
        "BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
TASK_RESULT_KEEP_DAYS = envint("TASK_RESULT_KEEP_DAYS", 14)  # finished background-task rows, then pruned

# Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if envbool("FAST_PASSWORD_HASHING", False):
    # Tests only: Argon2 is slow by design, and the suite creates hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "buurtonderzoek.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
# Lockout per account and address is axes' job (AXES_FAILURE_LIMIT, in the database; wrong 2FA codes count
# too, accounts/signals.py). allauth's limits: per account ("key": the login, or the user for 2FA codes) and a
# generous one per address, so one person's failures do not lock out an office or police station behind
# one NAT address.
ACCOUNT_RATE_LIMITS = {"login_failed": "60/m/ip,10/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Open Buurtonderzoek"
MFA_ADAPTER = "buurtonderzoek.accounts.adapter.MFAAdapter"
# Police and municipal accounts hold sensitive data: they must set up 2FA.
REQUIRE_2FA_FOR_SENSITIVE_ROLES = envbool("REQUIRE_2FA_FOR_SENSITIVE_ROLES", True)
INVITATION_VALID_DAYS = envint("INVITATION_VALID_DAYS", 14)

AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "buurtonderzoek.accounts.throttling.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"

# Internationalisation: Dutch first, English second.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# Static files
STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "var" / "static")))  # where collectstatic writes
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Generated files (PDFs, letters, exports): the local disk, or an S3-compatible bucket (STORAGE=s3).
    "default": deployment.default_storage(),
    "staticfiles": {
        # Hashed, compressed files in production; plain files in development and tests.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if envbool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = BASE_DIR / "var" / "media"

# E-mail
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)  # seconds; without it a hanging mail server hangs the worker
# Where django.core.mail.backends.filebased.EmailBackend writes each message (one file per connection).
EMAIL_FILE_PATH = envstr("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Open Buurtonderzoek <noreply@localhost>")

# API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Personal API keys first: DRF asks the first class whether to answer 401 (a key was refused) or 403.
        "buurtonderzoek.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "buurtonderzoek.core.parsers.BoundedLimitOffsetPagination",
    "DEFAULT_PARSER_CLASSES": [
        "buurtonderzoek.core.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "buurtonderzoek.core.api.problem_details_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Open Buurtonderzoek API",
    "DESCRIPTION": (
        "API voor politie- en gemeentesystemen. Alle antwoorden volgen de rechten van de ingelogde gebruiker."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from our own static files: the docs page works without any CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Deep links put a link inside each operation's expand button (axe: nested-interactive, WCAG 4.1.2).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    # Choice sets that several serializers share get one name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "PartnerEnum": "buurtonderzoek.impact.models.Partner",
        "ActionStatusEnum": "buurtonderzoek.impact.models.ActionStatus",
        "ReportStatusEnum": "buurtonderzoek.handoff.models.ReportStatus",
    },
}

# Maps
MAP_TILE_URL = envstr(
    "MAP_TILE_URL",
    "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png",
)
MAP_ATTRIBUTION = envstr("MAP_ATTRIBUTION", "Kaartgegevens &copy; Kadaster (PDOK)")

# Hand-off and spreading (buurtonderzoek.handoff, buurtonderzoek.signalements)
MINUTES_PER_DOOR = envint("MINUTES_PER_DOOR", 6)  # police time saved per door canvassed
ALERT_DAYS = envint("ALERT_DAYS", 14)  # a published alert expires after this many days
SUBSCRIPTION_CONFIRM_DAYS = envint("SUBSCRIPTION_CONFIRM_DAYS", 7)  # unconfirmed subscriptions are deleted after
RETENTION_CONTACT_DAYS = envint("RETENTION_CONTACT_DAYS", 90)  # witness contact data, after the case closes
RETENTION_FREE_TEXT_DAYS = envint("RETENTION_FREE_TEXT_DAYS", 365)  # free-text answers pseudonymised, after closing
# Named in the public privacy statement (/privacyverklaring/): who is responsible and how to reach them.
PRIVACY_CONTROLLER_NAME = envstr("PRIVACY_CONTROLLER_NAME", "de gemeente die deze dienst aanbiedt")
PRIVACY_CONTROLLER_EMAIL = envstr("PRIVACY_CONTROLLER_EMAIL", "privacy@example.org")

# Team health (buurtonderzoek.dashboards.health): when a signal turns to "let op" (twice: "risico")
HEALTH_MIN_MEMBERS = envint("HEALTH_MIN_MEMBERS", 4)  # fewer members than this is fragile
HEALTH_ACTIVE_DROP_PERCENT = envint("HEALTH_ACTIVE_DROP_PERCENT", 25)  # fall in active walkers vs the period before
HEALTH_COORDINATOR_SILENT_DAYS = envint("HEALTH_COORDINATOR_SILENT_DAYS", 21)  # no sign-in or action
HEALTH_CANVASS_WITHIN_HOURS = envint("HEALTH_CANVASS_WITHIN_HOURS", 72)  # an incident should get a canvass within
HEALTH_FIRST_DOOR_HOURS = envint("HEALTH_FIRST_DOOR_HOURS", 48)  # median time from incident to first door
HEALTH_REVIEW_WAIT_DAYS = envint("HEALTH_REVIEW_WAIT_DAYS", 7)  # door visits waiting for review longer than
HEALTH_INVITATION_WAIT_DAYS = envint("HEALTH_INVITATION_WAIT_DAYS", 7)  # invitations not accepted after
# Certificates of contribution: who signs for the gemeente and the police, e.g. "A. de Vries, burgemeester".
CERTIFICATE_GEMEENTE_SIGNATORY = envstr("CERTIFICATE_GEMEENTE_SIGNATORY", "")
CERTIFICATE_POLICE_SIGNATORY = envstr("CERTIFICATE_POLICE_SIGNATORY", "")
MEMBER_INACTIVE_DAYS = envint("MEMBER_INACTIVE_DAYS", 60)  # coordinator to-do: no visit or sign-in this long
GRIP_REFRESH_MINUTES = envint("GRIP_REFRESH_MINUTES", 60)  # grip pages: recount the monthly figures when older
ROUTE_OPTIMISE_SECONDS = envint("ROUTE_OPTIMISE_SECONDS", 5)  # OR-Tools budget per canvass, in the worker

# Security (production values; `check --deploy` runs with DEBUG off in CI).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
# The proxy's and the container runtime's health checks talk plain HTTP to the app itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", False) else None
# Which X-Forwarded-For entries to believe (buurtonderzoek/core/clientip.py, docs/security.md): the number of
# reverse proxies in front of the app, or the networks they live in. Neither: REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
TRUSTED_PROXY_NETWORKS = envlist("TRUSTED_PROXY_NETWORKS", [])
AXES_CLIENT_IP_CALLABLE = "buurtonderzoek.core.clientip.client_ip"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 12)
# With a shared cache (Redis) a session is read from it and written to both: one database round trip less on
# every request of a signed-in user, a syncing phone's included. Not with the per-process cache, where a
# logout in one process would leave the session alive in another's copy.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if envstr("REDIS_URL") else "django.contrib.sessions.backends.db"
)
X_FRAME_OPTIONS = "DENY"
# Joining the browsers' HSTS preload list is hard to undo; each operator decides (SECURE_HSTS_PRELOAD).
# The address index INCLUDEs extra columns on PostgreSQL; SQLite simply builds it without them.
SILENCED_SYSTEM_CHECKS = ["security.W021", "models.W040"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
}
