"""Flask extensions, created unbound here and bound to the app in ``create_app``."""
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

db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention))
migrate = Migrate()
babel = Babel()

# SQLite lets one connection write at a time: a writer that waited longer than
# SQLITE_BUSY_TIMEOUT_MS for another (a long import, a recompute) fails with one of these.
_BUSY = ("database is locked", "database table is locked", "database is busy")


def database_busy(error: BaseException) -> bool:
    """Whether ``error`` (the ORM's or the driver's) says another writer held the database."""
    return any(text in str(getattr(error, "orig", None) or error) for text in _BUSY)
