"""The scoring rules of SPEC §3, computed set-based into the score tables.

``recompute(campaign, as_of)`` rebuilds, in one transaction, for one campaign:

- ``person_scores``: points (skills + activities + universalized mentees), the date the
  person was universalized, the date of the last event that gave points, and the earliest
  counted completion (for households). One pass over the counted completions, one over
  the counted activities, one over the mentorships.
- ``household_scores``: members, active members and share, points, digital family and
  the date it was achieved, from the people's rows.
- ``unit_scores``: every unit's figures over its whole subtree, rolled up in Python over
  the unit tree (a province has a few thousand units).

An event counts when its date lies in ``[starts_on, min(ends_on, as_of)]``. Where a kind
of event scores once (or once per ISO week, or per date), the earliest event of that kind
(week, date) is the one that scores and dates ``last_scored_on``; a universalized mentee
scores on their ``universalized_on``; nothing worth 0 points dates anything.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from blinker import Namespace
from sqlalchemy.exc import OperationalError

from emulation.bulk import references_proven_by_lookups
from emulation.clock import as_date, province_today
from emulation.models import Campaign, ImportBatch, ScoreRun, Skill, Unit
from extensions import busy_timeout, database_busy, db, for_writing

ONCE_KINDS = ("vneid_level2", "cashless_payment", "ecommerce", "digital_savings")

# Each board's sort key, best first (SPEC §3), as SQL over its score table ``s``: the one
# definition that the export, the publications, the pages and the nominee lists rank by
# (with RANK(), which is standard competition ranking: equal keys share a rank). Missing
# dates sort last.
SORT_KEYS = {
    "units": "s.coverage DESC, s.points_per_capita DESC, CASE WHEN s.reached_on IS NULL THEN 1 ELSE 0 END, "
             "s.reached_on",
    "households": "CASE WHEN s.digital_family THEN 0 ELSE 1 END, CASE WHEN s.active_share IS NULL THEN 1 ELSE 0 END, "
                  "s.active_share DESC, s.points DESC, CASE WHEN s.achieved_on IS NULL THEN 1 ELSE 0 END, "
                  "s.achieved_on",
    "people": "s.points DESC, CASE WHEN s.last_scored_on IS NULL THEN 1 ELSE 0 END, s.last_scored_on",
}

# Sent after stored scores changed and were committed, with ``runs``: a list of
# (campaign id, as-of date), and ``people``: the ids whose events changed (None: anyone's
# scores may have moved). The badges package awards on it.
scores_updated = Namespace().signal("scores-updated")


@dataclass
class RecomputeSummary:
    campaign: str
    as_of: date
    people: int
    universalized: int
    households: int
    digital_families: int
    units: int
    seconds: float


def _greatest(dialect: str, *exprs: str) -> str:
    """The latest of some dates, ignoring NULLs (NULL when all are)."""
    if dialect == "postgresql":
        return f"GREATEST({', '.join(exprs)})"
    if len(exprs) == 1:
        return exprs[0]
    # SQLite's max() is NULL as soon as one argument is: give each argument's place the
    # first non-NULL value, starting from that argument.
    rotations = [exprs[i:] + exprs[:i] for i in range(len(exprs))]
    return "max(" + ", ".join(f"coalesce({', '.join(r)})" for r in rotations) + ")"


def _later_of_both(dialect: str, a: str, b: str) -> str:
    """The later of two dates, NULL when either is (both must have happened)."""
    if dialect == "postgresql":
        return f"CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL ELSE GREATEST({a}, {b}) END"
    return f"max({a}, {b})"


def _monday(dialect: str, column: str) -> str:
    """The Monday of the ISO week of a date: one value per ISO week."""
    if dialect == "postgresql":
        return f"date_trunc('week', {column})"
    return f"date({column}, '-' || ((CAST(strftime('%w', {column}) AS INTEGER) + 6) % 7) || ' days')"


def _required_by_group(conn) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for skill_id, required_for in conn.execute(sa.select(Skill.id, Skill.required_for)):
        for g in filter(None, required_for.split(";")):
            out[g].append(skill_id)
    return dict(out)


def _in_list(column: str, ids: list[int]) -> str:
    return f"{column} IN ({', '.join(str(int(i)) for i in ids)})" if ids else "FALSE"


AFFECTED = "(SELECT person_id FROM _affected)"


@dataclass(frozen=True)
class _Rules:
    """What the statements need of a campaign, read before the ORM session is let go."""
    id: int
    code: str
    starts_on: date
    ends_on: date
    groups: list
    rules: dict

    @classmethod
    def of(cls, c) -> "_Rules":
        """From a Campaign, or a row of the campaigns table."""
        return cls(c.id, c.code, as_date(c.starts_on), as_date(c.ends_on), list(c.rules["groups"]), dict(c.rules))


class _Scorer:
    """The statements of the rules for one campaign as of one date, on one connection.
    ``only`` restricts them to the people (and their households) listed in ``_affected``."""

    def __init__(self, conn, campaign: _Rules, as_of: date, required: dict[str, list[int]],
                 people_table: str = "person_scores"):
        self.conn, self.campaign, self.as_of, self.required = conn, campaign, as_of, required
        # Where people() and mentors() write: the stored table, or a scratch copy of it
        # (the scores at the eve of a period, see people_as_of).
        self.ps = people_table
        self.d = conn.dialect.name
        self.params = {"cid": campaign.id, "start": campaign.starts_on, "end": min(campaign.ends_on, as_of)}

    def run(self, sql: str, **extra):
        statement = sa.text(sql)
        dates = [sa.bindparam(name, type_=sa.Date) for name in ("start", "end") if f":{name}" in sql]
        if dates:
            statement = statement.bindparams(*dates)
        return self.conn.execute(statement, {**self.params, **extra})

    def people(self, only: bool) -> None:
        """person_scores rows, points and universalization without the mentees' points."""
        d, required, rules = self.d, self.required, self.campaign.rules
        restrict = (lambda column: f" AND {column} IN {AFFECTED}") if only else (lambda column: "")
        self.run(f"DELETE FROM {self.ps} WHERE campaign_id = :cid" + restrict("person_id"))
        is_required = "CASE p.\"group\" " + " ".join(
            f"WHEN '{g}' THEN {_in_list('c.skill_id', ids)}" for g, ids in required.items()) + " ELSE FALSE END" \
            if required else "FALSE"
        needed = "CASE p.\"group\" " + " ".join(
            f"WHEN '{g}' THEN {len(ids)}" for g, ids in required.items()) + " ELSE 0 END" if required else "0"
        points_of = rules["activity_points"]
        once_points = "CASE kind " + " ".join(f"WHEN '{k}' THEN {int(points_of[k])}" for k in ONCE_KINDS) + " END"
        counted = "occurred_on BETWEEN :start AND :end" + restrict("person_id")
        activities = f"""
            SELECT person_id, SUM(pts) AS points, MAX(CASE WHEN pts > 0 THEN scored_on END) AS last_on FROM (
                SELECT person_id, MIN(occurred_on) AS scored_on, {once_points} AS pts
                FROM activities WHERE kind IN ({', '.join(f"'{k}'" for k in ONCE_KINDS)}) AND {counted}
                GROUP BY person_id, kind
                UNION ALL
                SELECT person_id, occurred_on, {int(points_of['festival'])}
                FROM activities WHERE kind = 'festival' AND {counted}
                UNION ALL
                SELECT person_id, MIN(occurred_on), {int(points_of['learning_session'])}
                FROM activities WHERE kind = 'learning_session' AND {counted}
                GROUP BY person_id, {_monday(d, 'occurred_on')}
            ) scored GROUP BY person_id"""
        completions = f"""
            SELECT c.person_id, SUM(s.points) AS skill_points,
                   MAX(CASE WHEN s.points > 0 THEN c.completed_on END) AS last_on,
                   MIN(c.completed_on) AS first_on,
                   SUM(CASE WHEN {is_required} THEN 1 ELSE 0 END) AS required_done,
                   MAX(CASE WHEN {is_required} THEN c.completed_on END) AS required_last
            FROM completions c JOIN skills s ON s.id = c.skill_id JOIN people p ON p.id = c.person_id
            WHERE c.completed_on BETWEEN :start AND :end{restrict('c.person_id')}
            GROUP BY c.person_id"""
        self.run(f"""
            INSERT INTO {self.ps} (campaign_id, person_id, unit_id, household_id, "group", points, skill_points,
                                       activity_points, mentees, universalized_on, last_scored_on, first_completed_on)
            SELECT :cid, p.id, p.unit_id, p.household_id, p."group",
                   COALESCE(c.skill_points, 0) + COALESCE(a.points, 0), COALESCE(c.skill_points, 0),
                   COALESCE(a.points, 0), 0,
                   CASE WHEN {needed} > 0 AND c.required_done = {needed} THEN c.required_last END,
                   {_greatest(d, 'c.last_on', 'a.last_on')}, c.first_on
            FROM people p
            LEFT JOIN ({completions}) c ON c.person_id = p.id
            LEFT JOIN ({activities}) a ON a.person_id = p.id{' WHERE p.id IN ' + AFFECTED if only else ''}""")

    def mentors(self, only: bool) -> None:
        """Add the universalized mentees' points to their mentors (all, or those affected).

        Each mentor's figures come from a correlated subquery over the mentor's own
        mentorships (a primary-key range), for every mentor or every affected person (one
        without counted mentees gains nothing). Joining the affected people to all the
        mentorships instead let SQLite's planner probe each of them for every score row
        (36 s for 2,000 people on the 500,000-person province)."""
        mentee_points = int(self.campaign.rules["mentee_points"])
        ps = self.ps
        counted = (f"FROM mentorships ms JOIN {ps} ps ON ps.campaign_id = :cid AND ps.person_id = ms.mentee_id "
                   "WHERE ps.universalized_on IS NOT NULL AND ms.started_on BETWEEN :start AND :end")
        last = _greatest(self.d, f"{ps}.last_scored_on", "MAX(ps.universalized_on)") if mentee_points > 0 \
            else f"{ps}.last_scored_on"
        self.run(f"""
            UPDATE {ps} SET (mentees, points, last_scored_on) = (
                SELECT COUNT(*), {ps}.points + :mentee_points * COUNT(*), {last}
                {counted} AND ms.mentor_id = {ps}.person_id)
            WHERE campaign_id = :cid AND person_id IN {AFFECTED if only else '(SELECT mentor_id FROM mentorships)'}""",
                 mentee_points=mentee_points)

    def households(self, only: bool) -> None:
        """household_scores of every household (or of the affected people's households).

        A digital family: a universalized member, and (a household of one, or another
        member with a counted completion); achieved when both first held. The earliest
        completion among a member's housemates is the household's earliest, unless that
        member alone holds it: then the second earliest. Window functions over the
        people's rows, one sort by household; the aggregate drives the insert (primary-key
        lookups of households), then the households without members."""
        mine = f" AND household_id IN (SELECT household_id FROM people WHERE id IN {AFFECTED})" if only else ""
        self.run("DELETE FROM household_scores WHERE campaign_id = :cid" + mine)
        other_first = "CASE WHEN f = min1 AND n_min1 = 1 THEN min2 ELSE min1 END"
        self.run(f"""
            INSERT INTO household_scores (campaign_id, household_id, unit_id, members, active_members, active_share,
                                          points, digital_family, achieved_on)
            SELECT :cid, h.id, h.unit_id, agg.members, agg.active, CAST(agg.active AS FLOAT) / agg.members,
                   agg.points, agg.achieved_on IS NOT NULL, agg.achieved_on
            FROM (
                SELECT household_id, MAX(members) AS members, COUNT(f) AS active, SUM(points) AS points,
                       MIN(CASE WHEN u IS NULL THEN NULL WHEN members = 1 THEN u
                                ELSE {_later_of_both(self.d, 'u', other_first)} END) AS achieved_on
                FROM (
                    SELECT household_id, u, f, points, members, min1,
                           SUM(CASE WHEN f = min1 THEN 1 ELSE 0 END) OVER (PARTITION BY household_id) AS n_min1,
                           MIN(CASE WHEN f > min1 THEN f END) OVER (PARTITION BY household_id) AS min2
                    FROM (
                        SELECT household_id, universalized_on AS u, first_completed_on AS f, points,
                               COUNT(*) OVER (PARTITION BY household_id) AS members,
                               MIN(first_completed_on) OVER (PARTITION BY household_id) AS min1
                        FROM person_scores WHERE campaign_id = :cid AND household_id IS NOT NULL{mine}
                    ) x
                ) y
                GROUP BY household_id
            ) agg JOIN households h ON h.id = agg.household_id""")
        if not only:  # an affected person's household has at least that member
            self.run("""
                INSERT INTO household_scores (campaign_id, household_id, unit_id, members, active_members,
                                              active_share, points, digital_family, achieved_on)
                SELECT :cid, h.id, h.unit_id, 0, 0, NULL, 0, FALSE, NULL FROM households h
                WHERE NOT EXISTS (SELECT 1 FROM household_scores s
                                  WHERE s.campaign_id = :cid AND s.household_id = h.id)""")

    def units(self) -> int:
        self.run("DELETE FROM unit_scores WHERE campaign_id = :cid")
        units = _unit_rows(self.conn, self.campaign)
        if units:
            self.conn.execute(sa.insert(db.metadata.tables["unit_scores"]), units)
        return len(units)

    def record(self, batch: int | None) -> None:
        self.run("DELETE FROM score_runs WHERE campaign_id = :cid")
        self.conn.execute(sa.insert(db.metadata.tables["score_runs"]).values(
            campaign_id=self.campaign.id, as_of=self.as_of, computed_at=datetime.now(timezone.utc),
            import_batch_id=batch))


