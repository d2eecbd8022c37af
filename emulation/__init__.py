"""The campaign's domain: units, households, people, skills, events, campaigns, imports."""


def register(app) -> None:
    """Attach the package's blueprint and command-line groups to ``app``."""
    from . import models  # noqa: F401  (tables must be known to Flask-Migrate)
    from .cli import campaign_cli, demo_cli, import_command, nominees_cli, reports_cli, scores_cli
    from .labels import register_labels
    from .views import bp

    register_labels(app)
    app.register_blueprint(bp)
    app.cli.add_command(import_command)
    app.cli.add_command(campaign_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(scores_cli)
    app.cli.add_command(nominees_cli)
    app.cli.add_command(reports_cli)
