"""Badges benchmark: awarding every badge of a campaign on the demo province, after a
recompute, against a raw insert of the largest class's rows in the same run.

What is measured
----------------
1. The demo province (as ``bench/scoring_bench.py`` loads it: ``--db`` for a SQLite file
   already loaded, or ``--pg-url``), its scores brought to ``--as-of`` (not timed), and
   every award of the campaign deleted, so that the first run awards everything.
2. **Ours**: ``badges.awarding.award(campaign, as_of)``: the first run (every badge new,
   every progress code drawn), then a second run (nothing to do: idempotence).
3. **After an import**: the scores of 10,000 random people brought up to date
   (``scoring.apply_events``, what an import of 10,000 completions runs), then the awarder
   for those people (what follows it), each timed apart, 3 runs.
4. **Baseline** (SQLite): Python's ``sqlite3`` inserting, into a scratch table shaped like
   ``awards``, one row with random ids per universalized person (the largest class), in
   one statement.

Target (badges issue): awarding every badge of the 500,000-person province ≤ 10 s after a
recompute. Exit status 0 when it passes.

Usage::

    .venv/bin/python bench/badges_bench.py --db bench/data/demo-500000.sqlite3
    .venv/bin/python bench/badges_bench.py --pg-url postgresql://postgres@127.0.0.1:5432/tds_bench_scoring
"""
import resource
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from province import app_and_campaign, arguments  # noqa: E402

TARGET_SECONDS = 10.0
INCREMENTAL_PEOPLE = 10_000


def main(argv=None) -> int:
    a = arguments(__doc__.split("\n\n")[0], argv)
    url, as_of = a.url, a.as_of

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
        with db.engine.begin() as conn:
            for table in ("awards", "badge_runs", "progress_codes"):
                # PostgreSQL: TRUNCATE, so that earlier runs leave no dead rows behind.
                conn.execute(sa.text(f"{'TRUNCATE' if conn.dialect.name == 'postgresql' else 'DELETE FROM'} {table}"))
        print(f"{url}: campaign {a.campaign} as of {as_of}; scores ready, awards cleared")
        runs = []
        for label in ("first run (everything new)", "second run (nothing new)"):
            s = award(db.session.get(Campaign, cid), as_of)
            runs.append(s)
            print(f"  {label}: {s.seconds:.2f} s — {s.awarded:,} awarded, {s.revoked:,} revoked, {s.redated:,} re-dated, "
                  f"{s.live:,} held, {s.codes:,} progress codes", flush=True)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        people = [r[0] for r in db.session.execute(sa.text(
            f"SELECT id FROM people ORDER BY random() LIMIT {INCREMENTAL_PEOPLE}"))]
        db.session.close()
        scores, awards = [], []
        for _ in range(3):
            began = time.perf_counter()
            apply_events(people)
            scores.append(time.perf_counter() - began)
            awards.append(award(db.session.get(Campaign, cid), as_of, people).seconds)
        print(f"  after an import of 10,000 people's events (3 runs): scores "
              f"{' / '.join(f'{t:.2f}' for t in scores)} s, then the awarder for those people "
              f"{' / '.join(f'{t:.2f}' for t in awards)} s")
        scores_updated.connect(award_after_scores)
        db.engine.dispose()

    base = None
    if a.db:
        conn = sqlite3.connect(a.db)
        conn.execute("PRAGMA cache_size=-65536")
        conn.execute("CREATE TEMP TABLE bench_awards AS SELECT * FROM awards WHERE 0")
        began = time.perf_counter()
        conn.execute("INSERT INTO bench_awards (id, campaign_id, badge, recipient_type, recipient_id, awarded_on, "
                     "issued_at, salt) SELECT lower(hex(randomblob(16))), campaign_id, 'citizen', 'person', person_id, "
                     "universalized_on, '2026-11-27 00:00:00', lower(hex(randomblob(16))) FROM person_scores "
                     "WHERE campaign_id = ? AND universalized_on IS NOT NULL", (cid,))
        conn.commit()
        base = time.perf_counter() - began
        conn.close()
        print(f"  baseline: raw sqlite3 insert of the citizen rows alone: {base:.2f} s "
              f"(ratio {runs[0].seconds / base:.1f})")
    print(f"peak RSS of the process after the two runs: {rss:.0f} MB")
    ok = runs[0].seconds <= TARGET_SECONDS
    print(f"{'PASS' if ok else 'FAIL'}  awarding every badge <= {TARGET_SECONDS:.0f} s: {runs[0].seconds:.2f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
