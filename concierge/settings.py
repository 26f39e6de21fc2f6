"""Settings for the VIP concierge tool, driven by environment variables only.

With nothing set it runs on the embedded default: SQLite and the in-memory
channel layer in one process. DATABASE_URL and REDIS_URL switch to PostgreSQL
and Redis.
"""

import os
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


TESTING = "pytest" in sys.modules or env_bool("TESTING")
DEBUG = env_bool("DEBUG", default=not os.environ.get("SECRET_KEY"))
# A fixed key is only acceptable for the embedded default; production sets SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-set-SECRET_KEY-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials.apps.SimpleAppConfig",
    "django_fsm",
    "channels",
    "concierge",
    "tasks",
    "complaints",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "concierge.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "concierge.middleware.IdleSessionMiddleware",
    "concierge.middleware.PrivateResponseMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After LocaleMiddleware and the user: a signed-in person's own language wins (see the module).
    "concierge.middleware.StaffLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into the login page's own answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "concierge.root_urls"
WSGI_APPLICATION = "concierge.wsgi.application"
ASGI_APPLICATION = "concierge.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "concierge.context_processors.shell",
            ],
            # Partials are built into Django 6; as builtins the later upgrade is a settings change.
            "builtins": ["template_partials.templatetags.partials"],
            # Parsed templates are cached (Django's default, which naming the loaders turns off):
            # without it every request parsed every template again.
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
        },
    }
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
# On PostgreSQL, DB_POOL_SIZE > 0 keeps that many connections per worker process in a pool (psycopg's,
# through Django) and lends one to each request: with CONN_MAX_AGE 0 a request opens its own (6-9 ms
# on the benchmark's machine, docs/benchmarks.md "Purchase API"); with CONN_MAX_AGE, every request
# thread of a worker keeps one. A pool and CONN_MAX_AGE exclude each other.
DB_POOL_SIZE = int(os.environ.get("DB_POOL_SIZE", "0"))
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DB_POOL_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DB_POOL_SIZE),
        "max_size": DB_POOL_SIZE,
        # Seconds a request waits for a free connection before it fails as with the database down.
        "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the background tick share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Named explicitly so live-server tests under pytest-django find the same database.
    DATABASES["default"]["TEST"]["NAME"] = "test_" + DATABASES["default"]["NAME"]

# Requests a worker process runs at a time (concierge/asgi.py); the others wait on its event loop.
# More than a few only share the one GIL; enough are needed to cover the database's waits.
REQUEST_THREADS = int(os.environ.get("REQUEST_THREADS", "4"))

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # Parallel test workers share one Redis: each keeps its own groups apart.
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": os.environ.get("REDIS_PREFIX", "concierge")
                + (
                    f"-{os.environ['PYTEST_XDIST_WORKER']}"
                    if TESTING and "PYTEST_XDIST_WORKER" in os.environ
                    else ""
                ),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "concierge.Staff"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "concierge:home"
LOGOUT_REDIRECT_URL = "login"

# Failed logins (django-axes): a user name and an address are each locked out on their own after
# LOGIN_FAILURE_LIMIT failures, for LOGIN_COOLOFF_MINUTES; a store manager can unlock a user name.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "concierge.views.login.locked_out"
AXES_CLIENT_IP_CALLABLE = "concierge.views.login.client_ip"
AXES_ENABLE_ADMIN = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Tests serve static files from the source tree: collectstatic has not run, and WhiteNoise warns.
    WHITENOISE_AUTOREFRESH = True
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["concierge.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not TESTING
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env_bool("BEHIND_HTTPS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Security: shared tablets, Content-Security-Policy, HSTS -----------------------------------
# A shared tablet signs out after a shift without use: the session lives this long after the last
# request (IdleSessionMiddleware slides it). Ending it with the browser is a setting for the whole
# installation, and a check box on the login page for one sign-in.
SESSION_COOKIE_AGE = round(float(os.environ.get("SESSION_IDLE_HOURS", "10")) * 3600)
# An open alert socket reads its session again at most this often (logging out closes it at once).
SOCKET_SESSION_RECHECK_SECONDS = int(os.environ.get("SOCKET_SESSION_RECHECK_SECONDS", "30"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)
# Browsers only keep HTTPS-only promises made over HTTPS, so HSTS goes with secure cookies.
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000")) if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
# No inline script anywhere, so injected markup cannot run; the middleware adds the socket's origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"quiet_permission_denied": {"()": "concierge.log_filters.QuietPermissionDenied"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["quiet_permission_denied"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Business rules (DOMAIN.md). Value classes cut the 12-month spend ranking: A is the
# first VALUE_CLASS_A_PERCENT, B runs up to VALUE_CLASS_B_CUMULATIVE_PERCENT, C is the rest.
VALUE_CLASS_A_PERCENT = int(os.environ.get("VALUE_CLASS_A_PERCENT", "20"))
VALUE_CLASS_B_CUMULATIVE_PERCENT = int(os.environ.get("VALUE_CLASS_B_CUMULATIVE_PERCENT", "50"))
LIFECYCLE_NEW_DAYS = int(os.environ.get("LIFECYCLE_NEW_DAYS", "90"))
LIFECYCLE_DORMANT_DAYS = int(os.environ.get("LIFECYCLE_DORMANT_DAYS", "90"))
LIFECYCLE_LOST_DAYS = int(os.environ.get("LIFECYCLE_LOST_DAYS", "180"))
# Care cadence: at most this many outreach tasks per member in any 7 days (birthday greetings exempt).
CARE_OUTREACH_PER_WEEK = int(os.environ.get("CARE_OUTREACH_PER_WEEK", "2"))
# Due care tasks are alerted from this local hour on, not at the midnight tick that makes them.
CARE_DUE_ALERT_HOUR = int(os.environ.get("CARE_DUE_ALERT_HOUR", "9"))
