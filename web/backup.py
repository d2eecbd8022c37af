"""``flask --app app backup FILE`` and ``restore FILE``: a copy of the SQLite database made
with SQLite's online backup API (the application may keep running: the copy is consistent,
taken page by page between other writers), and that copy put back.

PostgreSQL has its own tools; the commands say so: ``pg_dump -Fc`` and ``pg_restore``
(README, "Production").
"""
import os
import sqlite3
import time
from pathlib import Path

import click
from flask.cli import with_appcontext

PAGES_PER_STEP = 4096  # 16 MB per step at 4 KB pages: other connections get the lock in between


def _sqlite_file() -> Path:
    from flask_babel import gettext as _

    from extensions import db

    if db.engine.dialect.name != "sqlite":
        raise click.ClickException(_("This database is PostgreSQL: use pg_dump -Fc to back it up and pg_restore "
                                     "to put it back (see the README)."))
    return Path(db.engine.url.database)


def _copy(source: str, target: str) -> None:
    if not Path(target).exists():  # a copy of the database: readable by its owner only, as the database
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=PAGES_PER_STEP, sleep=0.005)
    finally:
        dst.close()
        src.close()


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path):
    """Copy the SQLite database to PATH (a new file), while the application runs."""
    from flask_babel import format_decimal
    from flask_babel import gettext as _

    live = _sqlite_file()
    target = Path(path)
    if target.exists():
        raise click.ClickException(_("%(path)s already exists: give the name of a new file.", path=path))
    began = time.perf_counter()
    _copy(str(live), str(target))
    click.echo(_("Backup of %(db)s written to %(path)s (%(mb)s MB, %(seconds)s s).", db=live.name, path=path,
                 mb=format_decimal(target.stat().st_size / 2**20, format="0.0"),
                 seconds=format_decimal(time.perf_counter() - began, format="0.0")))


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore_command(path, yes):
    """Replace the SQLite database with a backup made by ``backup`` (stop the app first)."""
    from flask_babel import gettext as _

    from extensions import db

    live = _sqlite_file()
    try:
        check = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            check.close()
    except sqlite3.DatabaseError:
        ok, tables = False, set()
    if not ok or not {"units", "people", "completions", "campaigns"} <= tables:
        raise click.ClickException(_("%(path)s is not a backup of this application's database.", path=path))
    if not yes:
        click.confirm(_("Replace %(db)s with %(path)s? What the database holds now is lost.", db=live.name,
                        path=path), abort=True)
    db.session.remove()
    db.engine.dispose()  # no connection of ours holds the database while it is replaced
    _copy(str(Path(path).resolve()), str(live))
    click.echo(_("%(db)s restored from %(path)s.", db=live.name, path=path))
