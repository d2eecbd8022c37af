"""Command line of the emulation package: ``import``, ``campaign load``, ``demo load``.

Each command prints a one-line summary, a progress bar on a terminal, and exits
non-zero with a clear message on error. Commands call services; they hold no rules.
"""
import getpass
import json
import sqlite3
import sys
from datetime import date, datetime
from pathlib import Path

import click
import psycopg
from flask.cli import with_appcontext
from sqlalchemy.exc import DBAPIError

from flask_babel import format_decimal, format_number

from extensions import database_busy

from .campaigns import CampaignError, load_campaign
from .importing import KINDS, run_import
from .tabular import csv_writer

ERRORS_SHOWN = 100


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


def _campaign(ctx, param, code):
    """Resolved to the Campaign when the command runs (see ``with_campaign``)."""
    return code


campaign_option = click.option("--campaign", "campaign", required=True, metavar="CODE",
                               help="The campaign's code.", callback=_campaign)


def date_option(ctx, param, value):
    """A click callback: a date as YYYY-MM-DD or DD/MM/YYYY, or None."""
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise click.BadParameter(f"{value!r}: a date as YYYY-MM-DD or DD/MM/YYYY")


as_of_option = click.option("--as-of", "as_of", callback=date_option, metavar="DATE",
                            help="The date to score as of (YYYY-MM-DD or DD/MM/YYYY; default: today).")


def resolve(campaign_code: str, as_of):
    """The campaign of that code (or a clear error) and the as-of date (today by default)."""
    from flask_babel import gettext as _

    from extensions import db

    from .clock import province_today
    from .models import Campaign

    campaign = db.session.scalar(db.select(Campaign).where(Campaign.code == campaign_code))
    if campaign is None:
        codes = ", ".join(db.session.scalars(db.select(Campaign.code).order_by(Campaign.code))) or "—"
        raise click.ClickException(_("Unknown campaign \"%(code)s\" (campaigns: %(codes)s).", code=campaign_code,
                                     codes=codes))
    return campaign, as_of or province_today()


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


class _Progress:
    """A click progress bar over bytes, shown only when attached to a terminal."""

    def __init__(self, label: str):
        self.label = label
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(max(done - self.done, 0))
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command("import", cls=DatabaseCommand)
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report without writing anything.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows; write the rejected ones with reasons to FILE.rejects.csv.")
@with_appcontext
def import_command(kind, file, dry_run, skip_invalid):
    """Import a CSV or XLSX file of KIND (SPEC §2)."""
    progress = _Progress(file.name)
    try:
        report = run_import(kind, file, dry_run=dry_run, skip_invalid=skip_invalid, actor=cli_actor(), progress=progress)
    finally:
        progress.close()
    for err in report.errors[:ERRORS_SHOWN]:
        click.echo(err.render(), err=True)
    if report.errors_total > ERRORS_SHOWN:
        click.echo(f"… (+{report.errors_total - ERRORS_SHOWN})", err=True)
    if report.rejects_path:
        click.echo(str(report.rejects_path), err=True)
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@click.group("campaign")
def campaign_cli():
    """Campaigns (TOML files, SPEC §3)."""


@campaign_cli.command("load", cls=DatabaseCommand)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def campaign_load(file):
    """Create or update a campaign from a TOML FILE."""
    try:
        text = file.read_text(encoding="utf-8-sig")  # Notepad saves a BOM
    except UnicodeDecodeError:
        raise click.ClickException(f"{file.name}: not UTF-8") from None
    try:
        campaign, created = load_campaign(text, actor=cli_actor())
    except CampaignError as exc:
        for m in exc.messages:
            click.echo(f"{file.name}: {m.render()}", err=True)
        sys.exit(1)
    from flask_babel import gettext as _

    msg = _("Campaign %(code)s created: %(name)s") if created else _("Campaign %(code)s updated: %(name)s")
    click.echo(msg % dict(code=campaign.code, name=campaign.name))


@click.group("demo")
def demo_cli():
    """The demo province."""


