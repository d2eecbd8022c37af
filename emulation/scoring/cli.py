"""``flask --app app scores recompute``."""
import click
from flask.cli import with_appcontext
from flask_babel import format_decimal, format_number

from emulation.cli import as_of_option, campaign_option, resolve
from web.commands import DatabaseCommand


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

    from .scores import recompute

    campaign, as_of = resolve(campaign, as_of)
    s = recompute(campaign, as_of)
    click.echo(_("Scores of %(campaign)s as of %(day)s: %(people)s people (%(universalized)s universalized), "
                 "%(households)s households (%(families)s digital families), %(units)s units (%(seconds)s s).",
                 campaign=s.campaign, day=s.as_of.isoformat(), people=format_number(s.people),
                 universalized=format_number(s.universalized), households=format_number(s.households),
                 families=format_number(s.digital_families), units=format_number(s.units),
                 seconds=format_decimal(s.seconds, format="0.0")))
