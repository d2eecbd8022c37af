"""``flask --app app badges award|export`` (SPEC §6)."""
import click
from flask.cli import with_appcontext

from emulation.cli import as_of_option, campaign_option, resolve
from web.commands import DatabaseCommand, echo_err, write_rows

from .awarding import AwardError, award
from .records import EXPORT_COLUMNS, export_rows


@click.group("badges")
def badges_cli():
    """Badges (SPEC §4)."""


@badges_cli.command("award", cls=DatabaseCommand)
@campaign_option
@as_of_option
@with_appcontext
def award_command(campaign, as_of):
    """Award every badge the data supports as of a date, and revoke what it no longer supports."""
    from flask_babel import format_decimal, format_number
    from flask_babel import gettext as _

    campaign, as_of = resolve(campaign, as_of)
    try:
        s = award(campaign, as_of)
    except AwardError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(_("Badges of %(campaign)s as of %(day)s: %(new)s awarded, %(revoked)s revoked, %(moved)s re-dated, "
                 "%(live)s held (%(seconds)s s).", campaign=s.campaign, day=s.as_of.isoformat(),
                 new=format_number(s.awarded), revoked=format_number(s.revoked), moved=format_number(s.redated),
                 live=format_number(s.live), seconds=format_decimal(s.seconds, format="0.0")))


@badges_cli.command("export", cls=DatabaseCommand)
@campaign_option
@click.option("--format", "fmt", type=click.Choice(("csv", "json")), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
@with_appcontext
def export_command(campaign, fmt, output):
    """Every award of a campaign, revoked ones included, with the columns of SPEC §6."""
    from flask_babel import format_number
    from flask_babel import gettext as _

    campaign, _as_of = resolve(campaign, None)
    rows = list(export_rows(campaign))
    write_rows(rows, EXPORT_COLUMNS, fmt, output)
    echo_err(_("Badges of %(campaign)s: %(n)s awards exported.", campaign=campaign.code, n=format_number(len(rows))))
