"""Django settings for Cerchia, built from the values read in ``env.py``."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from cerchia.config import env

BASE_DIR = env.BASE_DIR
PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env.DATA_DIR
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.DEBUG
CERCHIA_DEV_MODE = env.DEV_MODE
TESTING = env.TESTING


def _secret_key() -> str:
    if env.SECRET_KEY:
        return env.SECRET_KEY
    # Development only: a per-installation key kept beside the data. The
    # production system check refuses to start without a real SECRET_KEY.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
CERCHIA_SECRET_FROM_ENV = bool(env.SECRET_KEY)
ALLOWED_HOSTS = env.ALLOWED_HOSTS
CSRF_TRUSTED_ORIGINS = env.CSRF_TRUSTED_ORIGINS
SITE_URL = env.SITE_URL
CERCHIA_TRUSTED_PROXIES = env.TRUSTED_PROXIES
#: Websocket endpoint for templates: an explicit URL, or empty with the port
#: ``cerchia serve`` runs the ASGI process on (None behind a proxy routing /ws/).
CERCHIA_WS_URL = env.WS_URL
CERCHIA_WS_PORT = env.WS_PORT

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "django_tasks_db",
    "channels",
    "ninja",
    "cerchia.core",
    "cerchia.accounts",
    "cerchia.communities",
    "cerchia.insights",
    "cerchia.discussions",
    "cerchia.notifications",
    "cerchia.search",
    "cerchia.live",
    "cerchia.moderation",
    "cerchia.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cerchia.core.middleware.ClientAddressMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cerchia.core.middleware.ProfileLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "cerchia.core.middleware.TimezoneMiddleware",
    "cerchia.core.ratelimit.RateLimitMiddleware",
    "cerchia.discussions.page_cache.AnonymousPageCacheMiddleware",
    "cerchia.insights.middleware.VisitMiddleware",
]

ROOT_URLCONF = "cerchia.config.urls"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "cerchia.config.wsgi.application"
ASGI_APPLICATION = "cerchia.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cerchia.core.context_processors.site",
                "cerchia.live.context_processors.live",
                "cerchia.notifications.context_processors.notifications",
            ],
            "builtins": ["django.templatetags.i18n", "django.templatetags.static"],
        },
    }
]

# --- Database -------------------------------------------------------------
if env.DATABASE_URL:
    DATABASES = {"default": env.parse_database_url(env.DATABASE_URL)}
else:
    DATABASES = {"default": env.sqlite_database(DATA_DIR / "cerchia.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, channel layer ---------------------------------------------------
if env.REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.REDIS_URL,
            "KEY_PREFIX": "cerchia",
        },
        # Rendered fragments are keyed by every value they show, so they never go stale
        # and need no sharing: each process keeps its own, without a network round trip.
        "template_fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "fragments",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [env.REDIS_URL], "prefix": "cerchia"},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Room for the rendered fragments of a few busy pages (topic rows, posts).
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Tasks ------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Auth, accounts -----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
SITE_ID = 1

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Cerchia] "
ACCOUNT_ADAPTER = "cerchia.accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "change_phone": "1/m/user",
    "reauthenticate": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Cerchia"

# --- Sessions, cookies, security headers -------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.SECURE_COOKIES
CSRF_COOKIE_SECURE = env.SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = env.SECURE_COOKIES
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365


def _websocket_sources() -> list[str]:
    """CSP sources for the websocket endpoint when it is not the page's own origin."""
    if env.WS_URL:
        parts = urlsplit(env.WS_URL)
        return [f"{parts.scheme}://{parts.netloc}"] if parts.netloc else []
    if env.WS_PORT is None:
        return []
    # 'self' does not cover another port: allow the serve command's port on
    # every host this site answers to.
    hosts: list[str] = []
    for host in ALLOWED_HOSTS:
        if host.startswith("["):
            continue  # CSP has no syntax for IPv6 addresses; browsers reject the source.
        hosts += [host[1:], f"*{host}"] if host.startswith(".") else [host]
    return [f"{scheme}://{host}:{env.WS_PORT}" for host in hosts for scheme in ("ws", "wss")]


SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF, *_websocket_sources()],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Internationalisation -------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("it", _("Italian"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["cerchia.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Static and media ----------------------------------------------------------
STATIC_URL = "/static/"
# The project-wide assets (cerchia/static) belong to no app, so no app finder sees them.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = env.STATIC_ROOT
MEDIA_URL = "/media/"
MEDIA_ROOT = env.MEDIA_ROOT
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CERCHIA_MAX_IMAGE_BYTES = 5 * 1024 * 1024

# --- Email ---------------------------------------------------------------------
_email = env.parse_email_url(env.EMAIL_URL, DATA_DIR)
_email_options: dict[str, object] = {}
if _email.host:
    _email_options = {
        "host": _email.host,
        "port": _email.port,
        "username": _email.user,
        "password": _email.password,
        "use_tls": _email.use_tls,
        "use_ssl": _email.use_ssl,
    }
if _email.file_path:
    _email_options = {"file_path": _email.file_path}
MAILERS = {"default": {"BACKEND": _email.backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env.DEFAULT_FROM_EMAIL
SERVER_EMAIL = env.DEFAULT_FROM_EMAIL

# --- Logging ---------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

#: Named rate limits (``cerchia.core.ratelimit``): sign-up, login, password reset and second
#: factor per client address (fail closed), the rest per account. RATE_LIMITS overrides;
#: test runs have none unless a test sets them, as with the API's.
CERCHIA_RATE_LIMITS: dict[str, str] = (
    {}
    if TESTING
    else {
        "signup": "10/h",
        "login": "20/5m,100/d",
        "password_reset": "5/15m,20/d",
        "mfa": "10/5m",
        "post": "20/5m,120/d",
        "report": "20/h",
        "invite": "60/h",
        "upload": "60/h",
    }
    | env.RATE_LIMITS
)

#: Newcomer limits (posts per hour, links, images, mentions per post by trust level).
#: Test runs leave them off unless a test turns them on, as with rate limits.
CERCHIA_NEWCOMER_LIMITS = not TESTING

#: Seconds an anonymous visitor may be served a cached community or topic page (0: never);
#: see cerchia/discussions/page_cache.py. Test runs leave it off unless a test turns it on.
CERCHIA_ANONYMOUS_PAGE_CACHE = 0 if TESTING else 30

#: Count members' visits to community pages for insights (cerchia/insights/visits.py).
#: Test runs leave it off (it would add a write to page views) unless a test turns it on.
CERCHIA_COUNT_VISITS = not TESTING
#: ``cerchia demo`` gives its largest community 90 days of history (cerchia/insights/demo.py);
#: test runs of the demo leave it out unless a test asks for it.
CERCHIA_DEMO_HISTORY = not TESTING

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
