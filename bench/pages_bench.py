"""Public leaderboard pages: server time of the latest publication's pages on a province
already loaded, scored and published, each page drawn for the first time (cold) and
served again from the page cache (warm), against a static file of the same size served by
the same app in the same run.

What is measured: Flask's test client (no network), with a fresh app (an empty page cache)
for each of ``--runs`` runs. Every address of a kind is distinct, so that the page cache
(``web.PageCache``, keyed by the query) cannot answer a cold request with a page drawn
for another: the units board of each bracket and of each commune or ward, the first page
of the people and of the households board of the province and of each commune or ward,
pages deep in the people board (keyset cursors at ranks spread past the first page), "find
my household" for different households, and the share image (PNG) of the people board of
the province and of each commune. Up to ``--requests`` addresses of each kind; one more
of each kind is requested before timing, so that the first page of a kind does not pay
for the app's first request (templates compiled, statements built). Also the home page of
each campaign, the most improved boards (week and month, each board), units' public pages
and "find a person by name" (masked names as a visitor types them). The page weight of each
kind (HTML and stylesheets, then with images: the pages are the same at 360 px as on a
desktop) is printed, and the home page must stay under 30 KB without images.

- **Cold**: the first request of each address, drawn by the app (share image: drawn with
  Pillow and written to disk).
- **Warm**: the same addresses again: the page from the page cache (share image: the file
  already drawn).
- **Baseline**: a static file of the median size of the pages (and one of the median size
  of the share images), served through the same app (``/static/…``: the same request
  hooks and headers), ``--requests`` requests each run.

Each side's p50 and p95 are the best over the runs (best of N, both sides); the ratios
are ours over the baseline's. Target (scoring issue): p95 ≤ 20 ms for every page, cold
and warm, and for the share image already drawn; the share image's first draw is reported
apart, not under the target. A raw ``sqlite3`` query of the 50 rows of the people board's
first page is printed too (what the rows alone cost).

Usage::

    .venv/bin/python bench/pages_bench.py --db FILE [--campaign bdhvs-2026] [--requests 60] [--runs 3]

FILE: a SQLite database with the demo province, e.g. the one ``bench/scoring_bench.py``
leaves under ``bench/data/``, after ``flask --app app leaderboard publish``.
"""
import argparse
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from province import load_average, machine  # noqa: E402

TARGET_MS = 20.0
HOME_KB = 30


def percentile(ordered: list[float], p: int) -> float:
    return ordered[max(0, int(len(ordered) * p / 100) - 1)]


def stats(times: list[float]) -> tuple[float, float, float, float]:
    """p50, p95, fastest and slowest, in ms."""
    ordered = sorted(times)
    return statistics.median(ordered), percentile(ordered, 95), ordered[0], ordered[-1]


