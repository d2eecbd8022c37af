"""The awarder (SPEC §4): every badge the stored scores support, set-based and idempotent.

``award(campaign, as_of)`` brings the stored scores to ``as_of``, lists what is due (one
statement per badge class into a scratch table), then in one transaction:

- revokes the live awards that nothing supports any more (kept, dated, with a reason);
- moves an award's date when the data moved it (an earlier completion was imported);
- awards what is due and not yet held, each with a random assertion id and salt;
- gives each person and household due a badge a personal progress code.

After an import of events only the people concerned (and their mentors, households, and
every unit) are looked at, as the scores themselves are brought up to date.

Running it twice changes nothing the second time. Awarding as of a date before the last
run is refused: it would revoke what was earned since.
"""
import base64
import secrets
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from emulation.bulk import references_proven_by_lookups
from emulation.clock import as_date
from emulation.models import Campaign
from emulation.scoring.scores import ensure_scores
from extensions import db, for_writing

from .classes import badge_classes
from .models import BadgeRun

# Progress codes: 12 characters of Crockford's base32 (60 random bits), which has no I, L,
# O or U, so what is read off paper and typed on a phone cannot be confused: a typed O is
# read as 0, an I or L as 1.
CODE_LENGTH = 12
_RFC4648 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TO_CROCKFORD = str.maketrans(_RFC4648, _CROCKFORD)
_TYPED = str.maketrans("OIL", "011")
# Stored with a revoked award (a record for the database's readers); surfaces say it in the
# UI language (revocation_reason).
REVOKED_REASON = "no longer supported by the data as of {day}"


def revocation_reason(award) -> str | None:
    """Why ``award`` was revoked, in the UI language; None while it holds."""
    if award.revoked_on is None:
        return None
    from flask_babel import gettext as _

    from web.formatting import format_day

    return _("No longer supported by the campaign's data as of %(day)s.", day=format_day(as_date(award.revoked_on)))


class AwardError(Exception):
    pass


@dataclass
class AwardSummary:
    campaign: str
    as_of: date
    awarded: int  # new awards
    revoked: int
    redated: int
    live: int  # live awards after the run
    codes: int  # progress codes given out
    seconds: float


def new_progress_codes(n: int) -> list[str]:
    """``n`` random codes. Ten random bytes are sixteen base32 characters exactly, so one
    encoding of all the bytes cuts into the codes (330,000 codes in a fraction of a second)."""
    text = base64.b32encode(secrets.token_bytes(10 * n)).decode("ascii").translate(_TO_CROCKFORD)
    return [text[16 * i:16 * i + CODE_LENGTH] for i in range(n)]


