"""Badge pages and Open Badges 2.0 documents (all public, no sign-in): the issuer, each
badge class (JSON and image), each assertion (JSON, and its PNG baked with it), the page
that verifies a badge by id or by its PNG, and the progress page a personal code opens."""
import json
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from accounts.access import public
from emulation.clock import as_date
from emulation.models import Campaign
from extensions import db
from web.formatting import format_day, format_pct
from web.limits import rate_limited
from web.urls import external_url, site_url

from . import records
from .awarding import display_code, revocation_reason
from .classes import badge_classes
from .forms import VerifyUploadForm
from .images import BadgeArt, NotAPng, UnreadableBadge, baked_file, image_file, read_baked
from .models import Award
from .openbadges import assertion_document, badge_class_document, issuer_document
from .progress import progress_page

bp = Blueprint("badges", __name__)
JSON_LD = "application/ld+json"


def _images_dir() -> Path:
    return Path(current_app.config.get("BADGE_IMAGES_DIR") or Path(current_app.instance_path) / "badges")


def _document(doc: dict, status: int = 200):
    response = current_app.response_class(json.dumps(doc, ensure_ascii=False, indent=1), status=status,
                                          mimetype=JSON_LD)
    response.headers["Access-Control-Allow-Origin"] = "*"  # backpacks and validators fetch these
    return response


def _campaign_or_404(code: str) -> Campaign:
    campaign = db.session.scalar(db.select(Campaign).where(Campaign.code == code))
    if campaign is None:
        abort(404)
    return campaign


def _award_or_404(award_id: str) -> Award:
    award = records.award_by_id(award_id)
    if award is None:
        abort(404)
    return award


def _class_or_404(campaign: Campaign, code: str):
    badge = badge_classes(campaign).get(code)
    if badge is None:
        abort(404)
    return badge


def criteria_text(campaign: Campaign, badge) -> str:
    """What earns the badge, in words (the BadgeClass's description and criteria)."""
    name = campaign.name
    if badge.rule == "universalized":
        return _("Completed every digital skill required for their target group during %(campaign)s.", campaign=name)
    if badge.rule == "mentees":
        return _("Mentored at least %(n)s people who completed every required digital skill during %(campaign)s.",
                 n=int(badge.threshold), campaign=name)
    if badge.rule == "pioneer":
        return _("Party member who completed every required digital skill within the first %(n)s days of "
                 "%(campaign)s.", n=int(badge.threshold), campaign=name)
    if badge.rule == "identity":
        return _("Activated a level 2 VNeID electronic identity during %(campaign)s.", campaign=name)
    if badge.rule == "digital_family":
        return _("A digital family of %(campaign)s: a member with every required digital skill, and the others "
                 "learning.", campaign=name)
    return _("A unit where at least %(share)s of the people of the target groups completed every required digital "
             "skill during %(campaign)s.", share=format_pct(badge.threshold, 0), campaign=name)


def _heading(campaign: Campaign) -> str:
    return _("Digital literacy for all %(year)s", year=as_date(campaign.starts_on).year)


def household_label(head: str, code: str) -> str:
    return _("Family of %(name)s", name=head) if head else _("Household %(code)s", code=code)


def recipient_art(award: Award, campaign: Campaign, badge):
    """The badge's picture and its recipient. Names are masked as of the award's date (the
    day the badge speaks of: a badge earned at 15 keeps the initials of a child, and the
    assertion, its image and the verification page always agree)."""
    who = records.recipient(award.recipient_type, award.recipient_id, as_date(award.awarded_on), household_label)
    code = who.progress_code if who else None
    art = BadgeArt(badge.name, badge.colour, _heading(campaign), who.label if who else "",
                   _("on %(day)s", day=format_day(as_date(award.awarded_on))),
                   code=_("Code %(code)s", code=display_code(code)) if code else "")
    return art, who


def _identity_url(who) -> str:
    """The URL that identifies the recipient (hashed into the assertion)."""
    if who.type == "unit":
        return external_url("leaderboards.board", board="units", find=who.key)
    return external_url("badges.progress", code=who.progress_code or "-")


def assertion_for(award: Award) -> tuple[dict, BadgeArt]:
    campaign = db.session.get(Campaign, award.campaign_id)
    badge = badge_classes(campaign).get(award.badge)
    if badge is None:  # a class the campaign no longer has: its awards are revoked
        abort(410)
    art, who = recipient_art(award, campaign, badge)
    if who is None:
        abort(410)
    doc = assertion_document(
        id=external_url("badges.assertion", award_id=award.id),
        badge=external_url("badges.badge_class", campaign=campaign.code, code=badge.code),
        image=external_url("badges.assertion_image", award_id=award.id),
        identity=_identity_url(who), salt=award.salt, issued_at=award.issued_at,
        narrative=(_("%(badge)s: a pupil of %(unit)s, %(day)s.", badge=badge.name, unit=who.unit_name,
                     day=art.day) if who.hidden else
                   _("%(badge)s: %(who)s (%(unit)s), %(day)s.", badge=badge.name, who=who.label,
                     unit=who.unit_name, day=art.day)),
        revoked_reason=revocation_reason(award))
    return doc, art


