"""The one settings module of Kravspår. Every value comes from the environment.

See `.env.example` for the variables and `docs/operations.md` for production.
SQLite is the embedded default; set DATABASE_URL to use PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kravspar.env import env_bool, env_int, env_list, env_str
from kravspar.saml_config import saml_sp_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KRAVSPAR_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", False)

_secret = env_str("DJANGO_SECRET_KEY")
if not _secret:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it in the environment (see .env.example); "
            "only DJANGO_DEBUG=1 runs without one."
        )
    _secret = "insecure-development-key-never-use-in-production"  # noqa: S105 - DEBUG only
SECRET_KEY: str = _secret

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # the API docs' scripts and styles from our own static files, not a CDN
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "djangosaml2",
    "django_tasks",
    "django_tasks_db",
    "kravspar.core",
    "kravspar.audit",
    "kravspar.organisations",
    "kravspar.suppliers",
    "kravspar.accounts",
    "kravspar.cpv",
    "kravspar.procurements",
    "kravspar.requirements",
    "kravspar.contracts",
    "kravspar.followups",
    "kravspar.findings",
    "kravspar.supplierinfo",
    "kravspar.portal",
    "kravspar.questionnaires",
    "kravspar.reports",
    "kravspar.opendata",
    "kravspar.invoices",
    "kravspar.spend",
    "kravspar.notices",
    "kravspar.ledger",
    "kravspar.labour",
    "kravspar.records",
    "kravspar.secrecy",
    "kravspar.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kravspar.core.middleware.SwedishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "djangosaml2.middleware.SamlSessionMiddleware",
    "kravspar.accounts.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kravspar.core.middleware.ContentSecurityPolicyMiddleware",
    "kravspar.core.middleware.RefuseNulInQueryMiddleware",
]

ROOT_URLCONF = "kravspar.urls"
WSGI_APPLICATION = "kravspar.wsgi.application"

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
                "kravspar.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the one writer work at the same time; IMMEDIATE avoids
    # "database is locked" upgrades in the middle of a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        # A 64 MB page cache (2 MB by default) keeps the indexes' pages of a large import.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
        "PRAGMA cache_size=-65536;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Single sign-on (OIDC/SAML) plugs in here: add its backend to this list through the
# environment; it must map the identity to an existing user via accounts.services.
AUTHENTICATION_BACKENDS = env_list(
    "KRAVSPAR_AUTHENTICATION_BACKENDS",
    [
        "kravspar.accounts.backends.UsernameOrEmailBackend",
        "kravspar.accounts.sso.SamlBackend",
        "kravspar.accounts.oidc.OidcBackend",
    ],
)
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = env_int("KRAVSPAR_PASSWORD_RESET_TIMEOUT", 60 * 60 * 24)
# Lockout: this many failed logins for one account (by username or e-mail) within the
# window locks it; this many from one client address locks the address (password spraying).
KRAVSPAR_LOGIN_MAX_FAILURES = env_int("KRAVSPAR_LOGIN_MAX_FAILURES", 5)
KRAVSPAR_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("KRAVSPAR_LOGIN_MAX_FAILURES_PER_ADDRESS", 100)
# Two-factor login (accounts/twofactor.py): roles that must give a code from an
# authenticator app after their password. Administrators reach everyone's data and
# supplier contacts handle payslips and personal data; off in development for the demo.
KRAVSPAR_2FA_REQUIRED_ROLES = env_list("KRAVSPAR_2FA_REQUIRED_ROLES", [] if DEBUG else ["administrator", "leverantor"])
OTP_TOTP_ISSUER = "Kravspår"
# Security keys (WebAuthn, django-otp-webauthn) as a second factor besides the app: the
# origin the browser shows (https://, or http://localhost in development) and the relying
# party id, the host name keys are bound to. Changing the host name invalidates every key.
KRAVSPAR_WEBAUTHN_ORIGIN = (
    env_str("KRAVSPAR_WEBAUTHN_ORIGIN", "") or env_str("KRAVSPAR_BASE_URL", "") or "http://localhost:8000"
).rstrip("/")
if not KRAVSPAR_WEBAUTHN_ORIGIN.startswith(("https://", "http://localhost")):
    KRAVSPAR_WEBAUTHN_ORIGIN = "http://localhost:8000"  # keys need a secure origin; a plain-http base URL has none
OTP_WEBAUTHN_ALLOWED_ORIGINS = [KRAVSPAR_WEBAUTHN_ORIGIN]
OTP_WEBAUTHN_RP_ID = env_str("KRAVSPAR_WEBAUTHN_RP_ID", "") or (urlsplit(KRAVSPAR_WEBAUTHN_ORIGIN).hostname or "")
OTP_WEBAUTHN_RP_NAME = "Kravspår"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a key is the second factor, never the only one
KRAVSPAR_LOGIN_LOCKOUT_MINUTES = env_int("KRAVSPAR_LOGIN_LOCKOUT_MINUTES", 15)

# Single sign-on with SAML 2.0 (accounts/sso.py, docs/operations.md "Single sign-on"): on
# when the identity provider's metadata is given as a file or an address.
KRAVSPAR_SAML_IDP_METADATA_FILE = env_str("KRAVSPAR_SAML_IDP_METADATA_FILE", "") or ""
KRAVSPAR_SAML_IDP_METADATA_URL = env_str("KRAVSPAR_SAML_IDP_METADATA_URL", "") or ""
KRAVSPAR_SAML_ENABLED = bool(KRAVSPAR_SAML_IDP_METADATA_FILE or KRAVSPAR_SAML_IDP_METADATA_URL)
# Which attribute of the assertion carries what, by pysaml2's friendly names (employeeHsaId
# is Inera's urn:oid:1.2.752.29.4.1; mail, givenName and sn the usual LDAP ones).
KRAVSPAR_SAML_ATTRIBUTES = {
    "hsa_id": env_str("KRAVSPAR_SAML_ATTRIBUTE_HSA_ID", "employeeHsaId") or "",
    "email": env_str("KRAVSPAR_SAML_ATTRIBUTE_EMAIL", "mail") or "",
    "first_name": env_str("KRAVSPAR_SAML_ATTRIBUTE_FIRST_NAME", "givenName") or "",
    "last_name": env_str("KRAVSPAR_SAML_ATTRIBUTE_LAST_NAME", "sn") or "",
    # Names the person's organisation (its organisation number) for provisioning; empty: the
    # organisation number inside the HSA-id.
    "organisation": env_str("KRAVSPAR_SAML_ATTRIBUTE_ORGANISATION", "") or "",
}
SAML_CONFIG = saml_sp_config(
    base_url=env_str("KRAVSPAR_BASE_URL", "http://127.0.0.1:8000") or "http://127.0.0.1:8000",
    metadata_file=KRAVSPAR_SAML_IDP_METADATA_FILE,
    metadata_url=KRAVSPAR_SAML_IDP_METADATA_URL,
    key_file=env_str("KRAVSPAR_SAML_KEY_FILE", "") or "",
    cert_file=env_str("KRAVSPAR_SAML_CERT_FILE", "") or "",
)
SAML_CREATE_UNKNOWN_USER = False
SAML_ATTRIBUTE_MAPPING: dict[str, tuple[str, ...]] = {}
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_ACS_FAILURE_RESPONSE_FUNCTION = "kravspar.accounts.sso.saml_acs_failure"
SAML_SESSION_COOKIE_NAME = "kravspar_saml"

# Single sign-on with OpenID Connect, e.g. Freja eID+ (accounts/oidc.py, mozilla-django-oidc;
# docs/operations.md "Freja eID"): on when the issuer is set. The endpoints come from the
# provider's discovery document and are set explicitly, so nothing is fetched at start-up.
KRAVSPAR_OIDC_ISSUER = env_str("KRAVSPAR_OIDC_ISSUER", "") or ""
KRAVSPAR_OIDC_ENABLED = bool(KRAVSPAR_OIDC_ISSUER)
KRAVSPAR_OIDC_PROVIDER_NAME = env_str("KRAVSPAR_OIDC_PROVIDER_NAME", "Freja eID") or "Freja eID"
OIDC_RP_CLIENT_ID = env_str("KRAVSPAR_OIDC_CLIENT_ID", "") or ""
OIDC_RP_CLIENT_SECRET = env_str("KRAVSPAR_OIDC_CLIENT_SECRET", "") or ""
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("KRAVSPAR_OIDC_AUTHORIZATION_ENDPOINT", "") or ""
OIDC_OP_TOKEN_ENDPOINT = env_str("KRAVSPAR_OIDC_TOKEN_ENDPOINT", "") or ""
OIDC_OP_USER_ENDPOINT = env_str("KRAVSPAR_OIDC_USERINFO_ENDPOINT", "") or ""
OIDC_OP_JWKS_ENDPOINT = env_str("KRAVSPAR_OIDC_JWKS_ENDPOINT", "") or ""
if KRAVSPAR_OIDC_ENABLED:
    _missing = [
        name
        for name, value in [
            ("KRAVSPAR_OIDC_CLIENT_ID", OIDC_RP_CLIENT_ID),
            ("KRAVSPAR_OIDC_CLIENT_SECRET", OIDC_RP_CLIENT_SECRET),
            ("KRAVSPAR_OIDC_AUTHORIZATION_ENDPOINT", OIDC_OP_AUTHORIZATION_ENDPOINT),
            ("KRAVSPAR_OIDC_TOKEN_ENDPOINT", OIDC_OP_TOKEN_ENDPOINT),
            ("KRAVSPAR_OIDC_USERINFO_ENDPOINT", OIDC_OP_USER_ENDPOINT),
            ("KRAVSPAR_OIDC_JWKS_ENDPOINT", OIDC_OP_JWKS_ENDPOINT),
        ]
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(f"KRAVSPAR_OIDC_ISSUER is set, so these must be too: {', '.join(_missing)}")
OIDC_RP_SIGN_ALGO = env_str("KRAVSPAR_OIDC_SIGN_ALGO", "RS256") or "RS256"
OIDC_RP_SCOPES = env_str("KRAVSPAR_OIDC_SCOPES", "openid email profile") or "openid email profile"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_CREATE_USER = False  # provisioning is Kravspår's own, per organisation (accounts/sso.py)
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
# Which claim carries what (ID token and userinfo together); HSA-id and organisation only if
# the provider sends them.
KRAVSPAR_OIDC_CLAIMS = {
    "email": env_str("KRAVSPAR_OIDC_CLAIM_EMAIL", "email") or "",
    "hsa_id": env_str("KRAVSPAR_OIDC_CLAIM_HSA_ID", "") or "",
    "first_name": env_str("KRAVSPAR_OIDC_CLAIM_FIRST_NAME", "given_name") or "",
    "last_name": env_str("KRAVSPAR_OIDC_CLAIM_LAST_NAME", "family_name") or "",
    "organisation": env_str("KRAVSPAR_OIDC_CLAIM_ORGANISATION", "") or "",
}

# --- Security -------------------------------------------------------------------------
_secure = env_bool("KRAVSPAR_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
# The SAML session cookie comes back on the IdP's cross-site POST: SameSite=None, which browsers
# accept only with Secure; over plain http (development, the browser tests) Lax, same-site only.
SAML_SESSION_COOKIE_SAMESITE = "None" if _secure else "Lax"
SECURE_SSL_REDIRECT = env_bool("KRAVSPAR_SSL_REDIRECT", _secure)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("KRAVSPAR_BEHIND_PROXY", False) else None
SECURE_HSTS_SECONDS = env_int("KRAVSPAR_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("KRAVSPAR_HSTS_PRELOAD", False)
# Preloading is a decision for the owner of the whole domain, not for one application.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("KRAVSPAR_SESSION_AGE", 60 * 60 * 10)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("KRAVSPAR_MAX_REQUEST_BYTES", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Content-Security-Policy (django-csp): scripts only from our own static files, never
# inline; styles may be inline (charts colour their legend with a style attribute).
# Forms may also post to the single sign-on providers' hosts (SAML logout, see below).
# JSON answers get a policy that allows nothing (core.middleware).
KRAVSPAR_CSP_FORM_ACTION = env_list("KRAVSPAR_CSP_FORM_ACTION")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *KRAVSPAR_CSP_FORM_ACTION],
    }
}
# The interactive API documentation (/api/v1/docs) needs a login unless in development.
KRAVSPAR_API_DOCS_PUBLIC = env_bool("KRAVSPAR_API_DOCS_PUBLIC", DEBUG)

# --- Language -------------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
# KRAVSPAR_LOCALE_DIR exists for scripts/check_translations.py, which extracts into a scratch copy.
LOCALE_PATHS = [Path(env_str("KRAVSPAR_LOCALE_DIR", str(BASE_DIR / "locale")) or BASE_DIR / "locale")]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True
LANGUAGE_COOKIE_SECURE = _secure
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production runs collectstatic and sets KRAVSPAR_STATIC_MANIFEST=1 for cache-busting
# file names; without it whitenoise serves straight from the source folders.
_manifest = env_bool("KRAVSPAR_STATIC_MANIFEST", False)
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _manifest
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not _manifest
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded files (evidence, supplier documents, job results) on S3-compatible storage, shared
# by every app server and worker, when a bucket is named; else local files under MEDIA_ROOT.
# Credentials come from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (docs/operations.md).
KRAVSPAR_S3_BUCKET = env_str("KRAVSPAR_S3_BUCKET", "") or ""
if KRAVSPAR_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": KRAVSPAR_S3_BUCKET,
            "endpoint_url": env_str("KRAVSPAR_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("KRAVSPAR_S3_REGION", "") or None,
            "location": env_str("KRAVSPAR_S3_PREFIX", "") or "",
            "default_acl": None,  # objects stay private; downloads go through Kravspår's access checks
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }

# --- Background jobs (kravspar/jobs, docs/operations.md) ---------------------------------
# django-tasks with its database backend: the queue is a table in the same database, worked
# by `manage.py db_worker` (started beside the web server by `make run`).
TASKS = {
    "default": {
        "BACKEND": env_str("KRAVSPAR_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
        or "django_tasks_db.DatabaseBackend"
    }
}
# An invoice upload with more files than this runs as a background job.
KRAVSPAR_UPLOAD_JOB_FILES = env_int("KRAVSPAR_UPLOAD_JOB_FILES", 10)
# A checked price-list or contract-register file larger than this (bytes) is imported by a job.
KRAVSPAR_IMPORT_JOB_BYTES = env_int("KRAVSPAR_IMPORT_JOB_BYTES", 256 * 1024)
# A contract with more follow-ups and deviations than this gets its PDF report from a job.
KRAVSPAR_CONTRACT_PDF_JOB_ROWS = env_int("KRAVSPAR_CONTRACT_PDF_JOB_ROWS", 400)
KRAVSPAR_JOB_POLL_SECONDS = env_int("KRAVSPAR_JOB_POLL_SECONDS", 2)
# A running job's worker writes a heartbeat this often; a job silent longer than the stale
# limit is requeued (by `jobs_worker` every sweep, or `recover_jobs`), at most this many attempts.
KRAVSPAR_JOB_HEARTBEAT_SECONDS = env_int("KRAVSPAR_JOB_HEARTBEAT_SECONDS", 10)
KRAVSPAR_JOB_STALE_SECONDS = env_int("KRAVSPAR_JOB_STALE_SECONDS", 120)
KRAVSPAR_JOB_MAX_ATTEMPTS = env_int("KRAVSPAR_JOB_MAX_ATTEMPTS", 3)
KRAVSPAR_JOB_SWEEP_SECONDS = env_int("KRAVSPAR_JOB_SWEEP_SECONDS", 60)

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Used only with DJANGO_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
# (the browser tests read invitations and reset links from there).
EMAIL_FILE_PATH = env_str("DJANGO_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "kravspar@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("KRAVSPAR_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # pysaml2's schema library (xmlschema) logs at INFO when it loads its schemas ("Resource
        # 'XMLSchema.xsd' is already loaded"), which every command printed: noise, not an
        # event an operator acts on.
        "xmlschema": {"level": "WARNING"},
    },
}

# --- Kravspår -------------------------------------------------------------------------
KRAVSPAR_PAGE_SIZE = env_int("KRAVSPAR_PAGE_SIZE", 25)
# Follow-up: evidence files, reminders and escalation (see docs/operations.md).
KRAVSPAR_MAX_EVIDENCE_BYTES = env_int("KRAVSPAR_MAX_EVIDENCE_BYTES", 10 * 1024 * 1024)
KRAVSPAR_REMINDER_DAYS_BEFORE = env_int("KRAVSPAR_REMINDER_DAYS_BEFORE", 7)
KRAVSPAR_ESCALATION_DAYS = env_int("KRAVSPAR_ESCALATION_DAYS", 14)
KRAVSPAR_ESCALATION_EMAIL = env_str("KRAVSPAR_ESCALATION_EMAIL", "") or ""
# Days a major or critical deviation may stay without an agreed action plan before it is
# red and demands a sanction decision (findings/policy.py).
KRAVSPAR_ACTION_PLAN_DAYS = env_int("KRAVSPAR_ACTION_PLAN_DAYS", 30)
# API lists: ?limit= above this is cut, so no client fetches a whole table at once.
NINJA_PAGINATION_MAX_LIMIT = env_int("KRAVSPAR_API_MAX_LIMIT", 500)
# The address people reach Kravspår at, for links in e-mails.
# How many reverse proxies (load balancer, nginx) stand in front of the app servers: the
# client address for login throttling is then read from X-Forwarded-For. 0 = none.
KRAVSPAR_TRUSTED_PROXIES = env_int("KRAVSPAR_TRUSTED_PROXIES", 0)
# Largest e-invoice file accepted by the upload page and the API, in bytes.
KRAVSPAR_INVOICE_MAX_BYTES = env_int("KRAVSPAR_INVOICE_MAX_BYTES", 5 * 1024 * 1024)
KRAVSPAR_BASE_URL = env_str("KRAVSPAR_BASE_URL", "http://127.0.0.1:8000") or "http://127.0.0.1:8000"
# Labour-law conditions: months a step-2 document (payslips, time reports: personal data)
# is kept after its follow-up is closed; `purge_labour_documents` deletes it then.
KRAVSPAR_LABOUR_DOCUMENT_RETENTION_MONTHS = env_int("KRAVSPAR_LABOUR_DOCUMENT_RETENTION_MONTHS", 24)