@demo_cli.command("load", cls=DatabaseCommand)
@click.option("--people", default=5000, show_default=True, type=click.IntRange(min=50))
@click.option("--seed", default=2025, show_default=True, type=int)
@with_appcontext
def demo_load(people, seed):
    """Generate and import a realistic Lai Châu province (through the real importers)."""
    from .demo import load_demo

    summary = load_demo(people=people, seed=seed, echo=lambda s: click.echo(s, err=True))
    click.echo(summary)


@click.group("scores")
def scores_cli():
    """Stored scores (SPEC §3)."""


@scores_cli.command("recompute", cls=DatabaseCommand)
@campaign_option
@as_of_option
@with_appcontext
def scores_recompute(campaign, as_of):
    """Rebuild the stored scores of a campaign as of a date."""
    from flask_babel import gettext as _

    from .scoring import recompute

    campaign, as_of = resolve(campaign, as_of)
    s = recompute(campaign, as_of)
    click.echo(_("Scores of %(campaign)s as of %(day)s: %(people)s people (%(universalized)s universalized), "
                 "%(households)s households (%(families)s digital families), %(units)s units (%(seconds)s s).",
                 campaign=s.campaign, day=s.as_of.isoformat(), people=format_number(s.people),
                 universalized=format_number(s.universalized), households=format_number(s.households),
                 families=format_number(s.digital_families), units=format_number(s.units),
                 seconds=format_decimal(s.seconds, format="0.0")))


@click.group("nominees")
def nominees_cli():
    """Nominee lists for commendation (SPEC §5)."""


@nominees_cli.command("generate", cls=DatabaseCommand)
@campaign_option
@as_of_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The file to write: .xlsx, .csv or .pdf.")
@with_appcontext
def nominees_generate(campaign, as_of, output):
    """Generate a new version of a campaign's nominee list (a draft) and write it out."""
    import time

    from flask_babel import gettext as _

    from .nominee_exports import FORMATS, export
    from .nominees import NomineeError, entries_of, generate

    fmt = Path(output).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.UsageError(_("The output file must end in .xlsx, .csv or .pdf."))
    campaign, as_of = resolve(campaign, as_of)
    began = time.perf_counter()
    try:
        lst = generate(campaign, as_of, actor=cli_actor())
    except NomineeError as exc:
        raise click.ClickException(str(exc)) from None
    entries = entries_of(lst)
    Path(output).write_bytes(export(fmt, campaign, lst, entries))
    counts = {s: sum(e.section == s for e in entries) for s in ("collective", "individual", "family")}
    click.echo(_("Nominee list of %(campaign)s as of %(day)s, version %(version)s (draft): %(collectives)s "
                 "collectives, %(individuals)s individuals, %(families)s families, written to %(file)s "
                 "(%(seconds)s s).", campaign=campaign.code, day=as_of.isoformat(), version=lst.version,
                 collectives=format_number(counts["collective"]), individuals=format_number(counts["individual"]),
                 families=format_number(counts["family"]), file=output,
                 seconds=format_decimal(time.perf_counter() - began, format="0.0")))


@click.group("reports")
def reports_cli():
    """Progress reports (quarterly, six-monthly, yearly)."""


@reports_cli.command("generate", cls=DatabaseCommand)
@campaign_option
@click.option("--period", required=True, metavar="PERIOD", help="YYYY-Qn, YYYY-Hn or YYYY.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The file to write: .xlsx or .pdf.")
@with_appcontext
def reports_generate(campaign, period, output):
    """Write the progress report of a campaign for a quarter, a half-year or a year."""
    import time

    from flask_babel import gettext as _

    from .report_exports import FORMATS, export
    from .reports import ReportError, build_report, parse_period

    fmt = Path(output).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.UsageError(_("The output file must end in .xlsx or .pdf."))
    try:
        wanted = parse_period(period)
    except ReportError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None
    campaign, _as_of = resolve(campaign, None)
    began = time.perf_counter()
    try:
        report = build_report(campaign, wanted)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    Path(output).write_bytes(export(fmt, report))
    click.echo(_("Progress report of %(campaign)s for %(period)s (figures as of %(day)s) written to %(file)s "
                 "(%(seconds)s s).", campaign=report.campaign.code, period=wanted.code, day=report.as_of.isoformat(),
                 file=output, seconds=format_decimal(time.perf_counter() - began, format="0.0")))
