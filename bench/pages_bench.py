"""Public leaderboard pages: server time of the latest publication's pages on a province
already loaded, scored and published, against the raw SQLite query of the same rows.

What is measured: Flask's test client (no network) rendering, ``--requests`` times each,
the units board, the first page of the people board, a page deep in it (keyset paging at
rank 250,000), "find my household" for random households, the people of one commune and
the share image (PNG) of the people board once drawn; the first request of that image,
which draws it, is timed apart.
Baseline in the same run: ``sqlite3`` selecting the first 50 entries of the people board
by its index. Target (scoring issue): p95 ≤ 20 ms per page.

Usage::

    .venv/bin/python bench/pages_bench.py --db FILE [--campaign bdhvs-2026] [--requests 60]

FILE: a SQLite database with the demo province, e.g. the one ``bench/scoring_bench.py``
leaves under ``bench/data/``, after ``flask --app app leaderboard publish``.
"""
import argparse
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_MS = 20.0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--campaign", default="bdhvs-2026")
    p.add_argument("--requests", type=int, default=60)
    a = p.parse_args(argv)

    from app import create_app

    con = sqlite3.connect(a.db)
    pub = con.execute("SELECT p.id FROM publications p JOIN campaigns c ON c.id = p.campaign_id WHERE c.code = ? "
                      "ORDER BY p.as_of DESC LIMIT 1", (a.campaign,)).fetchone()
    if pub is None:
        sys.exit(f"{a.db}: {a.campaign} has no publication (flask --app app leaderboard publish)")
    households = [r[0] for r in con.execute(f"SELECT code FROM households ORDER BY random() LIMIT {a.requests}")]
    deep = con.execute("SELECT rank, key FROM published_entries WHERE publication_id = ? AND board = 'people' "
                       "AND rank > 250000 ORDER BY rank, key LIMIT 1", pub).fetchone() or (1, "")
    commune = con.execute("SELECT code FROM units WHERE kind = 'commune' ORDER BY code LIMIT 1").fetchone()[0]

    import tempfile

    share_dir = tempfile.mkdtemp(prefix="tds-share-")
    client = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{a.db.resolve()}", "SHARE_IMAGES_DIR": share_dir}).test_client()
    base = f"/leaderboards?campaign={a.campaign}"
    share = f"/leaderboards/share.png?campaign={a.campaign}&board=people"
    began = time.perf_counter()
    response = client.get(share)
    assert response.status_code == 200, response.status_code
    print(f"share image of the people board, first request (drawn): {(time.perf_counter() - began) * 1000:.0f} ms, "
          f"{len(response.data) / 1024:.0f} KB")
    pages = {
        "units board (communes)": [base] * a.requests,
        "people board, first page": [base + "&board=people"] * a.requests,
        "people board, page at rank 250,000": [base + f"&board=people&after={deep[0]}:{deep[1]}"] * a.requests,
        "find my household": [base + f"&board=households&find={h}" for h in households],
        "people of one commune": [base + f"&board=people&commune={commune}"] * a.requests,
        "share image of the people board (already drawn)": [share] * a.requests,
    }
    worst = 0.0
    for label, urls in pages.items():
        times = []
        for url in urls:
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        p95 = times[max(int(len(times) * 0.95) - 1, 0)]
        worst = max(worst, p95)
        print(f"{label}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, {len(response.data) / 1024:.0f} KB")
    times = []
    for _ in range(a.requests):
        began = time.perf_counter()
        con.execute("SELECT * FROM published_entries WHERE publication_id = ? AND board = 'people' AND bracket = '' "
                    "ORDER BY rank, key LIMIT 50", pub).fetchall()
        times.append((time.perf_counter() - began) * 1000)
    print(f"baseline: raw sqlite3, first 50 entries of the people board: p50 {statistics.median(times):.2f} ms")
    ok = worst <= TARGET_MS
    print(f"{'PASS' if ok else 'FAIL'}  every page p95 <= {TARGET_MS:.0f} ms: worst {worst:.1f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
