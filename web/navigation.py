"""The menu every page shows: the pages the signed-in person may open, and the link to
this page in the other language."""
from urllib.parse import urlencode

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l

# (endpoint, label): shown to whoever the endpoint's own access declaration admits.
NAVIGATION = (
    ("leaderboards.board", _l("Leaderboards")),
    ("badges.progress_lookup", _l("My progress")),
    ("badges.verify", _l("Verify a badge")),
    ("emulation.dashboard", _l("Dashboard")),
    ("emulation.units", _l("Units")),
    ("emulation.imports", _l("Import data")),
    ("emulation.campaigns", _l("Campaigns")),
    ("emulation.nominee_lists", _l("Nominee lists")),
    ("emulation.reports", _l("Progress reports")),
    ("accounts.audit_log", _l("Audit log")),
    ("accounts.users", _l("Accounts")),
    ("accounts.tokens", _l("API tokens")),
)


def navigation() -> list[tuple[str, str, bool]]:
    """(url, label, is_current) of the pages the signed-in person may open: those whose view
    ``app.extensions["may_open"]`` admits (accounts.access registers it; without it, none)."""
    may_open = current_app.extensions.get("may_open")
    items = []
    for endpoint, label in NAVIGATION:
        view = current_app.view_functions.get(endpoint)
        if view is None or may_open is None or not may_open(view):
            continue
        items.append((url_for(endpoint), str(label), request.endpoint == endpoint))
    return items


def language_url(language: str) -> str:
    """This page in ``language``: a link relative to the page (its path kept) with the
    page's own parameters, ``lang`` replaced."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return "?" + urlencode([*args, ("lang", language)])
