"""Django settings for Shire.

Everything that differs between a laptop, CI and production comes from the environment:
DATABASE_URL picks the database (SQLite file under the data folder by default),
SHIRE_DATA_DIR the folder for the database, uploads and the outbox.
"""
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SHIRE_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key():
    """Use SHIRE_SECRET_KEY, else a key made once and kept in the data folder."""
    if key := os.environ.get("SHIRE_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("SHIRE_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("SHIRE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

# The council that runs this instance: shown in the header instead of any crown or logo.
COUNCIL_NAME = os.environ.get("SHIRE_COUNCIL_NAME", "Leicestershire County Council")
SERVICE_NAME = os.environ.get("SHIRE_SERVICE_NAME", "Communities")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks_db",
    "shire.core",
    "shire.consult",
    "shire.grants",
    "shire.directory",
    "shire.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shire.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shire.core.context_processors.council",
                "shire.core.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "shire.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'shire.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the public answer while an officer downloads; a busy timeout avoids "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

# One cache for every server process and every server: a table in the database (`shire migrate`
# makes it). A change to the directory is written in the same transaction as the new cache version,
# so the next request in any process sees it. Entries past MAX_ENTRIES are culled on a write.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "shire_cache",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

# Background work (Django's Tasks framework): tasks wait in a table of the database and
# `shire db_worker` runs them (docs/consultations.md, "Themes in free-text answers").
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:staff-home"
LOGOUT_REDIRECT_URL = "core:home"

# Staff sign-in is protected against guessing: five failures for one username from one
# address lock that pair out for 30 minutes (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("SHIRE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # keep usernames out of the logs

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if os.environ.get("SHIRE_HTTPS") == "1":
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # for `shire collectstatic`; until then WhiteNoise serves from the apps
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded files are never served from MEDIA_URL: views check who may see each one. No URL
# pattern answers this path; it is set only because Django's test server needs a value.
MEDIA_URL = "/uploads-are-not-served/"

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# E-mail goes to files under the data folder unless SMTP is configured; never to the console,
# because e-mails carry personal data and the console is a log.
if os.environ.get("SHIRE_SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["SHIRE_SMTP_HOST"],
                "port": int(os.environ.get("SHIRE_SMTP_PORT", "587")),
                "username": os.environ.get("SHIRE_SMTP_USER", ""),
                "password": os.environ.get("SHIRE_SMTP_PASSWORD", ""),
                "use_tls": True,
                # A mail server that hangs must not hold the worker (or an invitation's request) for
                # ever: a timeout is an OSError, so a queued e-mail is tried again later.
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "outbox")},
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("SHIRE_FROM_EMAIL", "communities@example.gov.uk")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"axes": {"level": "ERROR"}},
}