def addresses(con: sqlite3.Connection, pub: int, campaign: str, n: int, page_size: int) -> dict[str, list[str]]:
    """Distinct addresses by kind: ``n + 1`` at most each (the first is for warming up)."""
    def board(**query):
        return "/leaderboards?" + urlencode({"campaign": campaign, **query})

    communes = [r[0] for r in con.execute(
        "SELECT code FROM units WHERE kind IN ('commune', 'ward') ORDER BY code")]
    brackets = [r[0] for r in con.execute(
        "SELECT DISTINCT bracket FROM published_entries WHERE publication_id = ? AND board = 'units' "
        "ORDER BY bracket", (pub,))]
    size = con.execute("SELECT count(*) FROM published_entries WHERE publication_id = ? AND board = 'people' "
                       "AND bracket = ''", (pub,)).fetchone()[0]
    # Cursors spread evenly by position (in (rank, key) order: tied ranks are many) from
    # the end of the first page to the end of the board, each a distinct entry.
    step = max(1, (size - page_size) // (n + 1))
    cursors = con.execute(
        "SELECT rank, key FROM (SELECT rank, key, ROW_NUMBER() OVER (ORDER BY rank, key) AS n FROM published_entries "
        "WHERE publication_id = ? AND board = 'people' AND bracket = '') WHERE n >= ? AND (n - ?) % ? = 0 "
        "ORDER BY n LIMIT ?", (pub, page_size, page_size, step, n + 1)).fetchall()
    households = [r[0] for r in con.execute(
        "SELECT key FROM published_entries WHERE publication_id = ? AND board = 'households' AND bracket = '' "
        "ORDER BY random() LIMIT ?", (pub, n + 1))]
    # What a visitor types: a masked name as the board shows it, folded ("lo v s").
    names = [r[0] for r in con.execute(
        "SELECT DISTINCT search_key FROM published_entries WHERE publication_id = ? AND board = 'people' "
        "AND bracket = '' AND search_key IS NOT NULL ORDER BY random() LIMIT ?", (pub, n + 1))]
    units = [r[0] for r in con.execute(
        "SELECT DISTINCT key FROM published_entries WHERE publication_id = ? AND board = 'units' "
        "ORDER BY random() LIMIT ?", (pub, n + 1))]
    improved = [f"/leaderboards/improved?" + urlencode({"campaign": campaign, "period": period, "board": b})
                for period in ("week", "month") for b in ("units", "households", "people")]
    kinds = {
        "home page, each campaign": ["/?" + urlencode({"campaign": c}) for (c,) in con.execute(
            "SELECT code FROM campaigns ORDER BY starts_on")] + ["/"],
        "most improved boards, week and month, each board": improved,
        "a unit's public page": [f"/leaderboards/units/{u}?" + urlencode({"campaign": campaign}) for u in units],
        "find a person by name": [board(board="people", find=name) for name in names],
        "units board, by bracket and commune": [board(board="units", bracket=b) for b in brackets]
        + [board(board="units", commune=c) for c in communes],
        "people board, first page, province and each commune": [board(board="people")]
        + [board(board="people", commune=c) for c in communes],
        "households board, first page, province and each commune": [board(board="households")]
        + [board(board="households", commune=c) for c in communes],
        "people board, deep pages (keyset)": [board(board="people", after=f"{r}:{k}") for r, k in cursors],
        "find my household": [board(board="households", find=h) for h in households],
        "share image of the people board": [
            "/leaderboards/share.png?" + urlencode({"campaign": campaign, "board": "people", **scope})
            for scope in [{}] + [{"commune": c} for c in communes]],
    }
    if len(cursors) > 1:
        low, high = cursors[1][0], cursors[-1][0]
        kinds[f"people board, deep pages (keyset, after ranks {low:,}–{high:,} of {size:,} entries)"] = \
            kinds.pop("people board, deep pages (keyset)")
    else:
        del kinds["people board, deep pages (keyset)"]
    kinds = {kind: list(dict.fromkeys(urls))[:n + 1] for kind, urls in kinds.items()}
    return {kind: urls for kind, urls in kinds.items() if len(urls) >= 2}


ASSET = re.compile(r'<(?:link[^>]*rel="stylesheet"[^>]*href|img[^>]*src)="([^"]+)"')


def weight(client, url: str) -> tuple[int, int]:
    """What a phone downloads for a page (the pages serve the same to every screen width):
    the HTML and its stylesheets, then with its images; each asset counted once."""
    html = client.get(url).get_data(as_text=True)
    css = images = 0
    for asset in dict.fromkeys(ASSET.findall(html)):
        size = len(client.get(asset.replace("&amp;", "&")).data)
        if asset.split("?")[0].endswith(".css"):
            css += size
        else:
            images += size
    text = len(html.encode("utf-8")) + css
    return text, text + images


def get(client, url: str) -> tuple[float, int]:
    """Milliseconds taken by one request, and the size of the answer; exits unless 200."""
    began = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        sys.exit(f"{url}: {response.status_code}")
    return elapsed, len(response.data)


def static_copy(pages: int, images: int) -> tuple[Path, str, str]:
    """A copy of the app's static folder with two more files, of ``pages`` and of
    ``images`` bytes; returns the folder and their addresses."""
    folder = Path(tempfile.mkdtemp(prefix="tds-static-"))
    shutil.copytree(ROOT / "static", folder, dirs_exist_ok=True)
    row = b"<tr><td>1</td><td>Nguy\xe1\xbb\x85n V. A.</td><td>X\xc3\xa3 B\xc3\xacnh L\xc6\xb0</td><td>120</td></tr>\n"
    (folder / "bench-page.html").write_bytes((row * (pages // len(row) + 1))[:pages])
    (folder / "bench-image.png").write_bytes(bytes(range(256)) * (images // 256) + bytes(images % 256))
    return folder, "/static/bench-page.html", "/static/bench-image.png"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--campaign", default="bdhvs-2026")
    p.add_argument("--requests", type=int, default=60, help="distinct addresses of each kind, at most")
    p.add_argument("--runs", type=int, default=3, help="runs, each with a fresh app (default 3; the best counts)")
    a = p.parse_args(argv)

    from app import create_app
    from leaderboards.public import PAGE_SIZE

    print(f"Machine: {machine()}, SQLite {sqlite3.sqlite_version}")
    print(f"Load average at start: {load_average()}")
    con = sqlite3.connect(a.db)
    pub = con.execute("SELECT p.id FROM publications p JOIN campaigns c ON c.id = p.campaign_id WHERE c.code = ? "
                      "ORDER BY p.as_of DESC LIMIT 1", (a.campaign,)).fetchone()
    if pub is None:
        sys.exit(f"{a.db}: {a.campaign} has no publication (flask --app app leaderboard publish)")
    pub = pub[0]
    kinds = addresses(con, pub, a.campaign, a.requests, PAGE_SIZE)
    print(f"{a.db}: latest publication of {a.campaign}; distinct addresses by kind (after one for warming up): "
          + ", ".join(f"{len(urls) - 1}" for urls in kinds.values()))

    cold = {kind: [] for kind in kinds}  # per run: (p50, p95)
    warm = {kind: [] for kind in kinds}
    base = {"page": [], "image": []}
    sizes: dict[str, list[int]] = {kind: [] for kind in kinds}
    static = None
    for run in range(a.runs):
        share_dir = tempfile.mkdtemp(prefix="tds-share-")
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{a.db.resolve()}", "SHARE_IMAGES_DIR": share_dir})
        client = app.test_client()
        for urls in kinds.values():
            get(client, urls[0])
        for kind, urls in kinds.items():
            times = []
            for url in urls[1:]:
                ms, size = get(client, url)
                times.append(ms)
                if run == 0:
                    sizes[kind].append(size)
            cold[kind].append(stats(times))
        for kind, urls in kinds.items():
            warm[kind].append(stats([get(client, url)[0] for url in urls[1:]]))
        if run == 0:
            weights = {kind: [weight(client, url) for url in urls[1:]] for kind, urls in kinds.items()
                       if not kind.startswith("share image")}
        if static is None:
            image_kind = next(k for k in kinds if k.startswith("share image"))
            pages = [s for k, v in sizes.items() if k != image_kind for s in v]
            static = static_copy(int(statistics.median(pages)), int(statistics.median(sizes[image_kind])))
            print(f"baseline files: {static[1]} {statistics.median(pages) / 1024:.1f} KB (the pages' median), "
                  f"{static[2]} {statistics.median(sizes[image_kind]) / 1024:.1f} KB (the share images' median)")
        app.static_folder = str(static[0])
        for name, url in (("page", static[1]), ("image", static[2])):
            get(client, url)
            base[name].append(stats([get(client, url)[0] for _ in range(a.requests)]))
        shutil.rmtree(share_dir, ignore_errors=True)
        print(f"  run {run + 1}: cold p95 " + " / ".join(f"{cold[k][-1][1]:.1f}" for k in kinds)
              + " ms; warm p95 " + " / ".join(f"{warm[k][-1][1]:.1f}" for k in kinds)
              + f" ms; baseline p95 {base['page'][-1][1]:.2f} / {base['image'][-1][1]:.2f} ms", flush=True)
    shutil.rmtree(static[0], ignore_errors=True)

    def best(series):
        """Each statistic's best run: p50, p95, fastest and slowest."""
        return tuple(min(s[i] for s in series) for i in range(4))

    bp50, bp95, bmin, _ = best(base["page"])
    ip50, ip95, imin, _ = best(base["image"])
    print(f"best of {a.runs} runs, ms (in brackets: the ratio to the static file of the same size served by the "
          f"same app, p50 / p95, best over best):")
    print(f"  baseline, static file of the pages' size: p50 {bp50:.2f}, p95 {bp95:.2f}, fastest {bmin:.2f}; "
          f"of the share images' size: p50 {ip50:.2f}, p95 {ip95:.2f}, fastest {imin:.2f}")
    worst = 0.0
    for kind in kinds:
        b50, b95 = (ip50, ip95) if kind.startswith("share image") else (bp50, bp95)
        c50, c95, cmin, cmax = best(cold[kind])
        w50, w95, wmin, wmax = best(warm[kind])
        n = len(kinds[kind]) - 1
        print(f"  {kind} ({n} addresses, {statistics.median(sizes[kind]) / 1024:.0f} KB):\n"
              f"      cold p50 {c50:.1f} p95 {c95:.1f} (x{c50 / b50:.1f} / x{c95 / b95:.1f}), fastest {cmin:.1f}, "
              f"slowest {cmax:.1f} | warm p50 {w50:.2f} p95 {w95:.2f} (x{w50 / b50:.1f} / x{w95 / b95:.1f}), "
              f"slowest {wmax:.1f}")
        worst = max(worst, w95) if kind.startswith("share image") else max(worst, c95, w95)
    print("page weight (what a phone downloads; median over the addresses of a kind): HTML + CSS, then with "
          "images")
    for kind, sizes_ in weights.items():
        text = statistics.median(t for t, _ in sizes_)
        whole = statistics.median(w for _, w in sizes_)
        print(f"  {kind}: {text / 1024:.1f} KB, with images {whole / 1024:.1f} KB (largest {max(t for t, _ in sizes_) / 1024:.1f} KB)")
    home = max(t for t, _ in weights.get("home page, each campaign", [(0, 0)]))
    print(f"{'PASS' if home <= HOME_KB * 1024 else 'FAIL'}  the home page <= {HOME_KB} KB without images: "
          f"{home / 1024:.1f} KB")
    times = []
    for _ in range(a.requests * a.runs):
        began = time.perf_counter()
        con.execute("SELECT * FROM published_entries WHERE publication_id = ? AND board = 'people' AND bracket = '' "
                    "ORDER BY rank, key LIMIT 50", (pub,)).fetchall()
        times.append((time.perf_counter() - began) * 1000)
    print(f"  raw sqlite3, the 50 rows of the people board's first page: p50 {statistics.median(times):.2f} ms")
    ok = worst <= TARGET_MS and home <= HOME_KB * 1024
    print(f"{'PASS' if ok else 'FAIL'}  every page p95 <= {TARGET_MS:.0f} ms, cold and warm (share image: drawn "
          f"already): worst {worst:.1f} ms")
    print(f"Load average at end: {load_average()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
