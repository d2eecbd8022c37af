"""Accounts, roles and unit scope: who may sign in, and what each person may see and change.

``models`` (staff accounts, their sessions and API tokens, sign-in records, the audit log),
``services`` (creating accounts, passwords, sessions, tokens), ``throttle`` (slowing down
password guessing), ``access`` (the one policy layer: every view's audience, a manager's
subtree, which people a person may see), ``audit`` (notes of reads), ``views``, ``forms``,
``cli`` (``users create``).

May import: ``web``, ``extensions``, ``config``. It knows units only as the ``units`` table
its foreign key points to and the relationship named ``"Unit"``, never the campaign's
package: every other package builds on this one."""


def register(app) -> None:
    """Attach sign-in, the account pages, the access check and the ``users`` commands to ``app``."""
    from . import models  # noqa: F401  (tables must be known to Flask-Migrate)
    from .access import init_access
    from .audit import name_account_actions
    from .cli import users_cli
    from .views import bp

    init_access(app)
    name_account_actions()
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
