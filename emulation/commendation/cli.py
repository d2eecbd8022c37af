"""``flask --app app nominees generate`` and ``reports generate``."""
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import format_decimal, format_number

from emulation.cli import as_of_option, campaign_option, resolve
from web.commands import DatabaseCommand, cli_actor


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
