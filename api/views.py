"""Endpoints of the JSON API. Thin: each one reads its parameters, checks the unit scope
and calls the services the pages use. Errors are JSON too: ``{"error": …, "status": …}``."""
import csv
import io

from flask import Blueprint, abort, current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import BadRequest, HTTPException, NotFound

from accounts.access import (EDITORS, SIGNED_IN, STAFF, allow, public, require_person_in_scope, require_unit_in_scope,
                             scope_path)
from emulation.clock import as_date
from emulation.directory import household_by_code, person_by_external_id
from emulation.imports.importers import run_import
from emulation.models import Campaign
from emulation.scoring.progress import current_campaign, household_score, person_score
from extensions import db
from leaderboards import public as boards
from leaderboards.boards import BOARDS
from web.errors import error_headers
from web.limits import rate_limited
from web.params import cursor_arg, int_arg, json_body
from web.urls import site_url

from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_ROWS = 50_000  # per POST of completions; larger files go through the import page
COMPLETION_COLUMNS = ("person_id", "skill_code", "completed_on", "source", "reference")


# The bodies of the errors raised without a description of their own (the access check's 401
# and 403, routing's 404 and 405, the rate limit's 429…): Werkzeug's English text otherwise.
ERROR_TEXTS = {
    400: _l("The request could not be understood."),
    401: _l("A valid API token is needed: send it as the header Authorization: Bearer TOKEN."),
    403: _l("Your account's role or unit does not allow this request."),
    404: _l("Nothing was found at this address."),
    405: _l("This method is not allowed here."),
    413: _l("The request body is too large."),
    415: _l("The request body is of a type this endpoint does not take."),
    429: _l("Too many requests: try again in a minute."),
    500: _l("Something went wrong on our side; the problem has been logged."),
    503: _l("The system is busy: try again in a minute."),
}


def _error_text(exc: HTTPException) -> str:
    """The error's own description, or for Werkzeug's default one ours, in the UI language;
    always ours for a 429 (the rate limit's text is its rule), a 500 and a 503."""
    if exc.code in (429, 500, 503) or exc.description == type(exc).description:
        return str(ERROR_TEXTS.get(exc.code, exc.description))
    return exc.description


def _error(exc: HTTPException):
    response = jsonify(error=_error_text(exc), status=exc.code)
    response.status_code = exc.code
    response.headers.update(error_headers(exc))
    if exc.code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="thiduaso"'
    return response


@bp.before_request
def _body_limit():
    """A request body of at most API_MAX_BODY_MB (413 before anything is read): a JSON
    document is parsed whole, and its objects take many times its size in memory."""
    limit = current_app.config["API_MAX_BODY_MB"] * 2**20
    request.max_content_length = limit  # also bounds a body sent without Content-Length
    if request.content_length is not None and request.content_length > limit:
        abort(413, description=f"the request body is larger than {current_app.config['API_MAX_BODY_MB']} MB")


def _account() -> str | None:
    """The API's rate limits count per account (requests without a valid token: not at all)."""
    return f"account:{current_user.id}" if current_user.is_authenticated else None


# Each account at most API_RATE_PER_MINUTE requests a minute, every endpoint together.
rate_limited("api", "API_RATE_PER_MINUTE", key=_account)(bp)


@bp.record_once
def _json_errors(state):
    """Routing errors under /api/v1 (an unknown path, a wrong method) are JSON too."""
    state.app.extensions.setdefault("json_errors", {})[bp.url_prefix] = _error


# Per code: the app's own handlers of these codes (error pages) would come first otherwise.
for _code in (400, 401, 403, 404, 405, 413, 415, 422, 429, 500, 503):
    bp.register_error_handler(_code, _error)


def _day(value):
    value = as_date(value)
    return value.isoformat() if value else None


def _campaign(code: str | None) -> Campaign:
    campaign = (db.session.scalar(db.select(Campaign).where(Campaign.code == code)) if code
                else current_campaign())
    if campaign is None:
        raise NotFound(f"no campaign {code!r}" if code else "no campaign has been loaded")
    return campaign


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(document(site_url() + bp.url_prefix))


@bp.get("/campaigns")
@allow(*SIGNED_IN)
def campaigns():
    rows = db.session.scalars(db.select(Campaign).order_by(Campaign.starts_on.desc())).all()
    return jsonify(campaigns=[{"code": c.code, "name": c.name, "starts_on": _day(c.starts_on),
                               "ends_on": _day(c.ends_on), "groups": list(c.rules["groups"]),
                               "targets": c.rules["targets"]} for c in rows])


@bp.get("/campaigns/<code>/leaderboards/<board>")
@allow(*SIGNED_IN)
def leaderboard(code, board):
    """The latest publication of a board, a page at a time (``after``/``before`` a cursor),
    or centred on an entry (``around``); names masked as on the public pages."""
    if board not in BOARDS:
        raise NotFound(f"no board {board!r}; boards: {', '.join(BOARDS)}")
    campaign = _campaign(code)
    publication = boards.latest_publication(campaign)
    if publication is None:
        raise NotFound("this campaign's boards have not been published yet")
    bracket = request.args.get("bracket") if board == "units" else None
    if board == "units" and bracket is None:
        brackets = boards.brackets(publication)
        bracket = "commune" if "commune" in brackets else (brackets[0] if brackets else "")
    scope = None
    if request.args.get("scope"):
        scope = boards.unit_by_code(request.args["scope"])
        if scope is None:
            raise NotFound(f"no unit {request.args['scope']!r}")
    around = request.args.get("around", "").strip()
    if around:
        found = boards.find(publication, board, around, bracket=bracket, scope=scope)
        if found is None:
            raise NotFound(f"no entry {around!r} on this board")
        page = found[0]
    else:
        page = boards.board_page(publication, board, bracket=bracket, scope=scope, after=cursor_arg("after"),
                                 before=cursor_arg("before"), size=_limit())
    return jsonify(campaign=campaign.code, board=board, bracket=bracket or None, as_of=_day(publication.as_of),
                   entries=[{"rank": r.rank, "key": r.key, "name": r.label, "unit": r.unit_name, "points": r.points,
                             "share": r.share, "per_capita": r.per_capita, "day": _day(r.day),
                             "digital_family": r.flag, "universalized": r.universalized, "headcount": r.headcount,
                             "movement": r.movement} for r in page.rows],
                   before=_cursor_text(page.before), after=_cursor_text(page.after))


