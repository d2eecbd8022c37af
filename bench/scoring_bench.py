"""Scoring benchmark: the full recompute of a campaign on the demo province, against raw
SQLite scans of the same completions in the same run.

What is measured
----------------
1. The demo province (``flask demo load --people N --seed 7``, 500,000 people and about
   7.4M completions by default) in a SQLite file under ``bench/data/`` (or ``--db`` for
   one already loaded). Not timed.
2. **Ours**: ``emulation.scoring.scores.recompute(campaign, as_of)``, end to end (every person's,
   household's and unit's scores rebuilt in one transaction), best of ``--runs``; the peak
   RSS of the process is printed.
3. **Baselines**, with Python's ``sqlite3`` on the same file, same page cache:
   - *scan*: one pass over the campaign window's completions (``count``, ``sum``) — the floor;
   - *points*: one plain aggregate, the skill points of every person
     (``SUM(points) … JOIN skills … GROUP BY person_id``) — the heart of the work, alone.
   Each baseline runs ``--runs`` times too, after the recomputes; the ratio is ours over
   each, best run over best run.
4. **Incremental**: ``emulation.scoring.scores.apply_events`` for 10,000 random people, what
   ``run_import`` runs after an import of 10,000 completions (one per person): those
   people, their mentors, their households and the unit roll-up; compared with the full
   recompute.

Targets (scoring issue): a full recompute ≤ 10 s (aim: 3 s); the scores after a
10,000-completion import ≤ 1 s. Exit status 0 when both pass.

5. **Period boards**: the units board of the month and the people board of the week that
   end on the as-of date (``leaderboards.periods``), each computing the scores of the
   window's eve again.

With ``--pg-url postgresql://…/tds_bench_scoring`` the same runs go to PostgreSQL: the
database (its name must start with ``tds_bench``, or with ``$BENCH_PG_PREFIX``) is created and loaded when it has no
province yet, and kept; the baselines run the same SQL through psycopg.

Usage::

    .venv/bin/python bench/scoring_bench.py [--people 500000] [--db FILE | --pg-url URL]
        [--campaign bdhvs-2026] [--as-of 2026-11-27] [--runs 3]
"""
import argparse
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from province import load_average, machine, pg_name_allowed  # noqa: E402

TARGET_SECONDS = 10.0
TARGET_INCREMENTAL_SECONDS = 1.0
INCREMENTAL_PEOPLE = 10_000


