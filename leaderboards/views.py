"""Public leaderboard pages: the latest publication of each board (no sign-in, no script)."""
from flask import Blueprint, abort, render_template, request

from accounts.access import public
from emulation.models import GROUPS, Campaign
from emulation.progress import current_campaign
from extensions import db

from . import public as boards
from .boards import BOARDS

bp = Blueprint("leaderboards", __name__)


def _cursor(name: str):
    """``after``/``before`` parameters: ``RANK:KEY``."""
    value = request.args.get(name, "")
    rank, _, key = value.partition(":")
    return (int(rank), key) if rank.isdigit() and key else None


@bp.get("/leaderboards")
@public
def board():
    """A published board, a page at a time (``after``/``before``), centred on a code
    (``find``), by bracket and commune; ``print=1`` gives the A4 page."""
    code = request.args.get("campaign")
    campaign = db.session.scalar(db.select(Campaign).where(Campaign.code == code)) if code else current_campaign()
    if code and campaign is None:
        abort(404)
    kind = request.args.get("board", "units")
    if kind not in BOARDS:
        abort(404)
    publication = boards.latest_publication(campaign) if campaign else None
    context = dict(campaign=campaign, board=kind, publication=publication, groups=GROUPS)
    if publication is None:
        return render_template("leaderboards/board.html", page=None, **context)
    brackets = boards.brackets(publication) if kind == "units" else []
    bracket = request.args.get("bracket") if kind == "units" else None
    if kind == "units" and bracket not in brackets:
        bracket = "commune" if "commune" in brackets else (brackets[0] if brackets else "")
    scope = boards.unit_by_code(request.args.get("commune", ""))
    found, wanted = None, request.args.get("find", "").strip()[:64]
    if wanted and kind in ("units", "households"):
        result = boards.find(publication, kind, wanted, bracket=bracket, scope=scope)
        page, found = result if result else (None, None)
        if page is None:
            page = boards.board_page(publication, kind, bracket=bracket, scope=scope)
    else:
        page = boards.board_page(publication, kind, bracket=bracket, scope=scope, after=_cursor("after"),
                                 before=_cursor("before"))
    template = "leaderboards/print.html" if request.args.get("print") else "leaderboards/board.html"
    return render_template(template, page=page, brackets=brackets, bracket=bracket, scope=scope,
                           communes=boards.communes(), wanted=wanted, found=found, **context)
