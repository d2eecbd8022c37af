"""Flask extensions, created unbound here and bound to the app in ``create_app``."""
from contextlib import contextmanager
from datetime import datetime, timezone

from flask_babel import Babel
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

def utcnow() -> datetime:
    """Now, in UTC: the default of every timestamp column."""
    return datetime.now(timezone.utc)


db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention))
migrate = Migrate()
babel = Babel()

# SQLite lets one connection write at a time: a writer that waited longer than
# SQLITE_BUSY_TIMEOUT_MS for another (a long import, a recompute) fails with one of these.
_BUSY = ("database is locked", "database table is locked", "database is busy")


def database_busy(error: BaseException) -> bool:
    """Whether ``error`` (the ORM's or the driver's) says another writer held the database."""
    return any(text in str(getattr(error, "orig", None) or error) for text in _BUSY)


def for_writing(conn):
    """``conn`` (a Connection, before its transaction begins), marked as about to write:
    on SQLite its transaction begins with BEGIN IMMEDIATE (see app.configure_sqlite)."""
    return conn.execution_options(begin_immediate=True)


def session_for_writing() -> None:
    """Make the session's next transaction a writing one (a fresh snapshot, BEGIN IMMEDIATE
    on SQLite), for a request that reads and then writes, such as a sign-in."""
    db.session.rollback()
    db.session.connection(execution_options={"begin_immediate": True})


@contextmanager
def busy_timeout(conn, ms: int | None):
    """On SQLite, ``conn`` waits at most ``ms`` for another writer (0: not at all) until the
    block ends; then its usual timeout again. No change for None, or on PostgreSQL."""
    if ms is None or conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection  # outside any transaction: no BEGIN for a pragma
    usual = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute(f"PRAGMA busy_timeout = {int(ms)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(usual)}")