@bp.get("/badges/issuer")
@public
def issuer():
    """The issuer's Open Badges Profile."""
    config = current_app.config
    return _document(issuer_document(
        id=external_url("badges.issuer"), name=config["BADGE_ISSUER_NAME"],
        url=config.get("BADGE_ISSUER_URL") or external_url("leaderboards.home"),
        email=config.get("BADGE_ISSUER_EMAIL") or f"no-reply@{urlsplit(site_url()).hostname}"))


@bp.get("/badges/classes/<campaign>/<code>")
@public
def badge_class(campaign, code):
    """A BadgeClass (Open Badges 2.0)."""
    c = _campaign_or_404(campaign)
    badge = _class_or_404(c, code)
    text = criteria_text(c, badge)
    return _document(badge_class_document(
        id=external_url("badges.badge_class", campaign=c.code, code=badge.code), name=badge.name,
        description=text, image=external_url("badges.class_image", campaign=c.code, code=badge.code),
        criteria_url=external_url("badges.verify"), criteria=text,
        issuer=external_url("badges.issuer"), tags=[c.code, badge.recipient]))


@bp.get("/badges/classes/<campaign>/<code>.png")
@public
def class_image(campaign, code):
    """A badge class's image (the tier's colour, the name)."""
    c = _campaign_or_404(campaign)
    badge = _class_or_404(c, code)
    art = BadgeArt(badge.name, badge.colour, _heading(c), footer=_("Lai Châu province"))
    path = image_file(art, _images_dir())
    return send_file(path, mimetype="image/png", etag=art.digest(), max_age=3600, conditional=True)


@bp.get("/badges/assertions/<string(length=32):award_id>")
@public
def assertion(award_id):
    """An assertion; a revoked one answers 410 with ``revoked: true``."""
    award = _award_or_404(award_id)
    doc, _art = assertion_for(award)
    return _document(doc, 410 if award.revoked_on else 200)


@bp.get("/badges/assertions/<string(length=32):award_id>.png")
@public
def assertion_image(award_id):
    """The recipient's copy of the badge, baked with its assertion."""
    award = _award_or_404(award_id)
    if award.revoked_on:
        abort(410)
    doc, art = assertion_for(award)
    path = baked_file(art, doc, _images_dir())
    return send_file(path, mimetype="image/png", max_age=600, conditional=True,
                     download_name=f"{award.badge}-{award.id[:8]}.png")


@bp.route("/badges/verify", methods=["GET", "POST"])
@public
@rate_limited("verify", "LOOKUPS_PER_MINUTE")
def verify():
    """Anyone checks a badge: by its id (or its assertion's URL), or by its PNG."""
    form = VerifyUploadForm()
    wanted = request.args.get("id", "").strip()[:200]
    problem, found = None, None
    if form.validate_on_submit():
        try:
            text = read_baked(form.file.data.read())
        except NotAPng:
            text, problem = None, _("This file is not a PNG image.")
        except UnreadableBadge:
            text, problem = None, _("The image carries no badge this site can read.")
        if text is not None:
            try:
                wanted = str(json.loads(text).get("id", ""))[:200]
            except (ValueError, AttributeError, RecursionError):  # RecursionError: nested too deep
                problem = _("The image carries no badge this site can read.")
        elif problem is None:
            problem = _("The image carries no badge: it was not downloaded from a badge page, or it was edited.")
    if wanted and problem is None:
        award = records.award_by_id(wanted.rstrip("/").rsplit("/", 1)[-1].removesuffix(".png"))
        if award is None:
            problem = _("No badge with this id was issued here.")
        else:
            campaign = db.session.get(Campaign, award.campaign_id)
            badge = badge_classes(campaign).get(award.badge)
            art, who = recipient_art(award, campaign, badge) if badge else (None, None)
            found = dict(award=award, campaign=campaign, badge=badge, who=who, art=art,
                         reason=revocation_reason(award))
    status = 200 if not (form.errors or (problem and request.method == "POST")) else 400
    return render_template("badges/verify.html", form=form, wanted=wanted, problem=problem, found=found), status


@bp.get("/p")
@public
@rate_limited("progress", "LOOKUPS_PER_MINUTE")
def progress_lookup():
    """Where someone types the personal code printed with their badge."""
    typed = request.args.get("code", "").strip()[:40]
    if typed:
        opened = records.opened_by(typed)
        if opened is not None:
            return redirect(url_for("badges.progress", code=opened.code))
    return render_template("badges/progress_lookup.html", typed=typed), 404 if typed else 200


@bp.get("/p/<code>")
@public
@rate_limited("progress", "LOOKUPS_PER_MINUTE")
def progress(code):
    """A person's or a household's public progress page, opened by their personal code."""
    opened = records.opened_by(code)
    if opened is None:
        abort(404)
    page = progress_page(opened, household_label)
    if page is None:
        abort(404)
    return render_template("badges/progress.html", page=page, code=opened.code)


def unit_badges_for(campaign: Campaign, rows) -> dict:
    """For the public units board (a Jinja global): unit code → the badge classes it holds."""
    if campaign is None or not rows:
        return {}
    classes = badge_classes(campaign)
    held = records.unit_badges(campaign, [r.key for r in rows])
    return {code: [classes[b] for b in badges if b in classes] for code, badges in held.items()}


def progress_code_for(recipient_type: str, recipient_id: int) -> str | None:
    """For staff pages (a Jinja global): the personal code to print for a person or household."""
    code = records.progress_code_of(recipient_type, recipient_id)
    return display_code(code) if code else None
