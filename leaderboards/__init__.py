"""Leaderboards: the boards ranked from the stored scores (SPEC §3), their periods, their
publications (frozen copies the public pages show), the public pages and their share images.

``boards`` (a board as rows, from the score tables), ``periods`` (boards of a month, quarter or
year), ``publishing`` and ``schedule`` (publications, the nightly work), ``public`` (what the
public pages read of a publication), ``home`` (the home page: a campaign at a glance),
``improved`` (the published "most improved" boards), ``share`` (share images), ``sharing`` (share links, QR
codes), ``views`` and ``home_views``, ``cli``.

May import: ``emulation`` (its models, scoring, privacy, progress, clock), ``accounts``,
``web``, ``extensions``; not ``badges`` or ``api``."""


def register(app) -> None:
    """Attach the package's pages and command-line groups to ``app``; publish the demo's weeks
    once it is loaded."""
    from emulation.demo.province import demo_loaded

    from . import models  # noqa: F401  (tables must be known to Flask-Migrate)
    from .cli import leaderboard_cli, scheduler_cli
    from .home import public_campaigns
    from .home_views import bp
    from .schedule import publish_demo_weeks
    from .sharing import qr_svg, share_links

    app.register_blueprint(bp)
    app.jinja_env.globals.update(share_links=share_links, qr_svg=qr_svg, public_campaigns=public_campaigns)

    app.cli.add_command(leaderboard_cli)
    app.cli.add_command(scheduler_cli)
    demo_loaded.connect(publish_demo_weeks)
