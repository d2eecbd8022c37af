"""``flask --app app leaderboard export …`` (SPEC §6)."""
import click
from flask.cli import with_appcontext

from emulation.cli import as_of_option, campaign_option, date_option, resolve
from emulation.models import GROUPS, Unit
from emulation.scoring.scores import ensure_scores
from extensions import db
from web.commands import DatabaseCommand, echo_err, write_rows

from .boards import BOARDS, COLUMNS, BoardError, BoardQuery, entries
from .periods import PERIODS
from .periods import columns as period_columns
from .periods import period_entries, period_of


@click.group("leaderboard")
def leaderboard_cli():
    """Leaderboards (SPEC §3)."""


@leaderboard_cli.command("export", cls=DatabaseCommand)
@campaign_option
@click.option("--board", required=True, type=click.Choice(BOARDS))
@click.option("--bracket", help="Units board: only this bracket (default: every bracket, each ranked apart).")
@click.option("--scope", "scope_code", help="Only entries inside this unit's subtree.")
@click.option("--group", type=click.Choice(GROUPS), help="People board: only this target group.")
@as_of_option
@click.option("--period", type=click.Choice(PERIODS),
              help="A period board: what was earned inside the week, month or quarter that ends on the as-of "
                   "date, or from --from to it (custom).")
@click.option("--from", "first_day", callback=date_option, metavar="DATE",
              help="The first day of a custom period (YYYY-MM-DD or DD/MM/YYYY).")
@click.option("--format", "fmt", type=click.Choice(("csv", "json")), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
@with_appcontext
def export(campaign, board, bracket, scope_code, group, as_of, period, first_day, fmt, output):
    """Export a board, ranked, with the columns of SPEC §6 (a period board adds what was
    gained inside the period)."""
    from flask_babel import format_number
    from flask_babel import gettext as _

    campaign, as_of = resolve(campaign, as_of)
    if first_day is not None and period not in (None, "custom"):
        raise click.UsageError(_("--from is the first day of a custom period; it does not go with --period %(p)s.",
                                 p=period))
    if first_day is not None:
        period = "custom"
    scope = None
    if scope_code:
        scope = db.session.scalar(db.select(Unit).where(Unit.code == scope_code))
        if scope is None:
            raise click.ClickException(_("Unknown unit \"%(value)s\".", value=scope_code))
    code = campaign.code
    query = BoardQuery(campaign, board, bracket=bracket, scope=scope, group=group)
    if period:
        try:
            window = period_of(period, as_of, first_day)
        except BoardError:
            raise click.UsageError(_("A custom period needs --from DATE, on or before the as-of date.")) from None
        rows = period_entries(query, window)
        columns = period_columns(board)
    else:
        ensure_scores(campaign, as_of, echo=echo_err)
        rows = list(entries(query))
        columns = COLUMNS[board]
    write_rows(rows, columns, fmt, output)
    if period:
        echo_err(_("%(board)s board of %(campaign)s for %(first)s to %(last)s: %(n)s entries.", board=board,
                   campaign=code, first=window.start.isoformat(), last=window.end.isoformat(),
                   n=format_number(len(rows))))
    else:
        echo_err(_("%(board)s board of %(campaign)s as of %(day)s: %(n)s entries.", board=board,
                   campaign=code, day=as_of.isoformat(), n=format_number(len(rows))))


@leaderboard_cli.command("publish", cls=DatabaseCommand)
@campaign_option
@as_of_option
@with_appcontext
def publish_command(campaign, as_of):
    """Freeze every board of a campaign as of a date (a date is published once)."""
    from flask_babel import format_decimal, format_number
    from flask_babel import gettext as _

    from web.commands import cli_actor

    from .publishing import publish

    campaign, as_of = resolve(campaign, as_of)
    code = campaign.code
    result = publish(campaign, as_of, actor=cli_actor())
    if result.created:
        click.echo(_("Published the boards of %(campaign)s as of %(day)s: %(n)s entries (%(seconds)s s).",
                     campaign=code, day=as_of.isoformat(), n=format_number(result.entries),
                     seconds=format_decimal(result.seconds, format="0.0")))
    else:
        click.echo(_("The boards of %(campaign)s as of %(day)s were already published; nothing changed.",
                     campaign=code, day=as_of.isoformat()))


@click.group("scheduler")
def scheduler_cli():
    """The scheduled work (weekly publications)."""


@scheduler_cli.command("run", cls=DatabaseCommand)
@with_appcontext
def scheduler_run():
    """Run the scheduler in the foreground (one process; Ctrl+C stops it)."""
    from flask import current_app
    from flask_babel import gettext as _

    from .schedule import build_scheduler

    app = current_app._get_current_object()
    scheduler = build_scheduler(app)
    jobs = scheduler.get_jobs()
    click.echo(_("Scheduler started: %(n)s jobs (%(jobs)s).", n=len(jobs),
                 jobs=", ".join(j.id for j in jobs) or "—"))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
