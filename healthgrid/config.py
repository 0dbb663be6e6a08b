"""Settings: defaults here, overridden by the environment, then by create_app(config)."""
import os
from datetime import timedelta
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _sqlite_default() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'healthgrid.db'}"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or _sqlite_default()
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _env_prefixed() -> dict:
    """HEALTHGRID_FOO=bar becomes FOO='bar' (with true/false/ints understood)."""
    out = {}
    for key, raw in os.environ.items():
        if not key.startswith("HEALTHGRID_") or key == "HEALTHGRID_PASSWORD":
            continue
        name = key[len("HEALTHGRID_"):]
        value: object = raw
        if raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        elif raw.isdigit():
            value = int(raw)
        out[name] = value
    return out


def load(overrides: dict | None = None) -> dict:
    cfg = {
        "SECRET_KEY": os.environ.get("SECRET_KEY", "dev-only-change-me"),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "TIMEZONE": "Asia/Shanghai",
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent / "translations"),
        "LANGUAGES": ["zh_CN", "en"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Plain HTTP on a development machine; HEALTHGRID_HTTPS=true (security.py) makes the
        # cookies Secure and turns on HSTS when the app is served over TLS.
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "WTF_CSRF_TIME_LIMIT": None,
        "API_TOKEN_TTL_HOURS": 12,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_RATE_LIMIT": "10 per minute",
        "API_TITLE": "HealthGrid API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "PER_PAGE_MAX": 200,
    }
    cfg.update(_env_prefixed())
    if overrides:
        cfg.update(overrides)
    return cfg