def recompute(campaign: Campaign, as_of: date | None = None, *, wait: bool = True) -> RecomputeSummary | None:
    """Rebuild the stored scores of ``campaign`` as of ``as_of`` (today by default).

    ``wait=False``: on SQLite, when another process is writing (an import and its scores),
    do nothing and return None at once, instead of waiting for it."""
    rules = _Rules.of(campaign)
    # The work runs on its own connection and transaction: end the session's (on SQLite a
    # session still reading an older snapshot could not write afterwards). A rollback, not a
    # close: the caller's objects stay in the session and are read again when next used.
    db.session.rollback()
    try:
        return _recompute(rules, as_of or province_today(), wait=wait)
    except OperationalError as exc:
        if not wait and database_busy(exc):
            return None
        raise


def _recompute(campaign: _Rules, as_of: date, wait: bool = True) -> RecomputeSummary:
    started = datetime.now(timezone.utc)
    with (for_writing(db.engine.connect()) as conn, busy_timeout(conn, None if wait else 0),
          references_proven_by_lookups(conn), conn.begin()):
        scorer = _Scorer(conn, campaign, as_of, _required_by_group(conn))
        scorer.people(only=False)
        scorer.mentors(only=False)
        scorer.households(only=False)
        units = scorer.units()
        scorer.record(conn.scalar(sa.select(sa.func.max(ImportBatch.id))))
        counts = scorer.run("""
            SELECT (SELECT COUNT(*) FROM person_scores WHERE campaign_id = :cid),
                   (SELECT COUNT(universalized_on) FROM person_scores WHERE campaign_id = :cid),
                   (SELECT COUNT(*) FROM household_scores WHERE campaign_id = :cid),
                   (SELECT COUNT(*) FROM household_scores WHERE campaign_id = :cid AND digital_family = TRUE)""").one()
    seconds = (datetime.now(timezone.utc) - started).total_seconds()
    scores_updated.send(None, runs=[(campaign.id, as_of)])
    return RecomputeSummary(campaign.code, as_of, counts[0], counts[1], counts[2], counts[3], units, seconds)


