"""Fault benchmark: an import killed halfway leaves nothing behind, and succeeds when run
again.

What it does, on SQLite (and on PostgreSQL with ``--pg-url``):

1. A province of ``--people`` people and a completions file of ``--rows`` rows (date order),
   as ``bench/import_bench.py`` makes them; the province is loaded through the importers.
2. The import of the file is timed once in its own process (``flask --app app import
   completions FILE``), on a copy of the database (SQLite) or a fresh load (PostgreSQL).
3. On the database itself, the same command is started and killed with SIGKILL halfway
   through that time (no chance to clean up). Then: the completions table is empty, no
   import batch or audit row was recorded, and SQLite's ``integrity_check`` is ``ok``.
4. The command is run again, to its end: exit status 0, and every row is there.

Prints PASS or FAIL for each check; exit status 0 when all pass.

Usage::

    .venv/bin/python bench/faults_bench.py [--rows 1000000] [--people 70000]
    .venv/bin/python bench/faults_bench.py --pg-url postgresql://postgres@127.0.0.1:5432/tds_bench_faults
"""
import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_bench import build_province, write_completions, write_province  # noqa: E402

COUNTS = ("SELECT (SELECT count(*) FROM completions), (SELECT count(*) FROM import_batches), "
          "(SELECT count(*) FROM audit_log)")


def run_command(url: str, path: Path, kill_after: float | None = None) -> tuple[int, float]:
    """``flask import completions`` in its own process; killed after ``kill_after`` seconds."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "NATIONAL_ID_KEY": "bench"}
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "import", "completions", str(path)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if kill_after is not None:
        try:
            proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    code = proc.wait()
    return code, time.perf_counter() - began


def counts(url: str) -> tuple:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return conn.execute(COUNTS).fetchone()
    import psycopg

    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        return conn.execute(COUNTS).fetchone()


def check(label: str, ok: bool, results: list) -> None:
    print(f"{'PASS' if ok else 'FAIL'}  {label}")
    results.append(ok)


def scenario(name: str, fresh, completions: Path, rows: int, results: list) -> None:
    """``fresh()`` gives the URL of a new copy of the loaded province."""
    code, full = run_command(fresh(), completions)
    print(f"{name}: the whole import took {full:.1f} s in its own process (exit {code})")
    url = fresh()
    before = counts(url)
    code, killed_at = run_command(url, completions, kill_after=full / 2)
    time.sleep(1)  # PostgreSQL: the server notices the dropped connection and rolls back
    after = counts(url)
    print(f"{name}: killed after {killed_at:.1f} s (exit {code}); completions, import batches, audit rows: "
          f"before {before}, after {after}")
    check(f"{name}: the process was killed, not finished", code == -signal.SIGKILL, results)
    check(f"{name}: nothing left behind by the killed import", after == before, results)
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            check(f"{name}: integrity_check ok", conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok",
                  results)
    code, again = run_command(url, completions)
    final = counts(url)
    print(f"{name}: run again: {again:.1f} s (exit {code}), {final[0]:,} completions")
    check(f"{name}: the import run again succeeds with every row", code == 0 and final[0] == rows, results)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--people", type=int, default=70_000)
    p.add_argument("--pg-url", help="also on this PostgreSQL database (its name must start with tds_bench)")
    a = p.parse_args(argv)
    results: list[bool] = []
    (ROOT / "bench" / "data").mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="faults-", dir=ROOT / "bench" / "data"))
    try:
        rng = random.Random(7)
        files = write_province(workdir, a.people, rng)
        completions = write_completions(workdir / "completions.csv", a.rows, a.people, "date", rng)
        province = workdir / "province.sqlite3"
        build_province(f"sqlite:///{province}", files)
        copies = iter(range(1, 100))

        def fresh_sqlite() -> str:
            path = workdir / f"copy-{next(copies)}.sqlite3"
            shutil.copy(province, path)
            return f"sqlite:///{path}"

        scenario("SQLite", fresh_sqlite, completions, a.rows, results)
        if a.pg_url:
            from import_bench import Postgres

            pg = Postgres(a.pg_url)
            pg.create(pg.template)
            build_province(pg.app_url(pg.template), files)

            def fresh_pg() -> str:
                pg.create(pg.name, template=pg.template)
                return pg.app_url(pg.name)

            try:
                scenario("PostgreSQL", fresh_pg, completions, a.rows, results)
            finally:
                pg.close(keep=False)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
