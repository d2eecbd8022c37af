"""Leaderboards: ranking the stored scores (SPEC §3), exports; later publications and pages."""


def register(app) -> None:
    """Attach the package's command-line group to ``app``."""
    from . import models  # noqa: F401  (tables must be known to Flask-Migrate)
    from .cli import leaderboard_cli, scheduler_cli
    from .views import bp

    app.register_blueprint(bp)

    app.cli.add_command(leaderboard_cli)
    app.cli.add_command(scheduler_cli)
