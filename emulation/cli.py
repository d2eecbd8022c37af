"""Command line of the campaign domain: ``campaign load``, and the campaign and date options
the other packages' commands share (the sub-packages hold their own commands).

Each command prints a one-line summary, a progress bar on a terminal, and exits
non-zero with a clear message on error. Commands call services; they hold no rules.
"""
import sys
from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from web.commands import DatabaseCommand, cli_actor

from .campaigns import CampaignError, load_campaign


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
