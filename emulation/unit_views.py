"""Staff pages: the unit tree (scoped to a manager's subtree), a unit's people and
households, a person's page and a household's page."""
from flask import abort, redirect, render_template, request, url_for

from accounts.access import STAFF, allow, in_scope, require_unit_in_scope, scope_path
from web import page_arg

from . import directory
from .progress import current_campaign, person_score
from .views import bp


@bp.get("/units")
@allow(*STAFF)
def units():
    tops = directory.roots(scope_path())
    if len(tops) == 1:
        return redirect(url_for("emulation.unit", code=tops[0].code))
    return render_template("emulation/units.html", tops=tops)


@bp.get("/units/<code>")
@allow(*STAFF)
def unit(code):
    u = directory.unit_by_code(code)
    if u is None:
        abort(404)
    require_unit_in_scope(u)
    page = page_arg()
    search = request.args.get("q", "").strip()[:100]
    return render_template(
        "emulation/unit.html", unit=u, trail=[(a, in_scope(a)) for a in directory.ancestors(u)],
        children=directory.children(u), registered=directory.registered_by_group(u),
        people=directory.people_of(u, page, search), households=directory.households_of(u, page_arg("hpage")), search=search)


@bp.get("/people/<external_id>")
@allow(*STAFF)
def person(external_id):
    p = directory.person_by_external_id(external_id)
    if p is None:
        abort(404)
    require_unit_in_scope(p.unit)
    campaign = current_campaign()
    mentors, mentees = directory.mentorships_of(p)
    return render_template(
        "emulation/person.html", person=p, campaign=campaign,
        score=person_score(campaign, p.id) if campaign else None,
        completions=directory.completions_of(p), activities=directory.activities_of(p),
        mentors=mentors, mentees=mentees)


@bp.get("/households/<code>")
@allow(*STAFF)
def household(code):
    h = directory.household_by_code(code)
    if h is None:
        abort(404)
    require_unit_in_scope(h.unit)
    return render_template("emulation/household.html", household=h, members=directory.members_of(h))
