"""Publishing: every board of a campaign frozen as of a date, ranked once, set-based.

Ranks are computed by ``RANK()`` over each board's sort key (``scoring.SORT_KEYS``, the
one the export ranks by), so the published ranks and the export agree (tested). Movement is the rank in the campaign's previous publication minus the new
rank. A publication is unique per campaign and date: publishing again for that date
returns the first one, so two schedulers (or a command and the scheduler) cannot publish
twice.

A publication also keeps what the home page shows of the campaign (``summary``: coverage
by target group, the certified head count, against the targets) and the "most improved"
boards of its week and month (``published_gains``, ranked as ``periods`` ranks them), so
that no public page reads the scores.
"""
from dataclasses import dataclass
from datetime import date, datetime, timezone

import sqlalchemy as sa
from blinker import Namespace
from sqlalchemy.exc import IntegrityError

from emulation.bulk import references_proven_by_lookups
from emulation.models import Campaign
from emulation.scoring.progress import campaign_progress
from emulation.scoring.scores import SORT_KEYS, ensure_scores
from extensions import db, for_writing

from . import labels
from .models import Publication
from .periods import GAIN_COLUMNS, GAIN_SELECTS, Period, eve_tables, publication_periods

# Sent inside a publication's transaction, once its entries are written, with ``conn`` (the
# transaction's connection), ``publication_id``, ``campaign_id`` and ``as_of``: what other
# packages freeze with the entries (the badges package: the badges held that day).
boards_published = Namespace().signal("boards-published")

# Each board: the select of its entries, with the rank over its sort key (SPEC §3).
BOARD_SELECTS = {
    "units": f"""
        SELECT :pid, 'units', u.code, s.bracket,
               RANK() OVER (PARTITION BY s.bracket ORDER BY {SORT_KEYS['units']}),
               s.unit_id, s.points, s.coverage, s.points_per_capita, s.reached_on, NULL, s.universalized, s.headcount
        FROM unit_scores s JOIN units u ON u.id = s.unit_id
        WHERE s.campaign_id = :cid AND s.headcount > 0""",
    "households": f"""
        SELECT :pid, 'households', h.code, '',
               RANK() OVER (ORDER BY {SORT_KEYS['households']}),
               s.unit_id, s.points, s.active_share, NULL, s.achieved_on, s.digital_family, NULL, NULL
        FROM household_scores s JOIN households h ON h.id = s.household_id
        WHERE s.campaign_id = :cid""",
    "people": f"""
        SELECT :pid, 'people', p.external_id, '',
               RANK() OVER (ORDER BY {SORT_KEYS['people']}),
               s.unit_id, s.points, NULL, NULL, s.last_scored_on, NULL, NULL, NULL
        FROM person_scores s JOIN people p ON p.id = s.person_id
        WHERE s.campaign_id = :cid""",
}
COLUMNS = ("publication_id, board, key, bracket, rank, unit_id, points, share, per_capita, day, flag, "
           "universalized, headcount")


@dataclass
class Published:
    publication_id: int
    created: bool  # False: that date was already published
    entries: int
    seconds: float


def publish(campaign: Campaign, as_of: date, *, actor: str) -> Published:
    """Freeze every board of ``campaign`` as of ``as_of`` (scores brought up to date first)."""
    started = datetime.now(timezone.utc)
    existing = db.session.scalar(sa.select(Publication.id).where(
        Publication.campaign_id == campaign.id, Publication.as_of == as_of))
    if existing is not None:
        return Published(existing, False, 0, 0.0)
    ensure_scores(campaign, as_of)
    periods = publication_periods(campaign, as_of)
    summary = summary_of(campaign, as_of, periods)
    cid = campaign.id
    db.session.close()
    pubs = db.metadata.tables["publications"]
    try:
        with db.engine.connect() as conn:
            # The scores as of each window's eve, into temporary tables, before the writing
            # transaction: computing them reads the database only, and SQLite's one writer
            # is not held meanwhile.
            with conn.begin():
                for kind, period in periods.items():
                    eve_tables(conn, campaign, period.eve, *_eves(kind))
            for_writing(conn)  # the transaction below begins as a writer's
            try:
                with references_proven_by_lookups(conn), conn.begin():
                    pid = conn.execute(sa.insert(pubs).values(
                        campaign_id=cid, as_of=as_of, published_at=datetime.now(timezone.utc), published_by=actor,
                        summary=summary).returning(pubs.c.id)).scalar_one()
                    for select in BOARD_SELECTS.values():
                        conn.execute(sa.text(f"INSERT INTO published_entries ({COLUMNS}) {select}"),
                                     {"pid": pid, "cid": cid})
                    _insert_gains(conn, pid, cid, periods)
                    previous = conn.scalar(sa.select(pubs.c.id).where(pubs.c.campaign_id == cid,
                                                                      pubs.c.as_of < as_of)
                                           .order_by(pubs.c.as_of.desc()).limit(1))
                    if previous is not None:
                        conn.execute(sa.text("""
                            UPDATE published_entries SET movement = (
                                SELECT p.rank FROM published_entries p
                                WHERE p.publication_id = :prev AND p.board = published_entries.board
                                  AND p.key = published_entries.key AND p.bracket = published_entries.bracket
                            ) - rank
                            WHERE publication_id = :pid"""), {"pid": pid, "prev": previous})
                    labels.freeze(conn, pid, cid, as_of, previous)
                    boards_published.send(publish, conn=conn, publication_id=pid, campaign_id=cid, as_of=as_of)
                    n = conn.scalar(sa.text("SELECT COUNT(*) FROM published_entries WHERE publication_id = :pid"),
                                    {"pid": pid})
            finally:
                with conn.begin():
                    for kind in periods:
                        for table in _eves(kind):
                            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    except IntegrityError:  # another process published that date meanwhile
        existing = db.session.scalar(sa.select(Publication.id).where(
            Publication.campaign_id == cid, Publication.as_of == as_of))
        return Published(existing, False, 0, 0.0)
    return Published(pid, True, n, (datetime.now(timezone.utc) - started).total_seconds())


def _eves(kind: str) -> tuple[str, str]:
    """The temporary tables of a period's eve: people's scores, units' universalized."""
    return f"_eve_{kind}_people", f"_eve_{kind}_units"


def _insert_gains(conn, pid: int, cid: int, periods: dict[str, Period]) -> None:
    for kind in periods:
        people, units = _eves(kind)
        for select in GAIN_SELECTS.values():
            conn.execute(sa.text(f"INSERT INTO published_gains ({GAIN_COLUMNS}) "
                                 + select.format(people=people, units=units)),
                         {"pid": pid, "cid": cid, "period": kind})


def summary_of(campaign: Campaign, as_of: date, periods: dict[str, Period]) -> dict:
    """What the home page shows of the campaign as of ``as_of`` (the stored scores, already
    of that date): the province's coverage by target group, the certified head count
    (universalized people but pupils and students, as the dashboard counts them), the
    targets, and the windows of the period boards."""
    progress = campaign_progress(campaign, as_of=as_of)
    return {
        "groups": {g: [c.n, c.d] for g, c in progress.scope.by_group.items()},
        "certified": progress.adults_universalized,
        "targets": campaign.targets,
        "periods": {kind: [p.start.isoformat(), p.end.isoformat()] for kind, p in periods.items()},
    }
