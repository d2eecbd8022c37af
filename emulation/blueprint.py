"""The blueprint every page of the campaign's domain registers on (its sub-packages' pages
too, so that their endpoints stay ``emulation.*``), and what those pages share: the campaign
a page is about."""
import sqlalchemy as sa
from flask import Blueprint, abort, request

from extensions import db

from .models import Campaign
from .scoring.progress import current_campaign

bp = Blueprint("emulation", __name__)


def requested_campaign() -> tuple[Campaign | None, list[Campaign]]:
    """The campaign that ``?campaign=`` names (404 when unknown), else the current one; and
    every campaign, latest first, to choose from."""
    code = request.args.get("campaign")
    campaigns = db.session.scalars(sa.select(Campaign).order_by(Campaign.starts_on.desc())).all()
    if not code:
        return current_campaign(), campaigns
    campaign = next((c for c in campaigns if c.code == code), None)
    if campaign is None:
        abort(404)
    return campaign, campaigns
