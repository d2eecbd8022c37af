"""Period boards (SPEC §3): people and households ranked by the points they earned inside a
window, units by the coverage they gained inside it ("most improved").

What was earned inside ``[start, end]`` is the difference between the scores as of
``end`` (the stored scores, brought to that date) and the scores as of the eve of the
window, ``start - 1 day``, computed by the same statements into a scratch table. Scores
only grow with the as-of date, and every rule (the earliest event of a kind scores, a
mentee scores once universalized, ...) is then applied exactly as on the full boards.

Sort keys, best first; equal keys share a rank (standard competition ranking) and are
listed by code or external id:

- people: points earned ↓, then ``last_scored_on`` ↑ among those who earned some (who
  got there first); everyone who earned nothing shares one rank;
- households: points earned by the members ↓;
- units (per bracket, units with a denominator only): coverage gained ↓, coverage ↓. The
  coverage gained is the universalized people gained over the denominator.
"""
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from emulation.models import Campaign
from emulation.scoring.scores import ensure_scores, people_as_of, scratch_people_table, units_from
from extensions import db

from .boards import COLUMNS, BoardError, BoardQuery, entry_of, filters

PERIODS = ("week", "month", "quarter", "custom")
# What a period board adds to the columns of its board (SPEC §6).
EXTRA_COLUMNS = {
    "units": ("universalized_gained", "coverage_gained"),
    "households": ("points_gained",),
    "people": ("points_gained",),
}

_EVE = "_eve_person_scores"
_EVE_UNITS = "_eve_unit_scores"


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date

    @property
    def eve(self) -> date:
        return self.start - timedelta(days=1)


def period_of(kind: str, end: date, start: date | None = None) -> Period:
    """The window of a period ending on ``end``: the ISO week (from Monday), the calendar
    month or quarter that holds ``end``, or ``[start, end]`` for a custom window."""
    if kind == "week":
        return Period(kind, end - timedelta(days=end.weekday()), end)
    if kind == "month":
        return Period(kind, end.replace(day=1), end)
    if kind == "quarter":
        return Period(kind, date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end)
    if kind == "custom":
        if start is None:
            raise BoardError("a custom period needs its first day")
        if start > end:
            raise BoardError(f"the period starts ({start.isoformat()}) after it ends ({end.isoformat()})")
        return Period(kind, start, end)
    raise BoardError(f"unknown period {kind!r}")


def columns(board: str) -> tuple[str, ...]:
    return COLUMNS[board] + EXTRA_COLUMNS[board]


# Among equal gains, who earned them first; nobody is ahead among those who gained nothing.
_SCORED_IN_WINDOW = "(CASE WHEN s.points > e.points THEN s.last_scored_on END)"
_SELECTS = {
    "people": (
        f"""RANK() OVER (ORDER BY s.points - e.points DESC, {_SCORED_IN_WINDOW} IS NULL, {_SCORED_IN_WINDOW}) AS rank,
            p.external_id, p.full_name, s."group", u.code AS unit_code, s.points, s.last_scored_on,
            s.universalized_on, s.points - e.points AS points_gained""",
        f"""person_scores s JOIN {_EVE} e ON e.campaign_id = s.campaign_id AND e.person_id = s.person_id
            JOIN people p ON p.id = s.person_id JOIN units u ON u.id = s.unit_id""",
        "TRUE", "rank, p.external_id"),
    "households": (
        """RANK() OVER (ORDER BY s.points - COALESCE(e.points, 0) DESC) AS rank, h.code, u.code AS unit_code,
            s.digital_family, s.active_share, s.points, s.achieved_on, s.points - COALESCE(e.points, 0) AS points_gained""",
        f"""household_scores s JOIN households h ON h.id = s.household_id JOIN units u ON u.id = s.unit_id
            LEFT JOIN (SELECT household_id, SUM(points) AS points FROM {_EVE}
                       WHERE campaign_id = :cid AND household_id IS NOT NULL GROUP BY household_id) e
              ON e.household_id = s.household_id""",
        "TRUE", "rank, h.code"),
    "units": (
        """RANK() OVER (PARTITION BY s.bracket ORDER BY CAST(s.universalized - e.universalized AS FLOAT) / s.headcount DESC,
                                                     s.coverage DESC) AS rank,
            u.code, u.name, u.kind, s.bracket, s.coverage, s.points, s.points_per_capita, s.reached_on,
            s.universalized, s.headcount, s.universalized - e.universalized AS universalized_gained,
            CAST(s.universalized - e.universalized AS FLOAT) / s.headcount AS coverage_gained""",
        f"unit_scores s JOIN {_EVE_UNITS} e ON e.unit_id = s.unit_id JOIN units u ON u.id = s.unit_id",
        "s.headcount > 0", "s.bracket, rank, u.code"),
}


