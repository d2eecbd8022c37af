"""Configuration, read from the environment, with safe defaults for development only."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _instance_secret(instance_path: Path, name: str) -> str:
    """Return a secret kept in ``instance/<name>``, creating it on first use.

    Development convenience only: production sets the environment variable.
    The file is created with mode 0600 and never committed (instance/ is ignored).
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / name
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value)
    return value


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs (SQLAlchemy defaults to psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config(instance_path: Path) -> dict:
    """Build the configuration mapping from the environment."""
    instance_path = Path(instance_path)
    default_db = f"sqlite:///{instance_path / 'thiduaso.sqlite3'}"
    timezone = os.environ.get("TIMEZONE", "Asia/Ho_Chi_Minh")
    return {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(os.environ.get("DATABASE_URL", default_db)),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance_path, "secret_key"),
        # Key of the HMAC that replaces national ids. Losing it breaks duplicate detection
        # against existing people, so it is kept apart from SECRET_KEY (which may rotate).
        "NATIONAL_ID_KEY": os.environ.get("NATIONAL_ID_KEY") or _instance_secret(instance_path, "national_id_key"),
        "BABEL_DEFAULT_LOCALE": os.environ.get("BABEL_DEFAULT_LOCALE", "vi"),
        # The province's time zone: what "today" means for dates in files and for as-of.
        "TIMEZONE": timezone,
        "BABEL_DEFAULT_TIMEZONE": timezone,
        "LANGUAGES": ["vi", "en"],
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "SQLITE_BUSY_TIMEOUT_MS": int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "10000")),
        # Page cache per connection. SQLite's default (2 MB) thrashes when a completions
        # file arrives in date order, i.e. in random key order (see bench/README.md).
        "SQLITE_CACHE_MB": int(os.environ.get("SQLITE_CACHE_MB", "64")),
        # Cookies: always HttpOnly and SameSite=Lax; Secure whenever served over HTTPS, or
        # always with SESSION_COOKIE_SECURE=1 (see web.SessionInterface).
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", False),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        # Staff sessions (accounts.services): ended by signing out, after SESSION_IDLE_MINUTES
        # without a request (the signed cookie's own clock: Flask refuses a cookie signed
        # longer ago than this, and re-signs it on every request) and SESSION_HOURS after
        # signing in whatever the activity (the server's record of the session).
        "SESSION_HOURS": int(os.environ.get("SESSION_HOURS", "8")),
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30"))),
        "SESSION_REFRESH_EACH_REQUEST": True,  # what makes that lifetime an idle limit
        # A form stays valid as long as a session may last (a long upload must not expire it).
        "WTF_CSRF_TIME_LIMIT": int(os.environ.get("SESSION_HOURS", "8")) * 3600,
        # API tokens live at most this many days (the default when one is made).
        "API_TOKEN_DAYS": int(os.environ.get("API_TOKEN_DAYS", "90")),
        # Behind a reverse proxy that sets X-Forwarded-For/-Proto (nginx), trust one hop.
        "TRUST_PROXY": _flag("TRUST_PROXY", False),
        # This site's public address (scheme, host, port): every absolute URL (og:image, Open
        # Badges ids, links to share) is built from it, never from a request's Host header.
        "SITE_URL": os.environ.get("SITE_URL", "http://127.0.0.1:5000"),
        # Behind a proxy that sets X-Forwarded-Host itself (overwriting the client's), trust it too.
        "TRUST_PROXY_HOST": _flag("TRUST_PROXY_HOST", False),
        # The largest upload accepted (a province's completions file is a few hundred MB).
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "512")) * 2**20,
        # Uploaded files and their import reports are kept this many days (instance/imports/).
        "IMPORT_JOB_DAYS": int(os.environ.get("IMPORT_JOB_DAYS", "7")),
        # The file a dry run checked is kept this many hours for "Import this file now".
        "IMPORT_CHECKED_FILE_HOURS": float(os.environ.get("IMPORT_CHECKED_FILE_HOURS", "2")),
        # Rows of a units or people file at most (their rows are held until the file ends).
        "IMPORT_MAX_HELD_ROWS": int(os.environ.get("IMPORT_MAX_HELD_ROWS", "1000000")),
        # The largest request body of the JSON API.
        "API_MAX_BODY_MB": int(os.environ.get("API_MAX_BODY_MB", "10")),
        # Share images of the published boards, drawn once per content (default instance/share/).
        "SHARE_IMAGES_DIR": os.environ.get("SHARE_IMAGES_DIR"),
        # Rate limits (web.rate_limited): API requests a minute per account; look-ups of a
        # personal code or of a badge, and sign-in forms sent, a minute per client address.
        # Counted in Redis when REDIS_URL is set (every process of the deployment together),
        # else in each process's memory.
        "API_RATE_PER_MINUTE": int(os.environ.get("API_RATE_PER_MINUTE", "600")),
        "LOOKUPS_PER_MINUTE": int(os.environ.get("LOOKUPS_PER_MINUTE", "30")),
        "SIGN_INS_PER_MINUTE": int(os.environ.get("SIGN_INS_PER_MINUTE", "30")),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        # Progress reports of ended periods, written by the scheduler (default instance/reports/).
        "REPORTS_DIR": os.environ.get("REPORTS_DIR"),
        # Badge images, drawn once per content (default instance/badges/).
        "BADGE_IMAGES_DIR": os.environ.get("BADGE_IMAGES_DIR"),
        # The issuer of the Open Badges: its name, home page (default: this site) and
        # contact address (default: no-reply@ this site's host).
        "BADGE_ISSUER_NAME": os.environ.get(
            "BADGE_ISSUER_NAME", "Ban Chỉ đạo phong trào \"Bình dân học vụ số\" tỉnh Lai Châu"),
        "BADGE_ISSUER_URL": os.environ.get("BADGE_ISSUER_URL"),
        "BADGE_ISSUER_EMAIL": os.environ.get("BADGE_ISSUER_EMAIL"),
        # Rows per chunk on the bulk import path (validation and writing are pipelined per chunk).
        "IMPORT_CHUNK_ROWS": int(os.environ.get("IMPORT_CHUNK_ROWS", "10000")),
        # National ids of a unit manager's people files found already registered to someone
        # outside their subtree: at most this many per account in this many hours (counted
        # from the audit log, so per deployment); beyond, such files are refused.
        "NATIONAL_ID_CONFLICTS_LIMIT": int(os.environ.get("NATIONAL_ID_CONFLICTS_LIMIT", "20")),
        "NATIONAL_ID_CONFLICTS_HOURS": int(os.environ.get("NATIONAL_ID_CONFLICTS_HOURS", "24")),
    }