def _stored_runs(conn) -> list[tuple[_Rules, date]]:
    """The campaigns that have stored scores, with the date they are of."""
    rows = conn.execute(sa.select(Campaign.__table__, ScoreRun.as_of)
                        .join(ScoreRun, ScoreRun.campaign_id == Campaign.id)).all()
    return [(_Rules.of(r), as_date(r.as_of)) for r in rows]


# Beyond this share of the people (and this many), apply_events recomputes everyone instead.
INCREMENTAL_MAX_SHARE = 0.1
INCREMENTAL_MIN_PEOPLE = 20_000


def apply_events(person_ids) -> int:
    """Bring every stored score run up to date after new events of ``person_ids`` (an
    import of completions, activities or mentorships; for mentorships, the mentors).

    Only those people, the mentors of those people (a mentee may have become
    universalized), their households and the unit roll-up are computed again; every run
    keeps its as-of date. Works on its own connection (never the ORM session, which the
    caller may still use). Returns the number of runs updated."""
    if not person_ids:
        return 0
    if len(person_ids) > INCREMENTAL_MIN_PEOPLE and len(person_ids) > INCREMENTAL_MAX_SHARE * (
            db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("people"))) or 0):
        # Most of the province: computing those people one by one (with their mentors and
        # households) costs more than computing everyone (24 s against 11 s, awarding
        # included, for a file of 1,000,000 completions of 430,000 people).
        db.session.rollback()
        return recompute_all()
    with for_writing(db.engine.connect()) as conn, references_proven_by_lookups(conn), conn.begin():
        runs = _stored_runs(conn)
        if not runs:
            return 0
        required = _required_by_group(conn)
        batch = conn.scalar(sa.select(sa.func.max(ImportBatch.id)))
        temp = "CREATE TEMP TABLE _affected (person_id INTEGER PRIMARY KEY)"
        conn.exec_driver_sql(temp + (" ON COMMIT DROP" if conn.dialect.name == "postgresql" else ""))
        conn.execute(sa.text("INSERT INTO _affected (person_id) VALUES (:p)"), [{"p": int(p)} for p in person_ids])
        conn.exec_driver_sql(f"INSERT INTO _affected (person_id) SELECT DISTINCT mentor_id FROM mentorships "
                             f"WHERE mentee_id IN {AFFECTED} AND mentor_id NOT IN {AFFECTED}")
        if conn.dialect.name == "postgresql":
            # A temporary table has no statistics until analysed: without them PostgreSQL
            # hashes the whole completions table instead of looking the people up (3.3 s
            # against 0.2 s for 10,000 people on the 500,000-person province).
            conn.exec_driver_sql("ANALYZE _affected")
        for campaign, as_of in runs:
            scorer = _Scorer(conn, campaign, as_of, required)
            scorer.people(only=True)
            scorer.mentors(only=True)
            scorer.households(only=True)
            scorer.units()
            scorer.record(batch)
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TABLE _affected")
    scores_updated.send(None, runs=[(campaign.id, as_of) for campaign, as_of in runs], people=person_ids)
    return len(runs)


