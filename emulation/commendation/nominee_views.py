"""Nominee list pages (Home Affairs staff and administrators): the versions of a campaign's
list, a new draft, the review of a draft (exclude or add an entry with a reason), freezing,
re-deriving and the downloads. Every step is in the audit log (emulation/commendation/nominees.py)."""
import io

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.access import ADMIN, allow
from accounts.audit import note_read
from accounts.models import HOME_AFFAIRS
from emulation.blueprint import bp, requested_campaign
from emulation.clock import province_today
from emulation.models import Campaign, NomineeList
from extensions import db
from web.forms import PlainForm

from . import nominees
from .forms import NomineeChangeForm, NomineeGenerateForm
from .nominee_exports import FORMATS, export

REVIEWERS = (ADMIN, HOME_AFFAIRS)


def _list_or_404(list_id: int) -> NomineeList:
    lst = db.session.get(NomineeList, list_id)
    if lst is None:
        abort(404)
    return lst


@bp.route("/nominees", methods=["GET", "POST"])
@allow(*REVIEWERS)
def nominee_lists():
    """The versions of a campaign's list, and a new draft."""
    campaign, campaigns = requested_campaign()
    form = NomineeGenerateForm()
    if campaign is not None and form.validate_on_submit():
        try:
            lst = nominees.generate(campaign, form.as_of.data or province_today(), actor=current_user.email)
        except nominees.NomineeError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("Version %(version)s generated as a draft.", version=lst.version), "ok")
            return redirect(url_for("emulation.nominee_list", list_id=lst.id), 303)
    lists = db.session.scalars(sa.select(NomineeList).where(NomineeList.campaign_id == campaign.id)
                               .order_by(NomineeList.version.desc())).all() if campaign else []
    return render_template("emulation/commendation/nominees.html", campaign=campaign, campaigns=campaigns, lists=lists,
                           form=form), 400 if form.errors else 200


@bp.route("/nominees/<int:list_id>", methods=["GET", "POST"])
@allow(*REVIEWERS)
def nominee_list(list_id):
    """A list: its entries by section; on a draft, the reviewers' decisions."""
    lst = _list_or_404(list_id)
    form = NomineeChangeForm()
    problem = None
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                nominees.decide(lst, form.action.data, form.section.data, form.code.data, form.reason.data,
                                actor=current_user.email)
            except nominees.NomineeError as exc:
                db.session.rollback()
                problem = str(exc)
            else:
                flash(_("Entry excluded; the next in line moved up.") if form.action.data == "exclude"
                      else _("Entry added."), "ok")
                return redirect(url_for("emulation.nominee_list", list_id=lst.id), 303)
        lst = _list_or_404(list_id)
    return _page(lst, form, problem=problem), 400 if (form.errors or problem) else 200


def _page(lst: NomineeList, form, problem=None, rederived=None):
    campaign = db.session.get(Campaign, lst.campaign_id)
    entries = nominees.entries_of(lst)
    return render_template("emulation/commendation/nominee_list.html", lst=lst, campaign=campaign, entries=entries,
                           sections=nominees.SECTIONS, changes=nominees.changes_of(lst), form=form,
                           problem=problem, rederived=rederived, formats=FORMATS)


@bp.post("/nominees/<int:list_id>/freeze")
@allow(*REVIEWERS)
def nominee_freeze(list_id):
    lst = _list_or_404(list_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        nominees.freeze(lst, actor=current_user.email)
    except nominees.NomineeError as exc:
        flash(str(exc), "error")
    else:
        flash(_("The list is frozen: it will never change."), "ok")
    return redirect(url_for("emulation.nominee_list", list_id=list_id), 303)


@bp.post("/nominees/<int:list_id>/rederive")
@allow(*REVIEWERS)
def nominee_rederive(list_id):
    """Derive the list again from its rules, date and decisions on today's data."""
    lst = _list_or_404(list_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    result = nominees.rederive(lst, actor=current_user.email)
    return _page(_list_or_404(list_id), NomineeChangeForm(formdata=None), rederived=result)


@bp.get("/nominees/<int:list_id>.<fmt>")
@allow(*REVIEWERS)
def nominee_download(list_id, fmt):
    if fmt not in FORMATS:
        abort(404)
    lst = _list_or_404(list_id)
    campaign = db.session.get(Campaign, lst.campaign_id)
    data = export(fmt, campaign, lst, nominees.entries_of(lst))
    # Recorded apart from this read, which never fails for its note (accounts/audit.py).
    note_read(actor=current_user.email, action="nominees.download", target=f"{lst.campaign_id}:v{lst.version}",
              details={"list": lst.id, "format": fmt})
    name = f"danh-sach-de-nghi-khen-thuong-{campaign.code}-v{lst.version}.{fmt}"
    response = send_file(io.BytesIO(data), mimetype=FORMATS[fmt][0], as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response
