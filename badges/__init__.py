"""Badges (SPEC §4): badge classes from the campaign's rules, the awarder, images, Open
Badges 2.0 documents and baking, the verification page and the public progress pages.

May import: ``leaderboards`` (a publication's boards on the progress page), ``emulation``,
``accounts``, ``web``, ``extensions``; not ``api``."""


def register(app) -> None:
    """Attach the package's pages and command-line group to ``app``; award after scores change."""
    from emulation.scoring.scores import scores_updated
    from leaderboards.publishing import boards_published

    from . import models  # noqa: F401  (tables must be known to Flask-Migrate)
    from .awarding import award_after_scores
    from .boards import classes_by_code, freeze_board_badges
    from .cli import badges_cli
    from .views import bp, progress_code_for, unit_badges_for

    app.register_blueprint(bp)
    # The public units board shows each unit's badges on its entry; the staff pages of a
    # person or household show the personal code to print with their badges.
    app.jinja_env.globals.update(unit_badges=unit_badges_for, progress_code_for=progress_code_for,
                                 board_badge_classes=classes_by_code)
    app.cli.add_command(badges_cli)
    scores_updated.connect(award_after_scores)
    # A publication's entries keep the badges held on its date.
    boards_published.connect(freeze_board_badges)