def _limit() -> int:
    return int_arg("limit", 50, minimum=1, maximum=200)


def _cursor_text(cursor) -> str | None:
    return f"{cursor[0]}:{cursor[1]}" if cursor else None


@bp.get("/people/<external_id>")
@allow(*STAFF)
def person(external_id):
    """A person's progress in a campaign (staff; a unit manager inside their units only)."""
    p = person_by_external_id(external_id)
    if p is None:
        raise NotFound(f"no person {external_id!r}")
    require_person_in_scope(p)
    campaign = _campaign(request.args.get("campaign"))
    score = person_score(campaign, p.id)
    return jsonify(external_id=p.external_id, full_name=p.full_name, group=p.group, unit=p.unit.code,
                   household=p.household.code if p.household else None, campaign=campaign.code,
                   points=score.points if score else 0, universalized_on=_day(score.universalized_on) if score else None,
                   last_scored_on=_day(score.last_scored_on) if score else None,
                   mentees=score.mentees if score else 0, badges=_badges("person", p.id))


@bp.get("/households/<code>")
@allow(*STAFF)
def household(code):
    h = household_by_code(code)
    if h is None:
        raise NotFound(f"no household {code!r}")
    require_unit_in_scope(h.unit)
    campaign = _campaign(request.args.get("campaign"))
    score = household_score(campaign, h.id)
    return jsonify(code=h.code, unit=h.unit.code, campaign=campaign.code, members=score.members if score else 0,
                   active_share=score.active_share if score else None,
                   digital_family=bool(score.digital_family) if score else False,
                   achieved_on=_day(score.achieved_on) if score else None, points=score.points if score else 0,
                   badges=_badges("household", h.id))


def _badges(recipient_type: str, recipient_id: int) -> list[dict]:
    from badges.classes import badge_classes
    from badges.records import live_awards
    from web.urls import external_url

    out = []
    for award in live_awards(recipient_type, recipient_id):
        classes = badge_classes(db.session.get(Campaign, award.campaign_id))
        badge = classes.get(award.badge)
        out.append({"id": award.id, "badge": award.badge, "name": badge.name if badge else award.badge,
                    "awarded_on": _day(award.awarded_on),
                    "assertion": external_url("badges.assertion", award_id=award.id)})
    return out


@bp.get("/badges/<award_id>")
@allow(*SIGNED_IN)
def badge(award_id):
    """A badge's Open Badges assertion (the hosted document), revoked ones included."""
    from badges.records import award_by_id
    from badges.views import assertion_for

    award = award_by_id(award_id)
    if award is None:
        raise NotFound(f"no badge {award_id!r}")
    doc, _art = assertion_for(award)
    return jsonify(doc)


@bp.post("/completions")
@allow(*EDITORS)
def completions():
    """Rows of the completions file of SPEC §2, as JSON, under the import's rules: every
    row is checked first; one bad row rejects them all and nothing is written (422, with
    each row's errors); sending them again changes nothing. A unit manager may send rows
    of their own units' people only."""
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("rows"), list):
        raise BadRequest('a JSON object {"rows": [...]} is expected')
    rows = body["rows"]
    if not rows:
        raise BadRequest("rows: at least one row")
    if len(rows) > MAX_ROWS:
        raise BadRequest(f"rows: at most {MAX_ROWS:,} per request; send a larger file on the import page")
    dry_run = body.get("dry_run", False)
    if not isinstance(dry_run, bool):
        raise BadRequest("dry_run: true or false")
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(COMPLETION_COLUMNS)
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise BadRequest(f"rows[{i - 1}]: an object with the columns {', '.join(COMPLETION_COLUMNS)}")
        unknown = set(row) - set(COMPLETION_COLUMNS)
        if unknown:
            raise BadRequest(f"rows[{i - 1}]: unknown field(s) {', '.join(sorted(unknown))}")
        w.writerow(["" if row.get(c) is None else str(row.get(c)) for c in COMPLETION_COLUMNS])
    report = run_import("completions", io.BytesIO(out.getvalue().encode("utf-8")), file_name="api.json",
                        dry_run=dry_run, actor=f"api:{current_user.email}", scope_path=scope_path())
    # Line n of the CSV is the row n - 1 of the request (line 1 is the header).
    errors = [{"row": e.line - 2, "field": e.column, "value": e.value, "reason": e.reason.render()}
              for e in report.errors]
    body = {"ok": report.ok, "dry_run": report.dry_run, "rows": report.rows_in, "accepted": report.rows_accepted,
            "rejected": report.rows_rejected, "changed": report.rows_changed, "errors": errors,
            "error": report.file_error.render() if report.file_error else None}
    return jsonify(body), 200 if report.ok else 422