def recompute_all() -> int:
    """Recompute every stored score run at its as-of date (after a change of units,
    households, people or skills, which can move anyone's scores)."""
    with db.engine.connect() as conn:
        runs = _stored_runs(conn)
    for campaign, as_of in runs:
        _recompute(campaign, as_of)
    return len(runs)


def _unit_rows(conn, campaign: _Rules, people_table: str = "person_scores") -> list[dict]:
    """Every unit's figures over its subtree (SPEC §3, units), as unit_scores rows, from
    the people's scores in ``people_table``."""
    groups = campaign.groups
    units = conn.execute(sa.select(
        Unit.id, Unit.parent_id, Unit.bracket, Unit.path,
        *(getattr(Unit, f"headcount_{g}") for g in groups))).all()
    own = defaultdict(lambda: {"n": defaultdict(int), "registered": defaultdict(int), "points": 0, "reached": None})
    for unit_id, group, registered, universalized, reached, points in conn.execute(sa.text(
            'SELECT unit_id, "group", COUNT(*), COUNT(universalized_on), MAX(universalized_on), SUM(points) '
            f'FROM {people_table} WHERE campaign_id = :cid GROUP BY unit_id, "group"'), {"cid": campaign.id}):
        o = own[unit_id]
        o["points"] += points
        o["registered"][group] = registered
        if group in groups:
            o["n"][group] = universalized
            reached = as_date(reached)
            if reached and (o["reached"] is None or reached > o["reached"]):
                o["reached"] = reached
    # Each unit's own figures, then added into every ancestor (deepest first).
    figures = {}
    for row in units:
        o = own[row.id]
        figures[row.id] = {
            "n": {g: o["n"][g] for g in groups},
            "d": {g: max(row[4 + i] or 0, o["registered"][g]) for i, g in enumerate(groups)},
            "points": o["points"], "reached": o["reached"]}
    parent = {row.id: row.parent_id for row in units}
    for row in sorted(units, key=lambda r: r.path.count("/"), reverse=True):
        p = parent[row.id]
        if p is None:
            continue
        child, up = figures[row.id], figures[p]
        for g in groups:
            up["n"][g] += child["n"][g]
            up["d"][g] += child["d"][g]
        up["points"] += child["points"]
        if child["reached"] and (up["reached"] is None or child["reached"] > up["reached"]):
            up["reached"] = child["reached"]
    rows = []
    for row in units:
        f = figures[row.id]
        n, dd = sum(f["n"].values()), sum(f["d"].values())
        rows.append({
            "campaign_id": campaign.id, "unit_id": row.id, "bracket": row.bracket, "universalized": n,
            "headcount": dd, "coverage": n / dd if dd else None, "points": f["points"],
            "points_per_capita": f["points"] / dd if dd else None,
            "reached_on": f["reached"] if n else None,
            "by_group": {g: [f["n"][g], f["d"][g]] for g in groups}})
    return rows


