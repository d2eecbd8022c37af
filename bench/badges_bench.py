"""Badges benchmark: awarding every badge of a campaign on the demo province, after a
recompute, against a raw insert of the largest class's rows into a table like ours, in
the same run.

What is measured
----------------
1. The demo province (as ``bench/scoring_bench.py`` loads it: ``--db`` for a SQLite file
   already loaded, or ``--pg-url``), its scores brought to ``--as-of`` (not timed).
2. **Ours**, ``--runs`` times (default 3), each after every award of the campaign is
   deleted (not timed), so that the first run awards everything:
   ``badges.awarding.award(campaign, as_of)``: the first run (every badge new, every
   progress code drawn), then a second run (nothing to do: idempotence).
3. **After an import**, ``--runs`` times: the scores of 10,000 random people brought up to
   date (``scoring.apply_events``, what an import of 10,000 completions runs), then the
   awarder for those people (what follows it), each timed apart.
4. **Baseline**, ``--runs`` times: the raw driver (``sqlite3`` or psycopg) inserting, in
   one statement and one transaction, one row with random ids (the awarder's own SQL for
   them) per universalized person (the largest class) into a fresh scratch table built
   like ``awards``: the same columns, primary key, indexes (the partial unique index of
   live awards and the recipients' index) and foreign key, checked as the awarder's
   writes are (SQLite: ``foreign_keys=OFF``, ``emulation.bulk.references_proven_by_lookups``;
   PostgreSQL: the trigger, as for the awarder). Timed from ``BEGIN`` to ``COMMIT``.

Every figure is the best of its runs (best of N, both sides); the ratio is ours over the
baseline, best over best. Target (badges issue): awarding every badge of the
500,000-person province ≤ 10 s after a recompute. Exit status 0 when it passes.

Usage::

    .venv/bin/python bench/badges_bench.py --db bench/data/demo-500000.sqlite3
    .venv/bin/python bench/badges_bench.py --pg-url postgresql://postgres@127.0.0.1:5432/tds_bench_scoring
"""
import re
import resource
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from province import app_and_campaign, arguments, load_average, machine  # noqa: E402

TARGET_SECONDS = 10.0
INCREMENTAL_PEOPLE = 10_000
SCRATCH = "bench_awards"
# The citizen badge of every universalized person; {id} is the awarder's random hex SQL.
BASELINE_INSERT = (f"INSERT INTO {SCRATCH} (id, campaign_id, badge, recipient_type, recipient_id, awarded_on, "
                   "issued_at, salt) SELECT {id}, campaign_id, 'citizen', 'person', person_id, universalized_on, "
                   "'2026-11-27 00:00:00', {id} FROM person_scores WHERE campaign_id = {cid} "
                   "AND universalized_on IS NOT NULL")


def sqlite_scratch(conn: sqlite3.Connection) -> int:
    """A fresh, empty ``bench_awards`` made from ``awards``' own DDL (columns, keys, indexes
    and foreign key), the indexes renamed; returns its number of indexes."""
    conn.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
    for (ddl,) in conn.execute("SELECT sql FROM sqlite_master WHERE tbl_name = 'awards' AND sql IS NOT NULL "
                               "ORDER BY type = 'index'").fetchall():
        ddl = re.sub(r"\bINDEX\s+(\"?)(\w+)", r"INDEX \1bench_\2", ddl, count=1)
        conn.execute(re.sub(r'(\bTABLE\s+|\bON\s+)"?awards"?(?=\s*\()', rf"\1{SCRATCH} ", ddl, count=1))
    return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
                        (SCRATCH,)).fetchone()[0]


def pg_scratch(conn) -> int:
    """The same on PostgreSQL: ``LIKE awards INCLUDING ALL`` (columns, defaults, keys,
    indexes), then ``awards``' foreign keys; returns its number of indexes."""
    conn.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
    conn.execute(f"CREATE TABLE {SCRATCH} (LIKE awards INCLUDING ALL)")
    for (definition,) in conn.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                                      "WHERE conrelid = 'awards'::regclass AND contype = 'f'").fetchall():
        conn.execute(f"ALTER TABLE {SCRATCH} ADD {definition}")
    conn.commit()
    return conn.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s", (SCRATCH,)).fetchone()[0]


