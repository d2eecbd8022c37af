"""The public home page and the "most improved" boards (views only: ``home`` and
``improved`` compute), on the leaderboards blueprint."""
from pathlib import Path

from flask import abort, current_app, render_template, request, send_file

from accounts.access import public
from web.params import cursor_arg

from . import improved
from . import public as boards
from .boards import BOARDS
from .home import home_page, home_bracket, public_campaigns
from .share import gains_content_for, share_png
from .views import bp, cached_for_visitors, public_campaign


@bp.get("/")
@public
def home():
    """The campaign at a glance: its targets, the top of each board, the most improved of
    the week, and what a visitor can do here."""
    campaign = public_campaign()
    publication = boards.latest_publication(campaign) if campaign else None
    return cached_for_visitors((campaign.id if campaign else None, publication.id if publication else None),
                   lambda: render_template("leaderboards/home.html", home=home_page(campaign)))


def _improved_choice():
    campaign = public_campaign()
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
    return cached_for_visitors((publication.id if publication else None,), render)


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
