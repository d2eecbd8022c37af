"""``flask --app app import KIND FILE``."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from web.commands import ERRORS_SHOWN, DatabaseCommand, Progress, cli_actor

from .importers import KINDS, run_import


@click.command("import", cls=DatabaseCommand)
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report without writing anything.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows; write the rejected ones with reasons to FILE.rejects.csv.")
@with_appcontext
def import_command(kind, file, dry_run, skip_invalid):
    """Import a CSV or XLSX file of KIND (SPEC §2)."""
    progress = Progress(file.name)
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
