"""Campaign pages: the rules shown to every signed-in person, edited by administrators."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.access import ADMIN, SIGNED_IN, allow
from extensions import db
from web.forms import PlainForm

from .blueprint import bp
from .campaigns import (CampaignError, edited_campaign_file, load_campaign, parse_campaign, problems_by_field,
                        rule_fields)
from .forms import CampaignForm
from .labels import ACTIVITY_NAMES, GROUP_NAMES, UNIT_KIND_NAMES
from .models import Campaign

# The rules form: each section of the file, and each rule's label.
RULE_SECTIONS = (
    ("campaign", _l("The campaign"), ("name", "starts_on", "ends_on", "groups")),
    ("targets", _l("Targets"), ("targets.",)),
    ("points", _l("Points"), ("mentee_points", "activity_points.")),
    ("badges", _l("Badges"), ("badges.",)),
    ("nominees", _l("Nominee lists"), ("nominees.",)),
    ("publication", _l("Weekly publication"), ("publication.",)),
)
RULE_LABELS = {
    "name": _l("Name"), "starts_on": _l("First day"), "ends_on": _l("Last day"), "groups": _l("Target groups"),
    "targets.certified": _l("Adults universalized (head count)"),
    "mentee_points": _l("Points per universalized mentee"),
    "badges.ambassador_mentees": _l("Digital ambassador: universalized mentees needed"),
    "badges.pioneer_days": _l("Pioneer party member: universalized within this many days of the start"),
    "nominees.collective_brackets": _l("Brackets of the collective nominees"),
    "nominees.collectives_per_bracket": _l("Collective nominees per bracket"),
    "nominees.individual_min_mentees": _l("Individual nominees: universalized mentees needed"),
    "nominees.individuals_max": _l("Individual nominees: at most"),
    "nominees.families_per_commune": _l("Family nominees per commune or ward"),
    "publication.weekday": _l("Day of the week"),
    "publication.hour": _l("Hour (0 to 23)"),
}
WEEKDAY_NAMES = {"mon": _l("Monday"), "tue": _l("Tuesday"), "wed": _l("Wednesday"), "thu": _l("Thursday"),
                 "fri": _l("Friday"), "sat": _l("Saturday"), "sun": _l("Sunday")}
AWARD_SECTIONS = {"collective": _l("collectives"), "individual": _l("individuals"), "family": _l("families")}


def rule_label(path: str) -> str:
    if path in RULE_LABELS:
        return str(RULE_LABELS[path])
    head, _dot, key = path.rpartition(".")
    if head == "targets":
        return _("Target: %(group)s (a share, 0 to 1)", group=GROUP_NAMES.get(key, key))
    if head == "activity_points":
        return _("Points: %(activity)s", activity=ACTIVITY_NAMES.get(key, key))
    if head == "badges.unit_tiers":
        return _("Unit badge, tier %(tier)s: coverage (0 to 1)", tier=key)
    if head == "badges.tier_colours":
        return _("Colour of tier %(tier)s (#RRGGBB)", tier=key)
    if head == "badges.names":
        return _("Name of the badge \"%(badge)s\"", badge=key)
    if head == "nominees.award_forms":
        return _("Form of award for %(section)s", section=AWARD_SECTIONS.get(key, key))
    return path


def choice_label(path: str, choice: str) -> str:
    names = {"groups": GROUP_NAMES, "nominees.collective_brackets": UNIT_KIND_NAMES,
             "publication.weekday": WEEKDAY_NAMES}[path]
    return str(names.get(choice, choice))


def rule_sections(fields) -> list[tuple[str, str, list]]:
    """The fields in the form's sections, in order."""
    out = []
    for key, title, starts in RULE_SECTIONS:
        members = [f for f in fields if f.path in starts or any(s.endswith(".") and f.path.startswith(s)
                                                                 for s in starts)]
        out.append((key, str(title), members))
    return out


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


def _render_campaign(campaign: Campaign, form, problems=(), rules_form=None, shown=None, at=None, rest=()):
    fields = rule_fields(campaign.rules)
    return render_template(
        "emulation/campaign.html", campaign=campaign, form=form, problems=problems,
        rules_form=rules_form, sections=rule_sections(fields), rule_label=rule_label, choice_label=choice_label,
        shown=shown, rule_errors=at or {}, rule_problems=rest,
    ), 400 if problems or at or rest else 200


@bp.route("/campaigns/<code>", methods=["GET", "POST"])
@allow(*SIGNED_IN)
def campaign(code):
    campaign = _campaign_or_404(code)
    form = CampaignForm(data={"toml": campaign.source_toml}) if current_user.role == ADMIN else None
    saved, problems = _submitted(form, code)
    if saved is not None:
        return redirect(url_for("emulation.campaign", code=code), 303)
    return _render_campaign(campaign, form, problems, PlainForm() if current_user.role == ADMIN else None)


@bp.post("/campaigns/<code>/rules")
@allow(ADMIN)
def campaign_rules(code):
    """The rules form: each rule a field; the campaign file is written again with the
    values that changed (its comments and layout kept) and loaded as any file is (the same
    rules, the same audit entry)."""
    campaign = _campaign_or_404(code)
    rules_form = PlainForm()
    if not rules_form.validate_on_submit():  # (a missing CSRF token is refused before this)
        abort(400)
    fields = rule_fields(campaign.rules)
    text = edited_campaign_file(campaign.source_toml, campaign.rules, request.form)
    if text == campaign.source_toml.removeprefix("\ufeff"):
        flash(_("Nothing changed."), "ok")
        return redirect(url_for("emulation.campaign", code=code), 303)
    try:
        load_campaign(text, actor=current_user.email)
    except CampaignError as exc:
        db.session.rollback()
        at, rest = problems_by_field(fields, exc.messages)
        shown = {f.path: (request.form.getlist(f.path) if f.kind == "choices" else request.form.get(f.path, ""))
                 for f in fields}
        return _render_campaign(campaign, CampaignForm(data={"toml": campaign.source_toml}), (), rules_form,
                                shown, at, rest)
    flash(_("Campaign %(code)s updated: %(name)s", code=campaign.code, name=campaign.name), "ok")
    return redirect(url_for("emulation.campaign", code=code), 303)