def scratch_people_table(conn, name: str) -> str:
    """A temporary table shaped like person_scores (same columns and key), for scores
    that are looked at and thrown away; the caller drops it."""
    source = db.metadata.tables["person_scores"]
    columns = [sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable) for c in source.columns]
    sa.Table(name, sa.MetaData(), *columns, prefixes=["TEMPORARY"], sqlite_with_rowid=False).create(conn)
    return name


def people_as_of(conn, campaign: Campaign, day: date, table: str) -> None:
    """Fill ``table`` (see scratch_people_table) with every person's scores for ``campaign``
    as of ``day``: the same statements as the stored scores, people and mentors only."""
    scorer = _Scorer(conn, _Rules.of(campaign), day, _required_by_group(conn), people_table=table)
    scorer.people(only=False)
    scorer.mentors(only=False)


def units_from(conn, campaign: Campaign, people_table: str) -> list[dict]:
    """Every unit's figures (unit_scores rows) from the people's scores in ``people_table``."""
    return _unit_rows(conn, _Rules.of(campaign), people_table)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment  # SQLite: naive UTC


# How long after an import a page leaves the scores to the importing process.
IMPORT_SCORING_GRACE = timedelta(minutes=10)


def ensure_scores(campaign: Campaign, as_of: date, echo=None, *, wait: bool = True) -> bool:
    """Recompute the stored scores unless they are of ``as_of``, of the latest import and
    newer than the campaign's rules. With ``wait=False`` (a page), stored scores that
    another process is bringing up to date (an import of the last IMPORT_SCORING_GRACE, or
    any writer holding SQLite's lock) are left as they are: returns False then, True when
    the stored scores are up to date."""
    run = db.session.get(ScoreRun, campaign.id)
    batch = db.session.scalar(sa.select(sa.func.max(ImportBatch.id)))
    if (run is not None and as_date(run.as_of) == as_of and run.import_batch_id == batch
            and _utc(run.computed_at) >= _utc(campaign.updated_at)):
        return True
    if not wait and run is not None and run.import_batch_id != batch:
        # An import has just committed: the process that ran it is bringing the scores up
        # to date (on SQLite, a page that began the same work would make it wait, then fail).
        finished = db.session.scalar(sa.select(ImportBatch.finished_at).where(ImportBatch.id == batch))
        if finished is not None and datetime.now(timezone.utc) - _utc(finished) < IMPORT_SCORING_GRACE:
            return False
    summary = recompute(campaign, as_of, wait=wait)
    if summary is None:
        return False
    if echo:
        from flask_babel import format_decimal
        from flask_babel import gettext as _

        echo(_("Scores recomputed as of %(day)s (%(seconds)s s).", day=as_of.isoformat(),
               seconds=format_decimal(summary.seconds, format="0.0")))
    return True