def eve_tables(conn, campaign: Campaign, eve: date, people: str, units: str | None) -> None:
    """Temporary tables of the scores as of ``eve``: every person's (``people``, shaped like
    person_scores) and, when ``units`` is given, every unit's universalized people (the
    caller drops them)."""
    scratch_people_table(conn, people)
    people_as_of(conn, campaign, eve, people)
    if units is None:
        return
    table = sa.Table(units, sa.MetaData(), sa.Column("unit_id", sa.Integer, primary_key=True),
                     sa.Column("universalized", sa.Integer, nullable=False), prefixes=["TEMPORARY"])
    table.create(conn)
    rows = [{"unit_id": u["unit_id"], "universalized": u["universalized"]} for u in units_from(conn, campaign, people)]
    if rows:
        conn.execute(table.insert(), rows)


# The windows of a publication's "most improved" boards: the days up to its date.
PUBLISHED_PERIODS = {"week": 7, "month": 30}


def publication_periods(campaign: Campaign, as_of: date) -> dict[str, Period]:
    """The week and the month of a publication: the 7 and the 30 days that end on its date
    (a Monday's weekly publication covers Tuesday to Monday), from the campaign's first day
    at the earliest. Their last day is the publication's, so that the stored scores are the
    window's end and need no other date."""
    first = campaign.starts_on
    return {kind: Period(kind, max(first, as_of - timedelta(days=days - 1)), as_of)
            for kind, days in PUBLISHED_PERIODS.items()}


# What a publication keeps of each period board (published_gains): the entries that
# gained something, ranked as period_entries ranks them (filtering out those that gained
# nothing leaves the others' ranks as they are: they share the last rank).
GAIN_COLUMNS = "publication_id, period, board, bracket, key, rank, unit_id, gained, coverage_gained, points, share"
GAIN_SELECTS = {
    "people": f"""
        SELECT :pid, :period, 'people', '', p.external_id,
               RANK() OVER (ORDER BY s.points - e.points DESC, {_SCORED_IN_WINDOW} IS NULL, {_SCORED_IN_WINDOW}),
               s.unit_id, s.points - e.points, NULL, s.points, NULL
        FROM person_scores s JOIN {{people}} e ON e.campaign_id = s.campaign_id AND e.person_id = s.person_id
             JOIN people p ON p.id = s.person_id
        WHERE s.campaign_id = :cid AND s.points > e.points""",
    "households": """
        SELECT :pid, :period, 'households', '', h.code, RANK() OVER (ORDER BY s.points - COALESCE(e.points, 0) DESC),
               s.unit_id, s.points - COALESCE(e.points, 0), NULL, s.points, s.active_share
        FROM household_scores s JOIN households h ON h.id = s.household_id
             LEFT JOIN (SELECT household_id, SUM(points) AS points FROM {people}
                        WHERE campaign_id = :cid AND household_id IS NOT NULL GROUP BY household_id) e
               ON e.household_id = s.household_id
        WHERE s.campaign_id = :cid AND s.points - COALESCE(e.points, 0) > 0""",
    "units": """
        SELECT :pid, :period, 'units', s.bracket, u.code,
               RANK() OVER (PARTITION BY s.bracket ORDER BY CAST(s.universalized - e.universalized AS FLOAT) / s.headcount DESC,
                                                            s.coverage DESC),
               s.unit_id, s.universalized - e.universalized, CAST(s.universalized - e.universalized AS FLOAT) / s.headcount,
               s.points, s.coverage
        FROM unit_scores s JOIN {units} e ON e.unit_id = s.unit_id JOIN units u ON u.id = s.unit_id
        WHERE s.campaign_id = :cid AND s.headcount > 0 AND s.universalized > e.universalized""",
}


def period_entries(q: BoardQuery, period: Period) -> list[dict]:
    """The period board's entries in order, each with its rank, the board's columns and
    what was gained inside the window (EXTRA_COLUMNS). Brings the stored scores to the
    window's last day first."""
    if q.board not in _SELECTS:
        raise BoardError(f"unknown board {q.board!r}")
    campaign: Campaign = q.campaign
    ensure_scores(campaign, period.end)
    cid = campaign.id
    db.session.close()
    select, tables, condition, order = _SELECTS[q.board]
    where, params = filters(q, cid)
    where.append(condition)
    # The scratch tables live in this transaction: on an error the rollback removes them.
    with db.engine.connect() as conn, conn.begin():
        eve_tables(conn, campaign, period.eve, _EVE, _EVE_UNITS if q.board == "units" else None)
        result = [entry_of(row) for row in conn.execute(sa.text(
            f"SELECT {select} FROM {tables} WHERE {' AND '.join(where)} ORDER BY {order}"), params)]
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_EVE_UNITS}")
        conn.exec_driver_sql(f"DROP TABLE {_EVE}")
    return result
