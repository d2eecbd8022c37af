"""``flask --app app import KIND FILE``."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from web.commands import DatabaseCommand, cli_actor

from .importers import KINDS, run_import

ERRORS_SHOWN = 100


class Progress:
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
