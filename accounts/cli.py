"""``flask --app app users create EMAIL --role ROLE [--unit CODE]``."""
import sys

import click
from flask.cli import with_appcontext

from web.commands import DatabaseCommand, cli_actor

from .models import ROLES
from .services import AccountError, create_user


@click.group("users")
def users_cli():
    """Staff accounts."""


@users_cli.command("create", cls=DatabaseCommand)
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--unit", "unit_code", help="The unit a manager is bound to (its code).")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input instead of generating a temporary one.")
@with_appcontext
def users_create(email, role, unit_code, password_stdin):
    """Create a staff account. Without --password-stdin a temporary password is generated,
    printed once, and must be changed at the first sign-in."""
    from flask_babel import gettext as _

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        user, password = create_user(email, role, unit_code=unit_code, password=password, actor=cli_actor(),
                                     must_change_password=not password_stdin)
    except AccountError as exc:
        raise click.ClickException(exc.message.render()) from None
    if password_stdin:
        click.echo(_("Account %(email)s created (%(role)s).", email=user.email, role=user.role))
    else:
        click.echo(_("Account %(email)s created (%(role)s). Temporary password: %(password)s",
                     email=user.email, role=user.role, password=password))
