"""Django settings, read from the environment.

With no environment set, gonghui runs locally on an embedded SQLite database under ``var/`` and generates its secrets
once into ``var/``. With ``DEBUG=0`` (production) every secret must come from the environment.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from gonghui.core.config import database_from_url, local_secret

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("GONGHUI_VAR_DIR") or BASE_DIR / "var").resolve()

DEBUG = os.environ.get("DEBUG", "1").lower() in ("1", "true", "yes", "on")
TESTING = os.environ.get("GONGHUI_TESTING") == "1"


def _secret(name: str, filename: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set in the environment when DEBUG is off.")
    return local_secret(VAR_DIR / filename)


SECRET_KEY = _secret("SECRET_KEY", "secret_key")
# Key for encrypting personal data (Fernet) and for the keyed look-up hashes (HMAC): see gonghui.core.pii.
FIELD_ENCRYPTION_KEY = _secret("GONGHUI_FIELD_KEY", "field_key")

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h] or (
    ["*"] if DEBUG else ["localhost", "127.0.0.1"]
)
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    # Ours, in dependency order (demo builders run in this order too).
    "gonghui.core",
    "gonghui.regions",
    "gonghui.orgs",
    "gonghui.accounts",
    "gonghui.jobs",
    "gonghui.craftsmen",
    "gonghui.stations",
    "gonghui.recuperation",
    "gonghui.wages",
    "gonghui.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gonghui.core.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gonghui.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"), VAR_DIR / "gonghui.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["gonghui.accounts.backends.PhonePasswordBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Hashing passwords slowly is a defence in production and only a cost in tests.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gonghui.accounts.validators.CharacterClassValidator"},
]

# Sessions end when idle: every request pushes the expiry forward.
SESSION_COOKIE_AGE = int(os.environ.get("GONGHUI_SESSION_IDLE_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# Uploads below these prefixes are public (station photos; complaint photos carry unguessable names).
PUBLIC_MEDIA_PREFIXES = ("stations/",)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Background work (gonghui.jobs): the database backend works on SQLite and PostgreSQL alike; tests run tasks inline.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else os.environ.get("GONGHUI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
        ),
    }
}

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "gonghui_cache"}
    )
}
if TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# How a station's door check-in learns whose member code (工惠码) it was shown.
GONGHUI_MEMBER_CODE_RESOLVER = "gonghui.accounts.selectors.member_for_code"

# SMS: the default backend writes each message to the server log; real providers plug in by dotted path.
SMS_BACKEND = os.environ.get("GONGHUI_SMS_BACKEND", "gonghui.accounts.sms.LogSmsBackend")

# Security headers; cookies go secure only behind HTTPS in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = os.environ.get("GONGHUI_SSL_REDIRECT", "1") == "1"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("GONGHUI_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GONGHUI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "bm25s": {"level": "WARNING"}},
}