def build(url: str, people: int) -> None:
    """The demo province through the real command line (``db upgrade`` then ``demo load``)."""
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for args in (["db", "upgrade"], ["demo", "load", "--people", str(people), "--seed", "7"]):
        subprocess.run(flask + args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


BASELINES = (
    ("scan", "SELECT count(*), sum(skill_id) FROM completions WHERE completed_on BETWEEN ? AND ?"),
    ("points", "SELECT c.person_id, sum(s.points) FROM completions c JOIN skills s ON s.id = c.skill_id "
               "WHERE c.completed_on BETWEEN ? AND ? GROUP BY c.person_id"),
)


def baseline(url: str, start: str, end: str, runs: int) -> dict[str, list[float]]:
    """The baseline queries with the raw driver (sqlite3 or psycopg) on the same database,
    each ``runs`` times: seconds of every run, by name."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        conn.execute("PRAGMA cache_size=-65536")
        run = lambda sql: conn.execute(sql, (start, end)).fetchall()  # noqa: E731
    else:
        import psycopg

        conn = psycopg.connect(url)
        run = lambda sql: conn.execute(sql.replace("?", "%s"), (start, end)).fetchall()  # noqa: E731
    out = {name: [] for name, _ in BASELINES}
    for _ in range(runs):
        for name, sql in BASELINES:
            began = time.perf_counter()
            run(sql)
            out[name].append(time.perf_counter() - began)
    conn.close()
    return out


def pg_database(url: str) -> bool:
    """Create the PostgreSQL database of ``url`` if missing; True when it holds a province."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    name = make_url(url).database or ""
    if not pg_name_allowed(name):
        sys.exit(f"--pg-url: the database name must start with tds_bench or $BENCH_PG_PREFIX (got {name!r})")
    admin = make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return False
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT to_regclass('public.people') IS NOT NULL").fetchone()[0] and \
            conn.execute("SELECT EXISTS (SELECT 1 FROM people)").fetchone()[0]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--people", type=int, default=500_000)
    p.add_argument("--db", type=Path, help="a SQLite file with the demo province already loaded")
    p.add_argument("--pg-url", help="run on this PostgreSQL database instead (name starting with tds_bench "
                                    "or $BENCH_PG_PREFIX)")
    p.add_argument("--campaign", default="bdhvs-2026")
    p.add_argument("--as-of", default="2026-11-27")
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args(argv)

    print(f"Machine: {machine()}, SQLite {sqlite3.sqlite_version}")
    print(f"Load average at start: {load_average()}")
    if a.pg_url:
        url, loaded = a.pg_url, pg_database(a.pg_url)
    else:
        db = (a.db or ROOT / "bench" / "data" / f"demo-{a.people}.sqlite3").resolve()
        db.parent.mkdir(parents=True, exist_ok=True)
        url, loaded = f"sqlite:///{db}", db.exists()
    if not loaded:
        print(f"Loading the demo province of {a.people:,} people into {url} ...", flush=True)
        began = time.perf_counter()
        build(url, a.people)
        print(f"  loaded in {time.perf_counter() - began:.0f} s")

    import sqlalchemy as sa

    from app import create_app
    from emulation.models import Campaign
    from emulation.scoring.scores import recompute
    from extensions import db as sadb

    from config import normalise_database_url

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(url)})
    # The scores alone: the awards that follow every change of scores are measured by
    # bench/badges_bench.py.
    from badges.awarding import award_after_scores
    from emulation.scoring.scores import scores_updated

    scores_updated.disconnect(award_after_scores)
    as_of = date.fromisoformat(a.as_of)
    ours = []
    with app.app_context():
        campaign = sadb.session.scalar(sa.select(Campaign).where(Campaign.code == a.campaign))
        if campaign is None:
            sys.exit(f"no campaign {a.campaign} in {url}")
        start, end = campaign.starts_on.isoformat(), min(campaign.ends_on, as_of).isoformat()
        counts = sadb.session.execute(sa.text(
            "SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM completions)")).one()
        print(f"Province: {counts[0]:,} people, {counts[1]:,} completions; campaign {campaign.code} "
              f"as of {as_of} (window {start} to {end})")
        for run in range(a.runs):
            summary = recompute(sadb.session.get(Campaign, campaign.id), as_of)
            ours.append(summary.seconds)
            print(f"  run {run + 1}: recompute {summary.seconds:.2f} s ({summary.people:,} people, "
                  f"{summary.universalized:,} universalized, {summary.digital_families:,} digital families, "
                  f"{summary.units:,} units)", flush=True)
        recompute_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # Period boards: the scores on the eve of the window, computed again into a scratch
        # table, against the stored scores as of the window's end (already up to date).
        from leaderboards.boards import BoardQuery
        from leaderboards.periods import period_entries, period_of

        periods = {}
        for board, kind in (("units", "month"), ("people", "week")):
            began = time.perf_counter()
            rows = period_entries(BoardQuery(sadb.session.get(Campaign, campaign.id), board), period_of(kind, as_of))
            periods[f"{board} board, {kind}"] = time.perf_counter() - began
            print(f"  period board: {board}, {kind} ({len(rows):,} entries) in {periods[f'{board} board, {kind}']:.2f} s",
                  flush=True)
        # What an import of 10,000 completions (one per person) costs the scores afterwards:
        # the same work as run_import's update (scoring.apply_events), on random people.
        from emulation.scoring.scores import apply_events

        people = [r[0] for r in sadb.session.execute(sa.text(
            f"SELECT id FROM people ORDER BY random() LIMIT {INCREMENTAL_PEOPLE}"))]
        sadb.session.close()
        incremental = []
        for run in range(a.runs):
            began = time.perf_counter()
            apply_events(people)
            incremental.append(time.perf_counter() - began)
            print(f"  run {run + 1}: scores of {len(people):,} people brought up to date in {incremental[-1]:.2f} s",
                  flush=True)
        sadb.engine.dispose()
    runs = baseline(url, start, end, a.runs)
    for name, times in runs.items():
        print(f"  baseline {name}, {len(times)} runs: {' / '.join(f'{t:.2f}' for t in times)} s")
    base = {name: min(times) for name, times in runs.items()}
    best = min(ours)
    print(f"best of {a.runs}: recompute {best:.2f} s | baseline scan {base['scan']:.2f} s "
          f"(ratio {best / base['scan']:.1f}) | baseline points aggregate {base['points']:.2f} s "
          f"(ratio {best / base['points']:.1f})")
    print(f"peak RSS of the process after the recomputes: {recompute_rss:.0f} MB; at the end (the period boards "
          f"held in memory): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"best incremental update: {min(incremental):.2f} s (ratio to the full recompute {min(incremental) / best:.2f})")
    checks = [(best <= TARGET_SECONDS, f"full recompute <= {TARGET_SECONDS:.0f} s: {best:.2f} s"),
              (min(incremental) <= TARGET_INCREMENTAL_SECONDS,
               f"scores after a 10,000-completion import <= {TARGET_INCREMENTAL_SECONDS:.0f} s: {min(incremental):.2f} s")]
    for ok, text in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    print(f"Load average at end: {load_average()}")
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