def baseline(a, cid: int) -> list[float]:
    """Seconds of each of ``a.runs`` raw inserts of the citizen rows into a fresh scratch table."""
    from badges.awarding import _random_hex

    times = []
    if a.db:
        conn = sqlite3.connect(a.db, isolation_level=None)
        # The application's connection settings (app.configure_sqlite), with the foreign
        # keys off as the awarder writes.
        for pragma in ("synchronous=NORMAL", "cache_size=-65536", "foreign_keys=OFF"):
            conn.execute(f"PRAGMA {pragma}")
        indexes = [sqlite_scratch(conn), conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'awards'").fetchone()[0]]
        insert = BASELINE_INSERT.format(id=_random_hex("sqlite"), cid=int(cid))
        for _ in range(a.runs):
            sqlite_scratch(conn)
            began = time.perf_counter()
            conn.execute("BEGIN")
            conn.execute(insert)
            conn.execute("COMMIT")
            times.append(time.perf_counter() - began)
        rows = conn.execute(f"SELECT count(*) FROM {SCRATCH}").fetchone()[0]
        conn.execute(f"DROP TABLE {SCRATCH}")
        conn.close()
    else:
        import psycopg

        conn = psycopg.connect(a.pg_url)
        indexes = [pg_scratch(conn), conn.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'awards'").fetchone()[0]]
        insert = BASELINE_INSERT.format(id=_random_hex("postgresql"), cid=int(cid))
        for _ in range(a.runs):
            pg_scratch(conn)
            began = time.perf_counter()
            conn.execute(insert)
            conn.commit()
            times.append(time.perf_counter() - began)
        rows = conn.execute(f"SELECT count(*) FROM {SCRATCH}").fetchone()[0]
        conn.execute(f"DROP TABLE {SCRATCH}")
        conn.commit()
        conn.close()
    if indexes[0] != indexes[1]:
        sys.exit(f"baseline: the scratch table has {indexes[0]} indexes, awards {indexes[1]}")
    print(f"  baseline: raw insert of the {rows:,} citizen rows into a table like awards ({indexes[0]} indexes, "
          f"{a.runs} runs): {' / '.join(f'{t:.2f}' for t in times)} s", flush=True)
    return times


def main(argv=None) -> int:
    a = arguments(__doc__.split("\n\n")[0], argv)
    url, as_of = a.url, a.as_of
    print(f"Machine: {machine()}, SQLite {sqlite3.sqlite_version}")
    print(f"Load average at start: {load_average()}")

    import sqlalchemy as sa

    from badges.awarding import award, award_after_scores
    from emulation.models import Campaign
    from emulation.scoring.scores import apply_events, ensure_scores, scores_updated
    from extensions import db

    app, cid = app_and_campaign(a)
    with app.app_context():
        scores_updated.disconnect(award_after_scores)  # reconnected below, where it is measured
        campaign = db.session.get(Campaign, cid)
        ensure_scores(campaign, as_of)
        print(f"{url}: campaign {a.campaign} as of {as_of}; scores ready")
        first, second = [], []
        for run in range(a.runs):
            db.session.close()
            with db.engine.begin() as conn:
                for table in ("awards", "badge_runs", "progress_codes"):
                    # PostgreSQL: TRUNCATE, so that earlier runs leave no dead rows behind.
                    conn.execute(sa.text(f"{'TRUNCATE' if conn.dialect.name == 'postgresql' else 'DELETE FROM'} "
                                         f"{table}"))
            for label, runs in (("first run (everything new)", first), ("second run (nothing new)", second)):
                s = award(db.session.get(Campaign, cid), as_of)
                runs.append(s)
                print(f"  run {run + 1}, {label}: {s.seconds:.2f} s — {s.awarded:,} awarded, {s.revoked:,} revoked, "
                      f"{s.redated:,} re-dated, {s.live:,} held, {s.codes:,} progress codes", flush=True)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        people = [r[0] for r in db.session.execute(sa.text(
            f"SELECT id FROM people ORDER BY random() LIMIT {INCREMENTAL_PEOPLE}"))]
        db.session.close()
        scores, awards = [], []
        for _ in range(a.runs):
            began = time.perf_counter()
            apply_events(people)
            scores.append(time.perf_counter() - began)
            awards.append(award(db.session.get(Campaign, cid), as_of, people).seconds)
        print(f"  after an import of 10,000 people's events ({a.runs} runs): scores "
              f"{' / '.join(f'{t:.2f}' for t in scores)} s, then the awarder for those people "
              f"{' / '.join(f'{t:.2f}' for t in awards)} s")
        scores_updated.connect(award_after_scores)
        db.engine.dispose()

    base = min(baseline(a, cid))
    best = min(s.seconds for s in first)
    print(f"best of {a.runs}: first run {best:.2f} s, second run {min(s.seconds for s in second):.2f} s, "
          f"after an import: scores {min(scores):.2f} s, awarder {min(awards):.2f} s; "
          f"baseline {base:.2f} s (ratio of the first run {best / base:.1f})")
    print(f"peak RSS of the process after the award runs: {rss:.0f} MB")
    ok = best <= TARGET_SECONDS
    print(f"{'PASS' if ok else 'FAIL'}  awarding every badge <= {TARGET_SECONDS:.0f} s: {best:.2f} s")
    print(f"Load average at end: {load_average()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
