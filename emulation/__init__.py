"""The campaign's domain: units, households, people, skills, the events that score, campaigns.

Owns, at the bottom of the package: ``models`` (the tables), ``campaigns`` (campaign files
and their rules), ``clock`` (the province's "today"), ``labels`` (the domain's words in the
UI), ``directory`` (what the staff pages show of a unit, a person, a household),
``privacy`` (what public pages may show of a person) and ``bulk`` (the set-based writers).
Above them, one sub-package per room of the domain:

- ``scoring``: the scores of SPEC §3 (``scores``), progress against the targets, overview;
- ``imports``: reading CSV/XLSX files, the per-file rules, upload jobs, their pages;
- ``commendation``: Home Affairs' nominee lists, progress reports, their official documents;
- ``demo``: the demo province.

The pages of the domain itself (home, dashboard, units, people, households, campaigns) are
``views``, ``unit_views`` and ``campaign_views``; every page of the package and its
sub-packages registers on the one blueprint of ``blueprint`` (endpoints ``emulation.*``).

May import: ``web``, ``accounts``, ``extensions``, ``config``; never ``leaderboards``,
``badges`` or ``api`` (they build on this package). Inside it, the bottom modules import no
sub-package; ``scoring`` imports none of the others; ``imports`` and ``commendation`` import
``scoring`` and not each other; ``demo`` imports ``imports`` (tests/test_layout.py).
"""


def register(app) -> None:
    """Attach the package's pages (its sub-packages' too) and command-line groups to ``app``."""
    from . import models  # noqa: F401  (tables must be known to Flask-Migrate)
    # Every module with pages registers them on the blueprint when imported.
    from . import campaign_views, unit_views, views  # noqa: F401
    from .blueprint import bp
    from .cli import campaign_cli
    from .commendation import nominee_views, report_views  # noqa: F401
    from .commendation.cli import nominees_cli, reports_cli
    from .demo.cli import demo_cli
    from .imports import views as import_views  # noqa: F401
    from .imports.cli import import_command
    from .labels import register_labels
    from .scoring.cli import scores_cli

    register_labels(app)
    app.register_blueprint(bp)
    for command in (import_command, campaign_cli, demo_cli, scores_cli, nominees_cli, reports_cli):
        app.cli.add_command(command)