def display_code(code: str) -> str:
    """``ABCD-EFGH-JKMN``: a stored code as printed."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str:
    """What someone typed (``abcd-efgh-jkmn``, spaces, lower case, O for 0) as stored."""
    return "".join(c for c in text.upper() if c.isalnum()).translate(_TYPED)[:16]


def _random_hex(dialect: str) -> str:
    """SQL for 128 random bits as 32 hex digits, one value per row."""
    if dialect == "postgresql":
        return "replace(CAST(gen_random_uuid() AS TEXT), '-', '')"
    return "lower(hex(randomblob(16)))"


# The recipients an incremental run looks at (see award(people=...)).
_PEOPLE = "(SELECT person_id FROM _award_people)"
_HOUSEHOLDS = "(SELECT household_id FROM _award_households)"


def _due_selects(starts_on: date, classes, only: bool) -> list[tuple[str, dict]]:
    """One SELECT (badge, recipient_type, recipient_id, awarded_on) per badge class; with
    ``only``, for the people and households of an incremental run (and every unit)."""
    def among(column: str, scope: str) -> str:
        return f" AND {column} IN {scope}" if only else ""

    out = []
    for c in classes.values():
        p = {"code": c.code}
        if c.rule == "universalized":
            sql = ("SELECT :code, 'person', person_id, universalized_on FROM person_scores "
                   "WHERE campaign_id = :cid AND universalized_on IS NOT NULL" + among("person_id", _PEOPLE))
        elif c.rule == "mentees":
            # The date the n-th counted mentee (mentorship inside the window, universalized)
            # was universalized: the mentees that scoring counts.
            # For some people, from their rows outwards: CROSS JOINs fix SQLite's join order
            # (left to right). Left to itself it scanned every score row and probed the
            # people for each: 24 s for 2,000 people on the 500,000-person province.
            tables = ("_award_people ap CROSS JOIN mentorships ms CROSS JOIN person_scores ps" if only
                      else "mentorships ms CROSS JOIN person_scores ps")
            sql = ("SELECT :code, 'person', mentor_id, universalized_on FROM ("
                   " SELECT ms.mentor_id, ps.universalized_on, ROW_NUMBER() OVER ("
                   "  PARTITION BY ms.mentor_id ORDER BY ps.universalized_on, ps.person_id) AS n"
                   f" FROM {tables}"
                   " WHERE ps.campaign_id = :cid AND ps.person_id = ms.mentee_id AND ps.universalized_on IS NOT NULL"
                   " AND ms.started_on BETWEEN :start AND :end"
                   + (" AND ms.mentor_id = ap.person_id" if only else "") + ") x WHERE n = :n")
            p["n"] = int(c.threshold)
        elif c.rule == "pioneer":
            sql = ("SELECT :code, 'person', ps.person_id, ps.universalized_on FROM person_scores ps "
                   "JOIN people p ON p.id = ps.person_id WHERE ps.campaign_id = :cid AND p.party_member = TRUE "
                   "AND ps.universalized_on IS NOT NULL AND ps.universalized_on < :pioneer_until"
                   + among("ps.person_id", _PEOPLE))
            p["pioneer_until"] = starts_on + timedelta(days=int(c.threshold))
        elif c.rule == "identity":
            sql = ("SELECT :code, 'person', person_id, MIN(occurred_on) FROM activities "
                   "WHERE kind = 'vneid_level2' AND occurred_on BETWEEN :start AND :end"
                   + among("person_id", _PEOPLE) + " GROUP BY person_id")
        elif c.rule == "digital_family":
            sql = ("SELECT :code, 'household', household_id, achieved_on FROM household_scores "
                   "WHERE campaign_id = :cid AND digital_family = TRUE" + among("household_id", _HOUSEHOLDS))
        elif c.rule == "coverage":
            sql = ("SELECT :code, 'unit', unit_id, reached_on FROM unit_scores WHERE campaign_id = :cid "
                   "AND headcount > 0 AND coverage >= :coverage AND reached_on IS NOT NULL")
            p["coverage"] = float(c.threshold)
        else:  # pragma: no cover - classes.py knows no other rule
            raise AwardError(f"unknown badge rule {c.rule!r}")
        out.append((sql, p))
    return out


# Set while the awarder runs: the scores it brings up to date must not start it again.
_awarding: ContextVar[bool] = ContextVar("awarding", default=False)

_MATCH = "d.badge = a.badge AND d.recipient_type = a.recipient_type AND d.recipient_id = a.recipient_id"


def award(campaign: Campaign, as_of: date, people=None) -> AwardSummary:
    """Bring ``campaign``'s awards up to date as of ``as_of`` (see the module docstring).

    ``people``: after an import of events, only these people (ids), their mentors, their
    households and the units are looked at: nothing else can have changed. The stored
    scores must then already be of ``as_of`` (scoring.apply_events)."""
    token = _awarding.set(True)
    try:
        return _award(campaign, as_of, people)
    finally:
        _awarding.reset(token)


def _award(campaign: Campaign, as_of: date, people) -> AwardSummary:
    started = datetime.now(timezone.utc)
    last = db.session.get(BadgeRun, campaign.id)
    if last is not None and as_date(last.as_of) > as_of:
        raise AwardError(f"the badges of {campaign.code} were last awarded as of {as_date(last.as_of).isoformat()}; "
                         f"awarding as of the earlier {as_of.isoformat()} would revoke what was earned since")
    ensure_scores(campaign, as_of)
    classes = badge_classes(campaign)
    cid, code = campaign.id, campaign.code
    window = {"cid": cid, "start": as_date(campaign.starts_on), "end": min(as_date(campaign.ends_on), as_of)}
    only = people is not None
    # From here on the work runs on its own connection, and the session is left alone: an
    # ORM object read now would open a read transaction whose snapshot predates this
    # commit, and the caller would not see the awards afterwards.
    db.session.rollback()
    with for_writing(db.engine.connect()) as conn, references_proven_by_lookups(conn), conn.begin():
        d = conn.dialect.name
        temp = [("_due", "badge VARCHAR(32) NOT NULL, recipient_type VARCHAR(10) NOT NULL, recipient_id INTEGER "
                         "NOT NULL, awarded_on DATE NOT NULL, PRIMARY KEY (badge, recipient_type, recipient_id)")]
        if only:
            temp += [("_award_people", "person_id INTEGER PRIMARY KEY"),
                     ("_award_households", "household_id INTEGER PRIMARY KEY")]
        for name, columns in temp:
            conn.exec_driver_sql(f"CREATE TEMP TABLE {name} ({columns})" + (" ON COMMIT DROP" if d == "postgresql"
                                                                            else ""))
        scope = ""
        if only:
            _scope_people(conn, people)
            scope = (f" AND (recipient_type = 'unit' OR (recipient_type = 'person' AND recipient_id IN {_PEOPLE})"
                     f" OR (recipient_type = 'household' AND recipient_id IN {_HOUSEHOLDS}))")
        for sql, params in _due_selects(window["start"], classes, only):
            _run(conn, f"INSERT INTO _due (badge, recipient_type, recipient_id, awarded_on) {sql}",
                 {**window, **params})
        if d == "postgresql":
            conn.exec_driver_sql("ANALYZE _due")
        live = "a.campaign_id = :cid AND a.revoked_on IS NULL"
        revoked = _run(conn, f"""
            UPDATE awards SET revoked_on = :as_of, revocation_reason = :reason
            WHERE campaign_id = :cid AND revoked_on IS NULL{scope} AND NOT EXISTS (
                SELECT 1 FROM _due d WHERE d.badge = awards.badge AND d.recipient_type = awards.recipient_type
                                       AND d.recipient_id = awards.recipient_id)""",
                       {"cid": cid, "as_of": as_of, "reason": REVOKED_REASON.format(day=as_of.isoformat())}).rowcount
        redated = _run(conn, f"""
            UPDATE awards SET awarded_on = (
                SELECT d.awarded_on FROM _due d WHERE d.badge = awards.badge
                    AND d.recipient_type = awards.recipient_type AND d.recipient_id = awards.recipient_id)
            WHERE campaign_id = :cid AND revoked_on IS NULL{scope} AND EXISTS (
                SELECT 1 FROM _due d WHERE d.badge = awards.badge AND d.recipient_type = awards.recipient_type
                    AND d.recipient_id = awards.recipient_id AND d.awarded_on <> awards.awarded_on)""",
                       {"cid": cid}).rowcount
        awarded = _run(conn, f"""
            INSERT INTO awards (id, campaign_id, badge, recipient_type, recipient_id, awarded_on, issued_at, salt)
            SELECT {_random_hex(d)}, :cid, d.badge, d.recipient_type, d.recipient_id, d.awarded_on, :now,
                   {_random_hex(d)}
            FROM _due d WHERE NOT EXISTS (SELECT 1 FROM awards a WHERE {live} AND {_MATCH})""",
                       {"cid": cid, "now": started}).rowcount
        codes = _give_progress_codes(conn)
        total = conn.scalar(sa.text("SELECT COUNT(*) FROM awards a WHERE " + live), {"cid": cid})
        runs = db.metadata.tables["badge_runs"]
        conn.execute(runs.delete().where(runs.c.campaign_id == cid))
        conn.execute(runs.insert().values(campaign_id=cid, as_of=as_of, ran_at=started))
        if d == "sqlite":
            for name, _ in temp:
                conn.exec_driver_sql(f"DROP TABLE {name}")
    seconds = (datetime.now(timezone.utc) - started).total_seconds()
    return AwardSummary(code, as_of, awarded, revoked, redated, total, codes, seconds)


def _scope_people(conn, people) -> None:
    """The people of an incremental run, their mentors (a mentee may have made them an
    ambassador) and their households."""
    conn.execute(sa.text("INSERT INTO _award_people (person_id) VALUES (:p)"), [{"p": int(p)} for p in set(people)])
    conn.exec_driver_sql(f"INSERT INTO _award_people (person_id) SELECT DISTINCT mentor_id FROM mentorships "
                         f"WHERE mentee_id IN {_PEOPLE} AND mentor_id NOT IN {_PEOPLE}")
    conn.exec_driver_sql(f"INSERT INTO _award_households (household_id) SELECT DISTINCT household_id FROM people "
                         f"WHERE id IN {_PEOPLE} AND household_id IS NOT NULL")
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE _award_people")
        conn.exec_driver_sql("ANALYZE _award_households")


def _run(conn, sql: str, params: dict):
    statement = sa.text(sql)
    dates = [sa.bindparam(n, type_=sa.Date) for n in ("start", "end", "as_of", "pioneer_until") if f":{n}" in sql]
    if dates:
        statement = statement.bindparams(*dates)
    if ":now" in sql:
        statement = statement.bindparams(sa.bindparam("now", type_=sa.DateTime(timezone=True)))
    return conn.execute(statement, params)


def _give_progress_codes(conn) -> int:
    """A progress code for every person and household due a badge in this run without one."""
    missing = conn.execute(sa.text("""
        SELECT DISTINCT a.recipient_type, a.recipient_id FROM _due a
        WHERE a.recipient_type IN ('person', 'household')
          AND NOT EXISTS (SELECT 1 FROM progress_codes c WHERE c.recipient_type = a.recipient_type
                                                          AND c.recipient_id = a.recipient_id)""")).all()
    if not missing:
        return 0
    codes = new_progress_codes(len(missing))
    if conn.dialect.name == "postgresql":
        # COPY: 330,000 codes in 0.5 s where a multi-row INSERT took 2.7 s.
        with conn.connection.driver_connection.cursor() as cur, \
                cur.copy("COPY progress_codes (code, recipient_type, recipient_id) FROM STDIN") as copy:
            for code, (t, i) in zip(codes, missing):
                copy.write_row((code, t, i))
    else:
        conn.execute(db.metadata.tables["progress_codes"].insert(), [
            {"code": code, "recipient_type": t, "recipient_id": i} for code, (t, i) in zip(codes, missing)])
    return len(missing)


def award_after_scores(sender, runs, people=None) -> None:
    """After stored scores changed (a recompute, an import): the awards follow, for each
    campaign, as of the scores' date, unless the scores went back to a date before the
    last awards (an export as of a past day), which must not revoke anything."""
    if _awarding.get():
        return
    from flask import current_app

    for campaign_id, as_of in runs:
        campaign = db.session.get(Campaign, campaign_id)
        last = db.session.get(BadgeRun, campaign_id)
        if campaign is None or (last is not None and as_date(last.as_of) > as_of):
            continue
        try:
            award(campaign, as_of, people)
        except Exception:  # the scores are committed; the next run of the awarder catches up
            current_app.logger.exception("badges not awarded after the scores of campaign %s changed", campaign_id)
