"""Staff pages: the unit tree (scoped to a manager's subtree), a unit's people and
households, a person's page and a household's page, and a school's switch that keeps its
pupils off the public pages."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.access import EDITORS, STAFF, allow, in_scope, require_person_in_scope, require_unit_in_scope, scope_path
from emulation.scoring.progress import current_campaign, gaps, person_score, unit_tree
from web.params import page_arg

from . import directory
from .blueprint import bp, requested_campaign
from .forms import PupilsForm
from .privacy import NotASchool, set_pupils_hidden


@bp.get("/units")
@allow(*STAFF)
def units():
    """The unit tree a person may browse (the province, or a manager's subtree), two levels
    below its top, each unit with its coverage."""
    campaign, campaigns = requested_campaign()
    rows, updating = unit_tree(campaign, scope_path()) if campaign else ([], False)
    return render_template("emulation/units.html", rows=rows, campaign=campaign, campaigns=campaigns,
                           updating=updating, gaps=gaps, tops=directory.roots(scope_path()))


def _unit_in_scope(code: str):
    """The unit of that code: 404 when there is none, 403 outside the person's subtree."""
    u = directory.unit_by_code(code)
    if u is None:
        abort(404)
    require_unit_in_scope(u)
    return u


@bp.get("/units/<code>")
@allow(*STAFF)
def unit(code):
    """A unit's page: its coverage by target group (the groups furthest from their target
    first), its sub-units' coverage, a search of the people of its whole subtree, then the
    people and households registered with the unit itself."""
    u = _unit_in_scope(code)
    search = request.args.get("q", "").strip()[:100]
    page, people_page, households_page = page_arg(), page_arg("ppage"), page_arg("hpage")  # checked at the edge
    campaign, campaigns = requested_campaign()
    tree, updating = unit_tree(campaign, u.path, levels=1) if campaign else ([], False)
    return render_template(
        "emulation/unit.html", unit=u, trail=[(a, in_scope(a)) for a in directory.ancestors(u)],
        campaign=campaign, campaigns=campaigns, updating=updating, figures=tree[0].unit if tree else None,
        below=tree[1:], gaps=gaps, registered=directory.registered_by_group(u),
        found=directory.find_people(u, search, page, scope_path()) if search else None,
        people=directory.people_of(u, people_page), households=directory.households_of(u, households_page),
        search=search, scope=scope_path() or "",
        pupils_form=PupilsForm() if u.kind == "school" and current_user.role in EDITORS else None)


@bp.post("/units/<code>/pupils")
@allow(*EDITORS)
def unit_pupils(code):
    """A school keeps its pupils off the public pages, or shows them again (an
    administrator, or a manager whose subtree holds the school)."""
    u = _unit_in_scope(code)
    form = PupilsForm()
    if not form.validate_on_submit():
        abort(400)
    hide = form.hide.data == "1"
    try:
        set_pupils_hidden(u, hide, actor=current_user.email)
    except NotASchool:
        abort(400)
    flash(_("The pupils of %(unit)s are now kept off the public pages.", unit=u.name) if hide else
          _("The pupils of %(unit)s are shown again on the public pages (as initials with their class).",
            unit=u.name), "ok")
    return redirect(url_for("emulation.unit", code=u.code), 303)


@bp.get("/people/<external_id>")
@allow(*STAFF)
def person(external_id):
    p = directory.person_by_external_id(external_id)
    if p is None:
        abort(404)
    require_person_in_scope(p)
    campaign = current_campaign()
    mentors, mentees = directory.mentorships_of(p, scope_path())
    return render_template(
        "emulation/person.html", person=p, campaign=campaign,
        score=person_score(campaign, p.id) if campaign else None,
        completions=directory.completions_of(p), activities=directory.activities_of(p),
        mentors=mentors, mentees=mentees, household_visible=p.household is not None and in_scope(p.household.unit))


@bp.get("/households/<code>")
@allow(*STAFF)
def household(code):
    h = directory.household_by_code(code)
    if h is None:
        abort(404)
    require_unit_in_scope(h.unit)
    return render_template("emulation/household.html", household=h, members=directory.members_of(h, scope_path()))
