"""Fixtures shared by the whole suite, in the manner of flaskr's tests/conftest.py.

Every database test runs twice through one fixture parameter, ``database_url``:

- ``sqlite``: a fresh file in the test's tmp_path;
- ``postgresql``: the database named by the environment variable ``TEST_DATABASE_URL``
  (e.g. ``postgresql://postgres@127.0.0.1:5432/test``), whose ``public`` schema is dropped
  and created again before each test. Without the variable, or when the server cannot be
  reached within a few seconds, the postgresql cases are skipped — unless
  ``REQUIRE_POSTGRESQL=1`` (set by .ci/run), which makes a missing variable or an
  unreachable server a failure of every postgresql case instead.

``app`` builds the schema with ``create_all()`` (fast); tests/test_migrations.py checks
that the real migrations (``flask db upgrade``) give the same schema.
"""
import os
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from app import create_app
from config import normalise_database_url
from extensions import db

from . import factories as f
from .checks import describe

# Hypothesis keeps its files with pytest's cache (ignored by git), not in a new folder at the root.
set_hypothesis_home_dir(Path(__file__).resolve().parent.parent / ".pytest_cache" / "hypothesis")
# Profiles: "ci" (selected by .ci/run through HYPOTHESIS_PROFILE) draws the same examples on
# every run, so a green CI is reproducible and a red one fails again when run again; "dev"
# (the default) draws new ones each run, to find what the fixed ones miss.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parent.parent
PG_CONNECT_TIMEOUT = 3
_pg_status: dict[str, str | None] = {}  # url -> None (reachable) or the reason it is not


def _libpq_url(url: str) -> str:
    """The URL without a SQLAlchemy driver suffix, for psycopg.connect()."""
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_unavailable(url: str) -> str | None:
    """Why PostgreSQL at ``url`` cannot be used (None when it can); asked once per run."""
    if url not in _pg_status:
        import psycopg

        try:
            psycopg.connect(_libpq_url(url), connect_timeout=PG_CONNECT_TIMEOUT).close()
            _pg_status[url] = None
        except Exception as exc:  # any failure to connect means: skip, never fail
            _pg_status[url] = f"PostgreSQL at TEST_DATABASE_URL is not reachable: {str(exc).strip().splitlines()[0]}"
    return _pg_status[url]


def _reset_pg_schema(url: str) -> None:
    """An empty ``public`` schema. Timeouts turn a forgotten open connection into an error, not a hang."""
    import psycopg

    with psycopg.connect(_libpq_url(url), connect_timeout=PG_CONNECT_TIMEOUT, autocommit=True,
                         options="-c synchronous_commit=off") as conn:
        conn.execute("SET lock_timeout = '10s'")
        conn.execute("SET client_min_messages = warning")
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The SQLAlchemy URL of a fresh, empty database (see the module docstring)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    url = os.environ.get("TEST_DATABASE_URL")
    reason = "TEST_DATABASE_URL is not set" if not url else _pg_unavailable(url)
    if reason:
        if os.environ.get("REQUIRE_POSTGRESQL") == "1":  # CI: PostgreSQL must be there
            pytest.fail(f"{reason}, and REQUIRE_POSTGRESQL=1", pytrace=False)
        pytest.skip(f"{reason}: PostgreSQL cases skipped")
    _reset_pg_schema(url)
    return normalise_database_url(url)


@pytest.fixture
def dialect(database_url) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.fixture
def make_app(database_url, tmp_path):
    """Factory of apps bound to this test's database; every engine is disposed at teardown."""
    apps = []

    def make(create_schema: bool = True, **overrides):
        config = {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-key",
            "NATIONAL_ID_KEY": "test-national-id-key",
            # Uploads are imported inside the request (no background thread) in tests.
            "IMPORT_JOBS_INLINE": True,
            "IMPORT_JOBS_DIR": str(tmp_path / "import-jobs"),
            "SHARE_IMAGES_DIR": str(tmp_path / "share"),
            "BADGE_IMAGES_DIR": str(tmp_path / "badges"),
            "REPORTS_DIR": str(tmp_path / "reports"),
            # The test client's own host, so that absolute URLs read as the requests sent.
            "SITE_URL": "http://localhost",
        }
        if database_url.startswith("postgresql"):
            # Commits need not wait for the disk: a test database does not outlive a crash.
            config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {
                "connect_timeout": PG_CONNECT_TIMEOUT, "options": "-c synchronous_commit=off"}}
        config.update(overrides)
        app = create_app(config)
        apps.append(app)
        if create_schema:
            with app.app_context(), db.engine.begin() as conn:
                db.metadata.create_all(conn, checkfirst=False)  # the database is empty
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ----------------------------------------------------------------------------- helpers

class Files:
    """Writes import files into the test's tmp_path."""

    def __init__(self, root: Path):
        self.root = root
        self._n = 0

    def _path(self, name: str | None, suffix: str) -> Path:
        self._n += 1
        return self.root / (name or f"file{self._n}{suffix}")

    def csv(self, rows, header=None, name=None, **kw) -> Path:
        return f.write_csv(self._path(name, ".csv"), rows, header, **kw)

    def xlsx(self, rows, header=None, name=None) -> Path:
        return f.write_xlsx(self._path(name, ".xlsx"), rows, header)

    def raw(self, data: bytes, name=None) -> Path:
        path = self._path(name, ".csv")
        path.write_bytes(data)
        return path


