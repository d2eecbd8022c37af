"""The dashboard (the public home page is the leaderboards'). Views stay thin: services compute, templates show."""
from flask import render_template

from accounts.access import SIGNED_IN, allow, scope_path
from emulation.scoring.overview import province_overview
from emulation.scoring.progress import campaign_progress

from .blueprint import bp, requested_campaign


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

