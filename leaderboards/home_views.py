"""The public home page and the "most improved" boards (views only: ``home`` and
``improved`` compute), on the leaderboards blueprint."""
from pathlib import Path

import sqlalchemy as sa
from flask import abort, current_app, render_template, request, send_file, session
from flask_babel import get_locale
from flask_login import current_user

from accounts.access import public
from emulation.models import Campaign, ImportBatch
from emulation.privacy import hidden_schools
from emulation.scoring.progress import current_campaign
from extensions import db
from web.cache import page_cache
from web.params import cursor_arg

from . import improved
from . import public as boards
from .home import home_page, home_bracket, public_campaigns
from .share import gains_content_for, share_png
from .views import NAMING_KINDS, bp

BOARDS = ("units", "households", "people")


def _campaign() -> Campaign | None:
    """The campaign the query asks for (404 when unknown), else the current one."""
    code = request.args.get("campaign")
    if not code:
        return current_campaign()
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == code[:64]))
    if campaign is None:
        abort(404)
    return campaign


def _cached(key: tuple, render):
    """A public page drawn once per process for visitors (as the boards' pages, see
    views.board): ``key`` holds what the page is drawn from, and here is added what every
    public page also depends on: the query, the language, the latest import of names, the
    schools that hide their pupils and the campaigns (the switcher)."""
    if current_user.is_authenticated or session.get("_flashes"):
        return render()
    query = tuple(sorted((k, v) for k, v in request.args.items(multi=True) if v))
    names = db.session.scalar(sa.select(sa.func.max(ImportBatch.id)).where(ImportBatch.kind.in_(NAMING_KINDS)))
    campaigns = tuple(db.session.execute(sa.select(Campaign.id, Campaign.updated_at).order_by(Campaign.id)).all())
    full = (request.endpoint, *key, query, str(get_locale()), names, hidden_schools(), campaigns)
    return page_cache().get_or_render(full, render)


@bp.get("/")
@public
def home():
    """The campaign at a glance: its targets, the top of each board, the most improved of
    the week, and what a visitor can do here."""
    campaign = _campaign()
    publication = boards.latest_publication(campaign) if campaign else None
    return _cached((campaign.id if campaign else None, publication.id if publication else None),
                   lambda: render_template("leaderboards/home.html", home=home_page(campaign)))


def _improved_choice():
    campaign = _campaign()
    period = request.args.get("period", "week")
    board = request.args.get("board", "units")
    if period not in improved.PERIODS or board not in BOARDS:
        abort(404)
    publication = boards.latest_publication(campaign) if campaign else None
    brackets, bracket = [], None
    if publication is not None and board == "units":
        brackets = boards.brackets(publication)
        bracket = request.args.get("bracket")
        if bracket not in brackets:
            bracket = home_bracket(publication)
    return campaign, publication, period, board, brackets, bracket


@bp.get("/leaderboards/improved")
@public
def improved_board():
    """A "most improved" board of the latest publication: its week or month, by board."""
    campaign, publication, period, board, brackets, bracket = _improved_choice()
    after = cursor_arg("after")

    def render():
        page = improved.gains_page(publication, period, board, bracket=bracket, after=after) if publication else None
        return render_template("leaderboards/improved.html", campaign=campaign, campaigns=public_campaigns(),
                               publication=publication, period=period, board=board, brackets=brackets,
                               bracket=bracket, page=page, after=after,
                               window=improved.window(publication, period) if publication else None)
    return _cached((publication.id if publication else None,), render)


@bp.get("/leaderboards/improved.png")
@public
def improved_share_image():
    """The top of a "most improved" board as a PNG to post on social networks."""
    campaign, publication, period, board, _brackets, bracket = _improved_choice()
    window = improved.window(publication, period) if publication else None
    if window is None:
        abort(404)
    rows = improved.gains_page(publication, period, board, bracket=bracket).rows
    content = gains_content_for(campaign, publication, period, window, board, bracket, rows)
    path, digest = share_png(content, current_app.config.get("SHARE_IMAGES_DIR")
                             or Path(current_app.instance_path) / "share")
    return send_file(path, mimetype="image/png", etag=digest, max_age=3600, conditional=True,
                     download_name=f"tien-bo-nhat-{period}-{board}.png")
