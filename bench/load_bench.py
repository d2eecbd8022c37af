"""Load benchmark: the public leaderboard pages served by gunicorn on loopback at a steady
rate, while an import of 1,000,000 completions, a full recompute and the scheduler run.

What it does, on a demo province already loaded and published (``--db``, e.g. the one
``scoring_bench.py`` leaves in ``bench/data/``, after ``leaderboard publish``):

1. Starts ``gunicorn -w 2 -k gthread --threads 8 "app:create_app()"`` on a free port
   (``--workers``, ``--threads``), with the repository's gunicorn.conf.py (the app loaded
   and warmed once before the workers fork), and ``flask scheduler run`` beside it.
2. Baseline, in the same run: a static file (``/static/app.css``) from the same server at
   the same rate for ``--baseline-seconds`` (default 10): what the server, the loopback
   and the client cost with no work behind them.
3. Sends ``--rate`` requests a second (default 200) for ``--seconds`` (default 60), open
   loop (each request leaves at its own time, whatever the others do; see ``Client``), in
   the proportions of ``MIX``: the boards' first pages, "find my household" and pages deep
   in the people board; each answer is checked to be a 200 page with a table.
4. Five seconds in, imports a file of ``--rows`` new completions (default 1,000,000) with
   ``flask import completions``, then runs ``flask scores recompute``. They and the
   scheduler run as the README advises for batch work beside a server (``--batch``:
   ``nice -n 10`` by default; ``idle`` for ``chrt --idle 0``, ``normal``).
5. Reports p50/p95/p99 latency (from the time each request was due), by kind of page and
   by 10 s of the run, the errors, whether any process wrote "database is locked", and
   whether every row of the file is in the database (a sample of 2,000 rows, each with
   its earliest date).

Targets (hardening issue): p95 ≤ 100 ms at 200 requests a second with zero errors; no
"database is locked"; no lost row. The load generator runs on the same two cores.

Usage::

    .venv/bin/pip install -e '.[serve]'
    .venv/bin/python bench/load_bench.py --db bench/data/demo-500000.sqlite3
"""
import argparse
import asyncio
import http.client
import http.cookiejar
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 100.0
# What visitors ask for. "top": the first page of a board: the units board of each bracket,
# the households and people boards of the province and of each commune or ward (served
# from the page cache once drawn); "find": a
# household looked up by its code, and "deep": a page of the people board past rank 1,000,
# each drawn from as many distinct entries as there are requests, so nearly every one is a
# page the server has not drawn before.
MIX = {"top": 0.4, "find": 0.3, "deep": 0.3}
# The import and the recompute: "idle" runs them only on CPU time the server leaves
# (SCHED_IDLE); "nice" at niceness 10; "normal" at the server's own priority.
BATCH_PRIORITY = {"idle": ["chrt", "--idle", "0"], "nice": ["nice", "-n", "10"], "normal": []}
STATIC = "/static/app.css"  # the baseline: what the same server answers with the least work


def percentile(ordered: list[float], p: int) -> float:
    return ordered[max(0, int(len(ordered) * p / 100) - 1)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """An open-loop HTTP/1.1 client on one asyncio loop: each request leaves at its due time,
    whatever the earlier ones are doing, and its latency is counted from that due time, so a
    stalled server shows up in full (no coordinated omission). Connections are kept alive
    and reused, as browsers do; one that the server closed while idle (gunicorn's keep-alive
    is 2 s) is replaced and the request sent again, as browsers do.

    One thread and no per-request thread switch: the earlier client (64 threads with
    ``http.client``) cost enough CPU, on the two cores it shares with the server, to add
    about 300 ms to the p95 it measured."""

    def __init__(self, port: int, expect: bytes):
        self.port = port
        self.expect = expect  # what every answer's body must hold
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.latencies: dict[str, list[float]] = {}  # by kind of request
        self.errors: list[str] = []  # what went wrong, one per failed request
        self.timeline: list[tuple[float, float]] = []  # (due, latency) of every request

    async def _send(self, url: str, fresh: bool) -> tuple[int, bytes]:
        """The status and body of the answer."""
        if self.idle and not fresh:
            reader, writer = self.idle.pop()
        else:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            fields = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)
            fields = {k.strip().lower(): v.strip().lower() for k, v in fields.items()}
            body = await reader.readexactly(int(fields.get(b"content-length", 0)))
        except BaseException:
            writer.close()
            raise
        if fields.get(b"connection") == b"close":
            writer.close()
        else:
            self.idle.append((reader, writer))
        return status, body

    async def _one(self, due: float, kind: str, url: str) -> None:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        try:
            try:
                status, body = await self._send(url, fresh=False)
            except (asyncio.IncompleteReadError, ConnectionError):  # closed while idle: once more, anew
                status, body = await self._send(url, fresh=True)
            error = (None if status == 200 and self.expect in body
                     else f"{status}" if status != 200 else "200 without the expected content")
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            error = type(exc).__name__
        elapsed = (time.perf_counter() - due) * 1000
        self.latencies.setdefault(kind, []).append(elapsed)
        self.timeline.append((due, elapsed))
        if error:
            self.errors.append(error)

    async def run(self, requests: list[tuple[str, str]], rate: int) -> None:
        """Sends each (kind, url) at ``rate`` a second."""
        start = time.perf_counter() + 0.5
        tasks = []
        for i, (kind, url) in enumerate(requests):
            due = start + i / rate
            while time.perf_counter() < due - 0.1:  # create each task shortly before it is due
                await asyncio.sleep(0.05)
            tasks.append(asyncio.create_task(self._one(due, kind, url)))
        await asyncio.gather(*tasks)
        for _, writer in self.idle:
            writer.close()


