"""What every command line of the app shares: the database-error wrapper, the actor a
command is audited as, rows written as CSV or JSON."""
import getpass
import json
import sqlite3
import sys
from datetime import date

import click
import psycopg
from sqlalchemy.exc import DBAPIError

from extensions import database_busy

from .spreadsheets import csv_writer

def cli_actor() -> str:
    return f"cli:{getpass.getuser()}"


def echo_err(message: str) -> None:
    click.echo(message, err=True)


FRACTION_DIGITS = 9  # SPEC §6: fractions with at least 6 decimals


def _cell(value) -> str:
    """CSV text: fractions with 9 decimals, dates as YYYY-MM-DD, booleans 1/0, empty for None
    (text that a spreadsheet would run as a formula is neutralised by ``csv_writer``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.{FRACTION_DIGITS}f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_rows(rows: list[dict], columns, fmt: str, output: str | None) -> None:
    """An export's rows as CSV (header, then one line per row) or as a JSON array, to the
    file ``output`` or to stdout."""
    out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "json":
            json.dump([{c: r[c].isoformat() if isinstance(r[c], date) else r[c] for c in columns} for r in rows],
                      out, ensure_ascii=False, indent=1)
            out.write("\n")
        else:
            w = csv_writer(out, cell=_cell, lineterminator="\n")
            w.writerow(columns)
            for r in rows:
                w.writerow([r[c] for c in columns])
    finally:
        if output:
            out.close()


class DatabaseCommand(click.Command):
    """Turns database errors (no schema yet, server down) into one clear line and exit 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (DBAPIError, sqlite3.Error, psycopg.Error) as exc:
            # The bulk import path talks to the driver directly, so its errors come unwrapped.
            from flask_babel import gettext as _

            if database_busy(exc):
                raise click.ClickException(_(
                    "The database is busy: another process (an import, a recompute) is writing to it. "
                    "Nothing was written; run the command again when it has finished.")) from None
            cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig else exc
            reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
            raise click.ClickException(
                _("Database error: %(reason)s. Has the schema been created with \"flask --app app db upgrade\"?",
                  reason=reason)) from None
