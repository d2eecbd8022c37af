"""Home Affairs benchmark: the nominee list and the yearly progress report of the demo
province, generated and written out, against a raw query in the same run.

What is measured (the scores already brought to ``--as-of``, not timed):

1. **Ours**: ``emulation.commendation.nominees.generate`` (every candidate of the three sections ranked
   by its board, the limits, the fingerprint, the entries stored), then the XLSX, the PDF
   and the CSV of it, and ``rederive`` (the list derived again and compared).
2. **The yearly report** of the as-of date's year (``emulation.commendation.reports.build_report``, then
   its XLSX and PDF).
3. **Baseline** (SQLite): Python's ``sqlite3`` running the households board's ranking over
   every stored household score (the largest of the candidate queries).

Targets (nominees issue): the nominee list, and the yearly report, of the 500,000-person
province ≤ 5 s each (generated and written as XLSX). Exit status 0 when both pass.

Usage::

    .venv/bin/python bench/home_affairs_bench.py --db bench/data/demo-500000.sqlite3
    .venv/bin/python bench/home_affairs_bench.py --pg-url postgresql://postgres@127.0.0.1:5432/tds_bench_scoring
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

TARGET_SECONDS = 5.0


def main(argv=None) -> int:
    a = arguments(__doc__.split("\n\n")[0], argv)
    url, as_of = a.url, a.as_of

    from emulation.commendation.nominee_exports import export
    from emulation.commendation.nominees import entries_of, generate, rederive
    from emulation.models import Campaign, NomineeList
    from emulation.scoring.scores import SORT_KEYS, ensure_scores
    from extensions import db

    app, cid = app_and_campaign(a)
    timings = {}
    with app.app_context():
        campaign = db.session.get(Campaign, cid)
        ensure_scores(campaign, as_of)
        print(f"{url}: campaign {a.campaign} as of {as_of}; scores ready")
        began = time.perf_counter()
        lst = generate(db.session.get(Campaign, cid), as_of, actor="bench")
        timings["generate"] = time.perf_counter() - began
        entries = entries_of(lst)
        counts = {s: sum(e.section == s for e in entries) for s in ("collective", "individual", "family")}
        print(f"  generate: {timings['generate']:.2f} s — {counts['collective']} collectives, "
              f"{counts['individual']} individuals, {counts['family']} families")
        for fmt in ("xlsx", "pdf", "csv"):
            began = time.perf_counter()
            data = export(fmt, db.session.get(Campaign, cid), lst, entries_of(lst))
            timings[fmt] = time.perf_counter() - began
            print(f"  {fmt}: {timings[fmt]:.2f} s, {len(data) / 1024:.0f} KB")
        began = time.perf_counter()
        result = rederive(db.session.get(NomineeList, lst.id), actor="bench")
        timings["rederive"] = time.perf_counter() - began
        print(f"  rederive: {timings['rederive']:.2f} s — matches: {result.matches}, same data: {result.same_data}")
        from emulation.commendation.report_exports import export as export_report
        from emulation.commendation.reports import build_report, parse_period

        began = time.perf_counter()
        report = build_report(db.session.get(Campaign, cid), parse_period(str(as_of.year)))
        timings["report"] = time.perf_counter() - began
        print(f"  yearly report {as_of.year}: {timings['report']:.2f} s ({len(report.communes)} communes and wards)")
        for fmt in ("xlsx", "pdf"):
            began = time.perf_counter()
            data = export_report(fmt, report)
            timings[f"report {fmt}"] = time.perf_counter() - began
            print(f"  report {fmt}: {timings[f'report {fmt}']:.2f} s, {len(data) / 1024:.0f} KB")
        db.engine.dispose()
    if a.db:
        conn = sqlite3.connect(a.db)
        conn.execute("PRAGMA cache_size=-65536")
        began = time.perf_counter()
        conn.execute(f"SELECT * FROM (SELECT s.household_id, RANK() OVER (ORDER BY {SORT_KEYS['households']}) AS r "
                     f"FROM household_scores s WHERE s.campaign_id = ?) WHERE r <= 100000", (cid,)).fetchall()
        base = time.perf_counter() - began
        conn.close()
        print(f"  baseline: raw sqlite3 ranking of every household: {base:.2f} s "
              f"(ratio {timings['generate'] / base:.1f})")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    checks = [("the nominee list generated and written (XLSX)", timings["generate"] + timings["xlsx"]),
              ("the yearly report generated and written (XLSX)", timings["report"] + timings["report xlsx"])]
    for label, seconds in checks:
        print(f"{'PASS' if seconds <= TARGET_SECONDS else 'FAIL'}  {label} <= {TARGET_SECONDS:.0f} s: {seconds:.2f} s")
    return 0 if all(seconds <= TARGET_SECONDS for _, seconds in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
