"""Public leaderboard pages: the latest publication of each board (no sign-in, no script),
its printable A4 page and its share image."""
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request, send_file, session
from flask_babel import get_locale
from flask_login import current_user

from accounts.access import public
from emulation.models import GROUPS, Campaign, ImportBatch, Unit
from emulation.privacy import hidden_schools
from emulation.scoring.progress import current_campaign
from extensions import db
from web.cache import page_cache
from web.params import cursor_arg, int_arg

from . import finding
from . import public as boards
from .boards import BOARDS
from .models import Publication
from .share import content_for, share_png
from .unit_pages import unit_page

bp = Blueprint("leaderboards", __name__)


@dataclass
class _Choice:
    """The board that the query string asks for."""
    campaign: Campaign | None
    board: str
    publication: Publication | None
    brackets: list
    bracket: str | None
    scope: Unit | None


def _choice() -> _Choice:
    campaign = public_campaign()
    kind = request.args.get("board", "units")
    if kind not in BOARDS:
        abort(404)
    publication = boards.latest_publication(campaign) if campaign else None
    brackets, bracket = [], None
    if publication is not None and kind == "units":
        brackets = boards.brackets(publication)
        bracket = request.args.get("bracket")
        if bracket not in brackets:
            bracket = "commune" if "commune" in brackets else (brackets[0] if brackets else "")
    return _Choice(campaign, kind, publication, brackets, bracket, boards.unit_by_code(request.args.get("commune", "")))


# The imports whose files can change what a publication's pages show (names, communes).
NAMING_KINDS = ("units", "households", "people")


def public_campaign() -> Campaign | None:
    """The campaign the query asks for (404 when unknown), else the current one."""
    code = request.args.get("campaign")
    if not code:
        return current_campaign()
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == code[:64]))
    if campaign is None:
        abort(404)
    return campaign


def cached_for_visitors(key: tuple, render):
    """A public page drawn once per process for visitors (a publication never changes):
    ``key`` holds what the page is drawn from, and here is added what every public page
    also depends on: the query (in any order, empty fields left out: the filters form sends
    them), the language, the latest import of units, households or people (names and
    communes come from them; an import of events changes nothing a publication shows), the
    schools that keep their pupils off the public pages (a switch changes the pages at
    once) and the campaigns (the switcher). Signed-in staff (the menu differs by role) and a
    page with a flash (one visitor's) are drawn for them alone."""
    if current_user.is_authenticated or session.get("_flashes"):
        return render()
    query = tuple(sorted((k, v) for k, v in request.args.items(multi=True) if v))
    names = db.session.scalar(sa.select(sa.func.max(ImportBatch.id)).where(ImportBatch.kind.in_(NAMING_KINDS)))
    campaigns = tuple(db.session.execute(sa.select(Campaign.id, Campaign.updated_at).order_by(Campaign.id)).all())
    full = (request.endpoint, *key, query, str(get_locale()), names, hidden_schools(), campaigns)
    return page_cache().get_or_render(full, render)


@bp.get("/leaderboards")
@public
def board():
    """A published board, a page at a time (``after``/``before``), centred on a code
    (``find``), by bracket and commune; ``print=1`` gives the A4 page."""
    c = _choice()
    context = dict(campaign=c.campaign, board=c.board, publication=c.publication, groups=GROUPS)
    if c.publication is None:
        return render_template("leaderboards/board.html", page=None, **context)
    # A query to find an entry, and which of its matches (``n``), are checked first: a query
    # of nothing but punctuation is a 400 with its message, a bad ``n`` a 400.
    context.update(wanted=request.args.get("find", "").strip()[:finding.MAX_QUERY],
                   pick=int_arg("n", None, minimum=1, maximum=finding.MATCHES))
    if context["wanted"] and not finding.fold(context["wanted"]):
        return _render_board(c, dict(context, unusable=True)), 400
    return cached_for_visitors((c.publication.id,), lambda: _render_board(c, context))


def _render_board(c, context) -> str:
    """The board's page; with a query (``find``), the entries it matches and the one found
    (the ``n``-th match, or the only one) among the five above and below it."""
    search = None
    if context["wanted"] and not context.get("unusable"):
        search = finding.search(c.publication, c.board, context["wanted"], bracket=c.bracket, scope=c.scope,
                                pick=context["pick"])
    if search is not None and search.found is not None:
        page = search.found.page
    else:
        top = search is None and cursor_arg("after") is None and cursor_arg("before") is None
        page = boards.board_page(c.publication, c.board, bracket=c.bracket, scope=c.scope, after=cursor_arg("after"),
                                 before=cursor_arg("before"))
        context["podium"] = [r for r in page.rows if r.rank <= 3][:3] if top else []
    template = "leaderboards/print.html" if request.args.get("print") else "leaderboards/board.html"
    return render_template(template, page=page, brackets=c.brackets, bracket=c.bracket, scope=c.scope,
                           communes=boards.communes(), search=search,
                           found=search.found.row.key if search and search.found else None, **context)


@bp.get("/leaderboards/units/<code>")
@public
def unit(code):
    """A unit's public page on the latest publication: its place, coverage by group, badges
    and its sub-units' board (404 for a unit not on the boards)."""
    campaign = public_campaign()
    publication = boards.latest_publication(campaign) if campaign else None
    page = unit_page(publication, campaign, code[:64]) if publication else None
    if page is None:
        abort(404)
    return render_template("leaderboards/unit.html", campaign=campaign, publication=publication, page=page,
                           board="units", groups=GROUPS)


@bp.get("/leaderboards/share.png")
@public
def share_image():
    """The top entries of a published board as a PNG to post on social networks."""
    c = _choice()
    if c.publication is None:
        abort(404)
    page = boards.board_page(c.publication, c.board, bracket=c.bracket, scope=c.scope)
    content = content_for(c.campaign, c.publication, c.board, c.bracket, c.scope, page.rows)
    path, digest = share_png(content, current_app.config.get("SHARE_IMAGES_DIR")
                             or Path(current_app.instance_path) / "share")
    response = send_file(path, mimetype="image/png", etag=digest, max_age=3600, conditional=True,
                         download_name=f"bang-xep-hang-{c.board}.png")
    return response