class Imports:
    """Runs the real importers inside an app context, with ``today`` fixed to ``factories.TODAY``."""

    def __init__(self, app, files: Files):
        self.app = app
        self.files = files

    def run(self, kind, source, **kw):
        from emulation.imports.importers import run_import

        kw.setdefault("today", f.TODAY)
        kw.setdefault("actor", "test:pytest")
        with self.app.app_context():
            return run_import(kind, source, **kw)

    def csv(self, kind, rows, header=None, *, name=None, bom=False, **kw):
        """Write ``rows`` as a CSV file and import it (the report is returned, ok or not)."""
        return self.run(kind, self.files.csv(rows, header, name=name, bom=bom), **kw)

    def load(self, kind, rows, header=None, **kw):
        """Import ``rows`` and insist that it worked."""
        report = self.csv(kind, rows, header, **kw)
        assert report.ok and report.file_error is None and not report.errors, describe(report)
        return report

    def seed(self, *kinds):
        """The base province of ``factories.SEED`` (all four entity files by default)."""
        for kind in kinds or ("units", "households", "people", "skills"):
            self.load(kind, f.SEED[kind])


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _as_date(value):
    return date.fromisoformat(value) if isinstance(value, str) and ISO_DATE.fullmatch(value) else value


class Probe:
    """Reads the database from outside the code under test: dumps and snapshots."""

    def __init__(self, app, database_url):
        self.app = app
        self.url = database_url
        self.dialect = "sqlite" if database_url.startswith("sqlite") else "postgresql"

    def scalar(self, sql, **params):
        with self.app.app_context(), db.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def all(self, sql, **params):
        """Rows of a raw query as tuples. SQLite returns an untyped column of dates as ISO text:
        those become ``date`` objects, as on PostgreSQL."""
        with self.app.app_context(), db.engine.connect() as conn:
            return [tuple(map(_as_date, r)) for r in conn.execute(sa.text(sql), params).all()]

    def rows(self, table: str) -> list[dict]:
        """Every row of ``table`` as dicts, ordered by primary key."""
        t = db.metadata.tables[table]
        with self.app.app_context(), db.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))]

    def count(self, table: str) -> int:
        return self.scalar(f"SELECT count(*) FROM {table}")

    def dump(self, exclude=(), sequences=True) -> dict:
        """Every table (and, on PostgreSQL, every sequence), ordered: a logical dump."""
        out = {}
        with self.app.app_context(), db.engine.connect() as conn:
            for t in db.metadata.sorted_tables:
                if t.name in exclude:
                    continue
                out[t.name] = [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))]
            if self.dialect == "postgresql" and sequences:
                out["<sequences>"] = [tuple(r) for r in conn.exec_driver_sql(
                    "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")]
        return out

    def sqlite_file(self) -> Path:
        return Path(sa.engine.make_url(self.url).database)

    def sqlite_bytes(self) -> bytes:
        """The main database file after a full checkpoint (the WAL folded in and truncated)."""
        with self.app.app_context():
            raw = db.engine.raw_connection()
            try:
                busy, _, _ = raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                assert busy == 0, "checkpoint blocked: a connection is still reading or writing"
            finally:
                raw.close()
        return self.sqlite_file().read_bytes()

    def records(self) -> dict:
        """The domain tables only: what a re-import must leave identical. Sequences are left
        out: on PostgreSQL, INSERT … ON CONFLICT draws an id for every row, kept or not."""
        return self.dump(exclude=("import_batches", "audit_log"), sequences=False)

    def snapshot(self, sequences=True):
        """Everything that would show a write: on SQLite the file's bytes and ``iterdump()``;
        on PostgreSQL the ordered dump of every table and (unless told) every sequence."""
        if self.dialect == "sqlite":
            data = self.sqlite_bytes()
            with sqlite3.connect(self.sqlite_file()) as conn:
                dump = list(conn.iterdump())
            conn.close()
            return data, dump
        return self.dump(sequences=sequences)

    def text(self) -> str:
        """All stored data as one text (for "is this value stored anywhere?")."""
        if self.dialect == "sqlite":
            with sqlite3.connect(self.sqlite_file()) as conn:
                text = "\n".join(conn.iterdump())
            conn.close()
            return text
        return repr(self.dump())


@pytest.fixture
def files(tmp_path):
    return Files(tmp_path)


@pytest.fixture
def imports(app, files):
    return Imports(app, files)


@pytest.fixture
def probe(app, database_url):
    return Probe(app, database_url)


@pytest.fixture
def world(imports):
    """The seeded province (units, households, people, skills of ``factories.SEED``)."""
    imports.seed()
    return imports


# ----------------------------------------------------------------------------- pages

@pytest.fixture
def staff(world, app):
    """The seeded province plus one account per role (tests/pages.py EMAILS, password PASSWORD)."""
    from accounts.services import create_user

    from .pages import EMAILS, MANAGER_UNIT, PASSWORD

    with app.app_context():
        for role, email in EMAILS.items():
            create_user(email, role, unit_code=MANAGER_UNIT if role == "manager" else None,
                        password=PASSWORD, actor="test", must_change_password=False)
    return EMAILS


@pytest.fixture
def campaign(app):
    """The shipped campaign bdhvs-2025, loaded."""
    from emulation.campaigns import load_campaign

    with app.app_context():
        return load_campaign((ROOT / "campaigns" / "bdhvs-2025.toml").read_text(encoding="utf-8"), actor="test")[0].code


@pytest.fixture
def web(app):
    """An anonymous client (see tests/pages.py)."""
    from .pages import Web

    return Web(app.test_client())


@pytest.fixture
def signed_in(app, staff):
    """``signed_in("manager")``: a client signed in with that role's account."""
    from .pages import Web

    def sign_in(role: str) -> "Web":
        w = Web(app.test_client())
        r = w.login(staff[role])
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        return w

    return sign_in
