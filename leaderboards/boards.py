"""The three boards of SPEC §3 over the stored scores, ranked.

Ranking is standard competition ranking (1, 2, 2, 4) over each board's sort key; entries
with equal keys share a rank and are listed by code (external id for people). A date
"↑" key sorts missing dates last (never reached comes after any day).
"""
from dataclasses import dataclass
from datetime import date
from typing import Iterator

import sqlalchemy as sa

from emulation.models import (Campaign, Household, HouseholdScore, Person, PersonScore, ScoreRun, Unit,
                              UnitScore)
from extensions import db

BOARDS = ("units", "households", "people")
COLUMNS = {
    "units": ("rank", "code", "name", "kind", "bracket", "coverage", "points", "points_per_capita", "reached_on",
              "universalized", "headcount"),
    "households": ("rank", "code", "unit_code", "digital_family", "active_share", "points", "achieved_on"),
    "people": ("rank", "external_id", "full_name", "group", "unit_code", "points", "last_scored_on",
               "universalized_on"),
}


class BoardError(Exception):
    pass


@dataclass(frozen=True)
class BoardQuery:
    campaign: Campaign
    board: str
    bracket: str | None = None
    scope: Unit | None = None
    group: str | None = None


def _date(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _ranked(rows, key_of) -> Iterator[dict]:
    """Standard competition ranking of ``rows`` already in board order."""
    rank, previous = 0, object()
    for position, row in enumerate(rows, start=1):
        key = key_of(row)
        if key != previous:
            rank, previous = position, key
        yield {"rank": rank, **row}


def _in_scope(unit_column, scope: Unit | None, include_scope: bool):
    if scope is None:
        return []
    inside = sa.select(Unit.id).where(Unit.path.startswith(scope.path))
    if not include_scope:
        inside = inside.where(Unit.id != scope.id)
    return [unit_column.in_(inside)]


def entries(q: BoardQuery) -> Iterator[dict]:
    """The board's entries in order, each with its rank and the export's columns."""
    cid = q.campaign.id
    if q.board == "units":
        brackets = [q.bracket] if q.bracket else db.session.scalars(
            sa.select(UnitScore.bracket).where(UnitScore.campaign_id == cid).distinct().order_by(UnitScore.bracket))
        for bracket in list(brackets):
            rows = db.session.execute(
                sa.select(Unit.code, Unit.name, Unit.kind, UnitScore.bracket, UnitScore.coverage, UnitScore.points,
                          UnitScore.points_per_capita, UnitScore.reached_on, UnitScore.universalized,
                          UnitScore.headcount)
                .join(Unit, Unit.id == UnitScore.unit_id)
                .where(UnitScore.campaign_id == cid, UnitScore.bracket == bracket, UnitScore.headcount > 0,
                       *_in_scope(UnitScore.unit_id, q.scope, include_scope=False))
                .order_by(UnitScore.coverage.desc(), UnitScore.points_per_capita.desc(),
                          UnitScore.reached_on.is_(None), UnitScore.reached_on, Unit.code))
            yield from _ranked(({**r._asdict(), "reached_on": _date(r.reached_on)} for r in rows),
                               lambda r: (r["coverage"], r["points_per_capita"], r["reached_on"]))
    elif q.board == "households":
        rows = db.session.execute(
            sa.select(Household.code, Unit.code.label("unit_code"), HouseholdScore.digital_family,
                      HouseholdScore.active_share, HouseholdScore.points, HouseholdScore.achieved_on)
            .join(Household, Household.id == HouseholdScore.household_id)
            .join(Unit, Unit.id == HouseholdScore.unit_id)
            .where(HouseholdScore.campaign_id == cid, *_in_scope(HouseholdScore.unit_id, q.scope, include_scope=True))
            .order_by(HouseholdScore.digital_family.desc(), HouseholdScore.active_share.is_(None),
                      HouseholdScore.active_share.desc(), HouseholdScore.points.desc(),
                      HouseholdScore.achieved_on.is_(None), HouseholdScore.achieved_on, Household.code))
        yield from _ranked(({**r._asdict(), "digital_family": bool(r.digital_family),
                             "achieved_on": _date(r.achieved_on)} for r in rows),
                           lambda r: (r["digital_family"], r["active_share"], r["points"], r["achieved_on"]))
    elif q.board == "people":
        where = [PersonScore.campaign_id == cid, *_in_scope(PersonScore.unit_id, q.scope, include_scope=True)]
        if q.group:
            where.append(PersonScore.group == q.group)
        rows = db.session.execute(
            sa.select(Person.external_id, Person.full_name, PersonScore.group, Unit.code.label("unit_code"),
                      PersonScore.points, PersonScore.last_scored_on, PersonScore.universalized_on)
            .join(Person, Person.id == PersonScore.person_id)
            .join(Unit, Unit.id == PersonScore.unit_id)
            .where(*where)
            .order_by(PersonScore.points.desc(), PersonScore.last_scored_on.is_(None), PersonScore.last_scored_on,
                      Person.external_id))
        yield from _ranked(({**r._asdict(), "last_scored_on": _date(r.last_scored_on),
                             "universalized_on": _date(r.universalized_on)} for r in rows),
                           lambda r: (r["points"], r["last_scored_on"]))
    else:
        raise BoardError(f"unknown board {q.board!r}")


def score_run(campaign: Campaign) -> ScoreRun | None:
    return db.session.get(ScoreRun, campaign.id)
