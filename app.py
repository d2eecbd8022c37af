"""Application factory for Thi Đua Số."""
import os
from pathlib import Path

from flask import Flask, has_request_context, request
from sqlalchemy import event

from config import BASE_DIR, load_config
from extensions import babel, db, migrate


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the Flask application.

    ``test_config`` overrides the environment-derived configuration (used by the tests).
    """
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True, mode=0o700)  # holds keys and personal data
    app.config.from_mapping(load_config(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)

    compile_translations(BASE_DIR / "translations")
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=select_locale)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            private_sqlite_files(db.engine.url.database)
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"], app.config["SQLITE_CACHE_MB"])

    from accounts import register as register_accounts
    from api import register as register_api
    from badges import register as register_badges
    from emulation import register as register_emulation
    from leaderboards import register as register_leaderboards
    from web import init_web

    init_web(app)
    register_accounts(app)
    register_emulation(app)
    register_leaderboards(app)
    register_badges(app)
    register_api(app)
    from web.backup import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    return app


def warm_up(app: Flask) -> None:
    """Draws the home page and the front pages of the current campaign's boards once, so
    that templates are compiled, catalogs read and mappers configured, and those pages are
    in the page cache; then closes the database connections. gunicorn.conf.py runs it in
    the master process before the workers fork: each worker starts warm instead of
    spending its first second on that while visitors wait."""
    from leaderboards.public import front_pages

    try:
        with app.test_request_context():
            urls = ["/", *front_pages()]
        client = app.test_client()
        for url in urls:
            client.get(url)
    except Exception:  # a server starts cold rather than not at all (e.g. before "db upgrade")
        app.logger.warning("warm-up skipped", exc_info=True)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()  # no connection may cross the fork


def select_locale() -> str:
    """``BABEL_DEFAULT_LOCALE`` (Vietnamese) unless ``?lang=`` or the ``lang`` cookie asks
    for another of ``LANGUAGES``."""
    from flask import current_app

    if has_request_context():
        wanted = request.args.get("lang") or request.cookies.get("lang")
        if wanted in current_app.config["LANGUAGES"]:
            return wanted
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def private_sqlite_files(database: str | None) -> None:
    """Make the SQLite database file readable by the server's user only (0600), creating
    it so before SQLite does (SQLite would create it 0644, and gives its -wal and -shm
    files the database file's mode); files of an older installation are set to 0600 too."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    for suffix in ("-wal", "-shm", "-journal"):
        other = path.with_name(path.name + suffix)
        if other.exists():
            other.chmod(0o600)


def configure_sqlite(engine, busy_timeout_ms: int, cache_mb: int) -> None:
    """WAL, foreign keys, synchronous=NORMAL, a busy timeout and a page cache of
    ``cache_mb`` on every SQLite connection.

    The driver's own implicit transaction handling is switched off and SQLAlchemy emits
    BEGIN itself, so that transactions (including DDL and the bulk import path, which
    talks to the driver directly) are real and roll back completely.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute(f"PRAGMA cache_size={-1024 * int(cache_mb)}")  # negative: KiB
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A transaction that will write says so at BEGIN (extensions.for_writing): it then
        # waits its turn behind another writer (the busy timeout). A plain BEGIN that reads
        # first and writes later cannot wait: if another writer has committed meanwhile,
        # SQLite refuses its first write at once.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("begin_immediate") else "BEGIN")


def compile_translations(directory: Path) -> None:
    """Compile each ``messages.po`` to ``messages.mo`` when missing or older.

    Catalogs are kept as text in git and compiled on install/start, never committed as binaries.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=po_path.parent.parent.name)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as f:
            write_mo(f, catalog)
        tmp.replace(mo_path)