class WriterWatch:
    """Every 0.1 s, whether a writer could take SQLite's write lock at once; and every 3 s
    a staff sign-in through the login form (a sign-in writes: the audit record), with how
    long it took and how it ended. What a member of staff would meet during an import."""

    def __init__(self, db: Path, port: int, email: str, password: str):
        self.db, self.port, self.email, self.password = db, port, email, password
        self.locked: list[tuple[float, bool]] = []
        self.sign_ins: list[tuple[int | str, float]] = []  # (status or error, seconds)
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def run(self) -> None:
        next_sign_in = time.perf_counter()
        while not self.stop.wait(0.1):
            conn = sqlite3.connect(self.db, timeout=0, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
                self.locked.append((time.perf_counter(), False))
            except sqlite3.OperationalError:
                self.locked.append((time.perf_counter(), True))
            finally:
                conn.close()
            if time.perf_counter() >= next_sign_in:
                next_sign_in += 3
                self.threads.append(threading.Thread(target=self.sign_in))
                self.threads[-1].start()
        for thread in self.threads:  # the sign-ins under way end before the server does
            thread.join()

    def sign_in(self) -> None:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        base = f"http://127.0.0.1:{self.port}"
        began = time.perf_counter()
        try:
            form = opener.open(f"{base}/login", timeout=60).read().decode()
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
            data = urllib.parse.urlencode({"csrf_token": token, "email": self.email,
                                           "password": self.password}).encode()
            status = opener.open(f"{base}/login", data=data, timeout=60).status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (OSError, AttributeError) as exc:
            status = type(exc).__name__
        self.sign_ins.append((status, time.perf_counter() - began))

    def longest_lock(self) -> float:
        """The longest stretch, in seconds, when no writer could get in."""
        longest, since = 0.0, None
        for at, locked in self.locked:
            if locked and since is None:
                since = at
            elif not locked and since is not None:
                longest, since = max(longest, at - since), None
        return max(longest, (self.locked[-1][0] - since) if since is not None and self.locked else 0.0)


def write_completions(db: Path, path: Path, rows: int, rng: random.Random) -> list[tuple]:
    """``rows`` completions of the province's people and skills, dated in the campaign's
    last weeks; returns a sample of them to look for afterwards."""
    with sqlite3.connect(db) as conn:
        people = [r[0] for r in conn.execute("SELECT external_id FROM people")]
        skills = [r[0] for r in conn.execute("SELECT code FROM skills")]
    seen, sample = set(), []
    with open(path, "w", encoding="utf-8") as out:
        out.write("person_id,skill_code,completed_on,source\n")
        while len(seen) < rows:
            pair = (rng.choice(people), rng.choice(skills))
            if pair in seen:
                continue
            seen.add(pair)
            day = date(2026, 11, 1) + timedelta(days=rng.randrange(26))
            out.write(f"{pair[0]},{pair[1]},{day.isoformat()},session\n")
            if len(sample) < 2000 and rng.random() < 0.01:
                sample.append((*pair, day.isoformat()))
    return sample


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--campaign", default="bdhvs-2026")
    p.add_argument("--rate", type=int, default=200)
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker (gthread)")
    p.add_argument("--baseline-seconds", type=int, default=10,
                   help="seconds of the baseline: a static file at the same rate, before the load (0: none)")
    p.add_argument("--no-batch", action="store_true", help="the load alone: no import, no recompute")
    p.add_argument("--batch", choices=sorted(BATCH_PRIORITY), default="nice",
                   help="how the import, the recompute and the scheduler run beside the server (default: "
                        "nice, as the README advises)")
    a = p.parse_args(argv)
    db = a.db.resolve()
    try:
        import gunicorn  # noqa: F401  (only whether it is installed)
    except ImportError:
        sys.exit("gunicorn is needed: .venv/bin/pip install -e '.[serve]'")
    with sqlite3.connect(db) as conn:
        if conn.execute("SELECT COUNT(*) FROM publications").fetchone()[0] == 0:
            sys.exit(f"{db}: publish the boards first (flask --app app leaderboard publish --campaign {a.campaign})")
        households = [r[0] for r in conn.execute(
            "SELECT code FROM households ORDER BY random() LIMIT ?", (a.rate * a.seconds,))]
        deep = [f"{r[0]}:{r[1]}" for r in conn.execute(
            "SELECT rank, key FROM published_entries WHERE board = 'people' AND rank > 1000 "
            "ORDER BY random() LIMIT ?", (a.rate * a.seconds,))]
        communes = [r[0] for r in conn.execute("SELECT code FROM units WHERE kind IN ('commune', 'ward')")]
        brackets = [r[0] for r in conn.execute(
            "SELECT DISTINCT bracket FROM published_entries WHERE board = 'units'")]

    work = Path(tempfile.mkdtemp(prefix="load-", dir=ROOT / "bench" / "data"))
    rng = random.Random(11)
    completions, sample = work / "completions.csv", []
    if not a.no_batch:
        print(f"Writing {a.rows:,} completions ...", flush=True)
        sample = write_completions(db, completions, a.rows, rng)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": "bench", "SHARE_IMAGES_DIR": str(work)}
    port = free_port()
    staff = ("bench.sign-in@laichau.test", "Bench-Sign-In-2026-x")
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "users", "create", staff[0], "--role", "viewer",
                    "--password-stdin"], cwd=ROOT, env=env, input=staff[1] + "\n", text=True,
                   capture_output=True)  # fails harmlessly when a previous run made it
    watch = WriterWatch(db, port, *staff)
    logs = {name: open(work / f"{name}.log", "w") for name in ("gunicorn", "scheduler", "import", "recompute")}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(a.workers), "-k", "gthread",
                               "--threads", str(a.threads), "-b", f"127.0.0.1:{port}",
                               "--access-logfile", str(work / "access.log"), "--access-logformat", "%(M)s %(U)s %(q)s",
                               "app:create_app()"], cwd=ROOT, env=env, stdout=logs["gunicorn"],
                              stderr=subprocess.STDOUT)
    scheduler = subprocess.Popen([*BATCH_PRIORITY[a.batch], sys.executable, "-m", "flask", "--app", "app",
                                  "scheduler", "run"], cwd=ROOT,
                                 env=env, stdout=logs["scheduler"], stderr=subprocess.STDOUT)
    base = f"/leaderboards?campaign={a.campaign}"
    tops = ([base + f"&board=units&bracket={b}" for b in brackets]
            + [base + f"&board={b}" + (f"&commune={c}" if c else "")
               for b in ("households", "people") for c in [None, *communes]])
    requests = []
    for _ in range(a.rate * a.seconds):  # see MIX
        draw = rng.random()
        if draw < MIX["top"]:
            requests.append(("top", rng.choice(tops)))
        elif draw < MIX["top"] + MIX["find"]:
            requests.append(("find", base + f"&board=households&find={rng.choice(households)}"))
        else:
            requests.append(("deep", base + f"&board=people&after={rng.choice(deep)}"))
    client, floor = Client(port, b"<table"), Client(port, b"")
    try:
        for _ in range(150):  # wait until the workers answer (the port is open before they have started)
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", base)
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.2)
        time.sleep(2)  # the other workers, started at the same time
        events = {}
        nice = BATCH_PRIORITY[a.batch]

        def background():
            if a.no_batch:
                events.update(none=(0, 0.0))
                return
            time.sleep(5)
            began = time.perf_counter()
            code = subprocess.call([*nice, sys.executable, "-m", "flask", "--app", "app", "import", "completions",
                                    str(completions)], cwd=ROOT, env=env, stdout=logs["import"],
                                   stderr=subprocess.STDOUT)
            events["import"] = (code, time.perf_counter() - began)
            began = time.perf_counter()
            code = subprocess.call([*nice, sys.executable, "-m", "flask", "--app", "app", "scores", "recompute",
                                    "--campaign", a.campaign], cwd=ROOT, env=env, stdout=logs["recompute"],
                                   stderr=subprocess.STDOUT)
            events["recompute"] = (code, time.perf_counter() - began)

        if a.baseline_seconds:
            print(f"Baseline: a static file ({STATIC}) at {a.rate}/s for {a.baseline_seconds} s", flush=True)
            asyncio.run(floor.run([("static", STATIC)] * (a.rate * a.baseline_seconds), a.rate))
        side = threading.Thread(target=background)
        total = a.rate * a.seconds
        print(f"Sending {total:,} requests at {a.rate}/s to {a.workers} gunicorn workers of {a.threads} threads"
              + ("" if a.no_batch else "; the import starts at 5 s"),
              flush=True)
        side.start()
        watching = threading.Thread(target=watch.run)
        watching.start()
        asyncio.run(client.run(requests, a.rate))
        side.join()
        watch.stop.set()
        watching.join()
    finally:
        server.terminate()
        scheduler.terminate()
        server.wait()
        scheduler.wait()
        for f in logs.values():
            f.close()
    locked = [name for name in logs if "database is locked" in (work / f"{name}.log").read_text(errors="replace")]
    with sqlite3.connect(db) as conn:
        missing = [s for s in sample if conn.execute(
            "SELECT 1 FROM completions c JOIN people p ON p.id = c.person_id JOIN skills k ON k.id = c.skill_id "
            "WHERE p.external_id = ? AND k.code = ? AND c.completed_on <= ?", s).fetchone() is None]
    latencies = sorted(x for kind in client.latencies.values() for x in kind)
    errors = client.errors + floor.errors
    p95 = percentile(latencies, 95)
    served = [line.split() for line in (work / "access.log").read_text().splitlines()]
    served = sorted(int(fields[0]) for fields in served if fields[1] == "/leaderboards")
    if served:
        print(f"server time of the board pages (gunicorn's own, ms): p50 {percentile(served, 50):.0f}, "
              f"p95 {percentile(served, 95):.0f}, max {served[-1]}")
    for kind, values in sorted(client.latencies.items()):
        values.sort()
        print(f"  {kind:5} {len(values):6,} requests: p50 {percentile(values, 50):6.1f} ms, "
              f"p95 {percentile(values, 95):6.1f} ms")
    start = min(due for due, _ in client.timeline)
    windows: dict[int, list[float]] = {}
    for due, ms in client.timeline:
        windows.setdefault(int(due - start) // 10 * 10, []).append(ms)
    print("p95 by 10 s of the run: " + ", ".join(
        f"{t}s {percentile(sorted(v), 95):.0f}" for t, v in sorted(windows.items())) + " (ms)")
    if errors:
        print("errors:", ", ".join(f"{n} × {what}" for what, n in Counter(errors).most_common()))
    print(f"requests: {len(latencies):,}, errors: {len(errors)}; latency p50 {percentile(latencies, 50):.1f} ms, "
          f"p95 {p95:.1f} ms, p99 {percentile(latencies, 99):.1f} ms, max {latencies[-1]:.0f} ms")
    if a.baseline_seconds:
        base_p95 = percentile(sorted(floor.latencies["static"]), 95)
        print(f"baseline (a static file, same server, same rate, before the load): p95 {base_p95:.1f} ms; "
              f"ratio of the board pages' p95: {p95 / base_p95:.1f}")
    if not a.no_batch:
        print(f"import: exit {events['import'][0]} in {events['import'][1]:.1f} s; recompute: exit "
              f"{events['recompute'][0]} in {events['recompute'][1]:.1f} s")
    outcomes = Counter(status for status, _ in watch.sign_ins)
    answered = [status for status in outcomes if status not in (200, 302, 503)]
    print(f"longest time no writer could get in: {watch.longest_lock():.1f} s; staff sign-ins during the run: "
          + ", ".join(f"{n} × {status}" for status, n in sorted(outcomes.items(), key=str))
          + f" (longest {max((t for _, t in watch.sign_ins), default=0):.1f} s; 503: the database busy, "
            f"try again)")
    print(f"'database is locked' in: {', '.join(locked) or 'no log'}; rows of the file missing: "
          f"{len(missing)} of {len(sample)} sampled")
    checks = [(p95 <= TARGET_P95_MS, f"p95 <= {TARGET_P95_MS:.0f} ms at {a.rate}/s: {p95:.1f} ms"),
              (not errors, f"zero errors: {len(errors)}"),
              (not locked, "no 'database is locked'"),
              (a.no_batch or (events["import"][0] == 0 and events["recompute"][0] == 0),
               "import and recompute succeeded"),
              (a.no_batch or not missing, "no lost row"),
              (not answered, "every sign-in signed in, or was told the database was busy (503)")]
    for ok, text in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    print(f"(logs in {work})")
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
