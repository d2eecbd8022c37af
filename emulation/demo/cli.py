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
@with_appcontext
def demo_load(people, seed):
    """Generate and import a realistic Lai Châu province (through the real importers)."""
    from .province import load_demo

    summary = load_demo(people=people, seed=seed, echo=lambda s: click.echo(s, err=True))
    click.echo(summary)
