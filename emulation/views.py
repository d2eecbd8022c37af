"""Pages of the emulation package. Views stay thin: services compute, templates show."""
import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request

from accounts.access import SIGNED_IN, allow, public, scope_path
from extensions import db

from .models import Campaign
from .overview import province_overview
from .progress import campaign_progress, current_campaign

bp = Blueprint("emulation", __name__)


@bp.get("/")
@public
def home():
    return render_template("emulation/home.html", overview=province_overview())


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


@bp.get("/dashboard")
@allow(*SIGNED_IN)
def dashboard():
    """Progress against the campaign's targets: by target group, and by commune and ward
    (a manager: their own unit and the units below it)."""
    campaign, campaigns = requested_campaign()
    progress = campaign_progress(campaign, scope_path=scope_path()) if campaign else None
    return render_template("emulation/dashboard.html", campaigns=campaigns, campaign=campaign,
                           progress=progress, overview=province_overview(scope_path()),
                           scoped=scope_path() is not None)


# The package's other pages register on the same blueprint.
from . import campaign_views, import_views, nominee_views, report_views, unit_views  # noqa: E402,F401
