"""Accounts, roles and unit scope: who may sign in, and what each person may see and change."""


def register(app) -> None:
    """Attach sign-in, the account pages, the access check and the ``users`` commands to ``app``."""
    from . import models  # noqa: F401  (tables must be known to Flask-Migrate)
    from .access import init_access
    from .cli import users_cli
    from .views import bp

    init_access(app)
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
