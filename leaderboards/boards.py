"""The three boards of SPEC §3 over the stored scores, ranked.

Ranking is standard competition ranking (1, 2, 2, 4) over each board's sort key; entries
with equal keys share a rank and are listed by code (external id for people). A date
"↑" key sorts missing dates last (never reached comes after any day).
"""
from dataclasses import dataclass
from typing import Iterator

import sqlalchemy as sa

from emulation.clock import as_date
from emulation.models import Campaign, Unit
from emulation.scoring.scores import SORT_KEYS
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


# The columns each board's export shows, and where they come from.
_SELECTS = {
    "units": ("RANK() OVER (PARTITION BY s.bracket ORDER BY {key}) AS rank, u.code, u.name, u.kind, s.bracket, "
              "s.coverage, s.points, s.points_per_capita, s.reached_on, s.universalized, s.headcount",
              "unit_scores s JOIN units u ON u.id = s.unit_id", "s.headcount > 0", "s.bracket, rank, u.code"),
    "households": ("RANK() OVER (ORDER BY {key}) AS rank, h.code, u.code AS unit_code, s.digital_family, "
                   "s.active_share, s.points, s.achieved_on",
                   "household_scores s JOIN households h ON h.id = s.household_id JOIN units u ON u.id = s.unit_id",
                   "TRUE", "rank, h.code"),
    "people": ("RANK() OVER (ORDER BY {key}) AS rank, p.external_id, p.full_name, s.\"group\", u.code AS unit_code, "
               "s.points, s.last_scored_on, s.universalized_on",
               "person_scores s JOIN people p ON p.id = s.person_id JOIN units u ON u.id = s.unit_id",
               "TRUE", "rank, p.external_id"),
}
_DATES = ("reached_on", "achieved_on", "last_scored_on", "universalized_on")


def scope_condition(q: BoardQuery) -> tuple[str, dict]:
    """SQL over the score table ``s``: the entry's unit lies inside the scope's subtree (on
    the units board, without the scope unit itself)."""
    sql = "s.unit_id IN (SELECT id FROM units WHERE path LIKE :inside" + (
        " AND id <> :scope_id)" if q.board == "units" else ")")
    return sql, {"inside": q.scope.path + "%", "scope_id": q.scope.id}


def entries(q: BoardQuery) -> Iterator[dict]:
    """The board's entries in order, each with its rank and the export's columns; ranks
    are over the board as filtered (a bracket, a scope, a group)."""
    if q.board not in BOARDS:
        raise BoardError(f"unknown board {q.board!r}")
    columns, tables, condition, order = _SELECTS[q.board]
    where, params = filters(q, q.campaign.id)
    sql = (f"SELECT {columns.format(key=SORT_KEYS[q.board])} FROM {tables} WHERE {' AND '.join([*where, condition])} "
           f"ORDER BY {order}")
    for row in db.session.execute(sa.text(sql), params):
        yield entry_of(row)


def filters(q: BoardQuery, campaign_id: int) -> tuple[list[str], dict]:
    """SQL conditions over the score table ``s`` for the campaign and the query's bracket,
    scope and group, and their parameters."""
    where, params = ["s.campaign_id = :cid"], {"cid": campaign_id}
    if q.board == "units" and q.bracket:
        where.append("s.bracket = :bracket")
        params["bracket"] = q.bracket
    if q.scope is not None:
        sql, scope_params = scope_condition(q)
        where.append(sql)
        params.update(scope_params)
    if q.board == "people" and q.group:
        where.append("s.\"group\" = :group")
        params["group"] = q.group
    return where, params


def entry_of(row) -> dict:
    """A board's row as a dict: dates as dates (SQLite returns text), flags as booleans."""
    entry = dict(row._mapping)
    for name in _DATES:
        if name in entry:
            entry[name] = as_date(entry[name])
    if "digital_family" in entry:
        entry["digital_family"] = bool(entry["digital_family"])
    return entry
