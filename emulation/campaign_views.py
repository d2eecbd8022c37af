"""Campaign pages: the rules shown to every signed-in person, edited by administrators."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.access import ADMIN, SIGNED_IN, allow
from extensions import db

from .blueprint import bp
from .campaigns import CampaignError, load_campaign, parse_campaign
from .forms import CampaignForm
from .models import Campaign


def _campaign_or_404(code: str) -> Campaign:
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == code))
    if campaign is None:
        abort(404)
    return campaign


def _save(form: CampaignForm, code: str | None) -> tuple[Campaign | None, list[str]]:
    """Load the form's TOML; ``code`` (when editing) must stay the campaign's code."""
    try:
        if code is not None and parse_campaign(form.toml.data)["code"] != code:
            return None, [_("The file describes another campaign (its \"code\" is not %(code)s). "
                            "Create new campaigns from the campaigns page.", code=code)]
        campaign, created = load_campaign(form.toml.data, actor=current_user.email)
    except CampaignError as exc:
        db.session.rollback()
        return None, [m.render() for m in exc.messages]
    flash(_("Campaign %(code)s created: %(name)s", code=campaign.code, name=campaign.name) if created
          else _("Campaign %(code)s updated: %(name)s", code=campaign.code, name=campaign.name), "ok")
    return campaign, []


def _submitted(form: CampaignForm | None, code: str | None) -> tuple[Campaign | None, list[str]]:
    """A POST of the campaign form: refused (403) to all but admins; the campaign saved,
    or the problems to show. (None, []) when nothing was submitted or the form is invalid."""
    if request.method != "POST":
        return None, []
    if form is None:
        abort(403)
    if not form.validate_on_submit():
        return None, []
    return _save(form, code)


@bp.route("/campaigns", methods=["GET", "POST"])
@allow(*SIGNED_IN)
def campaigns():
    form = CampaignForm() if current_user.role == ADMIN else None
    campaign, problems = _submitted(form, None)
    if campaign is not None:
        return redirect(url_for("emulation.campaign", code=campaign.code), 303)
    items = db.session.scalars(sa.select(Campaign).order_by(Campaign.starts_on.desc())).all()
    return render_template("emulation/campaigns.html", campaigns=items, form=form,
                           problems=problems), 400 if problems else 200


@bp.route("/campaigns/<code>", methods=["GET", "POST"])
@allow(*SIGNED_IN)
def campaign(code):
    campaign = _campaign_or_404(code)
    form = CampaignForm(data={"toml": campaign.source_toml}) if current_user.role == ADMIN else None
    saved, problems = _submitted(form, code)
    if saved is not None:
        return redirect(url_for("emulation.campaign", code=code), 303)
    return render_template("emulation/campaign.html", campaign=campaign, form=form,
                           problems=problems), 400 if problems else 200
