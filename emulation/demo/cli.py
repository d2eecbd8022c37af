"""``flask --app app demo load``."""
import click
from flask.cli import with_appcontext

from web.commands import DatabaseCommand


@click.group("demo")
def demo_cli():
    """The demo province."""


@demo_cli.command("load", cls=DatabaseCommand)
@click.option("--people", default=5000, show_default=True, type=click.IntRange(min=50))
@click.option("--seed", default=2025, show_default=True, type=int)
@click.option("--weeks", default=6, show_default=True, type=click.IntRange(min=1),
              help="Weekly publications of each campaign backfilled: its last N weeks so far.")
@click.option("--all-weeks", is_flag=True, help="Backfill every week of each campaign so far (slower: "
              "about 0.25 s a week for 5,000 people).")
@with_appcontext
def demo_load(people, seed, weeks, all_weeks):
    """Generate and import a realistic Lai Châu province (through the real importers), as it
    stands today: events to yesterday, scores, badges, personal codes and its latest weekly
    publications."""
    from .province import load_demo

    summary = load_demo(people=people, seed=seed, echo=lambda s: click.echo(s, err=True),
                        weeks=None if all_weeks else weeks)
    click.echo(summary)
