"""Import benchmark: a province's completions file through the real importer, against the
fastest raw insert the database driver offers, on SQLite and on PostgreSQL.

What is measured
----------------
1. A province (one province unit, 30 communes with their villages and schools, a dozen
   provincial agencies, ``--people`` people in about ``people / 3.5`` households, a
   framework of 60 skills) is generated as CSV files and loaded into a fresh database
   through the real importers (``emulation.imports.importers.run_import``). Not timed.
2. A completions file of ``--rows`` rows is generated: unique (person, skill) pairs, about
   ``rows / people`` per person, dates as ``YYYY-MM-DD`` or, for rows typed in by commune
   staff (``session``, ``manual``), ``DD/MM/YYYY``, a reference on about one row in eight.
   ``--order date`` (default) lists them as they happened, like a platform's export, which
   reaches the (person, skill) primary key in random order; ``--order person`` lists them
   person by person, like a roster, which appends to the key in order. Not timed.
3. **Ours**: ``run_import("completions", path)`` into the empty completions table, timed
   end to end (hashing and reading the file, validation, writing, audit record, commit).
4. **Baseline**: the same rows, converted to ids and ISO dates in memory beforehand, written
   into the same empty table of an identical database in one transaction, timed from
   ``BEGIN`` to ``COMMIT``:
   - SQLite: ``sqlite3`` ``executemany(INSERT …)`` on a copy of the province file, through
     the connection the application's engine opens, so with the settings of
     ``app.configure_sqlite`` (WAL, synchronous=NORMAL, foreign_keys=ON);
   - PostgreSQL: psycopg ``COPY completions (…) FROM STDIN`` into a database cloned from the
     same province template.
5. Each measurement is repeated ``--runs`` times, each on a fresh database; every run is
   printed and the targets are checked on the best run of each side (the machine is noisy):
   SQLite ≥ 300,000 rows/s and at most 1.5× the baseline's time; PostgreSQL ≥ 150,000 rows/s.

The exit status is 0 when every target passes, 1 otherwise.

Usage::

    .venv/bin/python bench/import_bench.py [--rows 1000000] [--people 70000] [--runs 3]
        [--order date|person] [--database sqlite|postgresql|both] [--pg-url URL] [--keep]

PostgreSQL: the database named in ``--pg-url`` (which must start with ``tds_bench``) and
``<name>_template`` are dropped and created through a maintenance connection to the
``postgres`` database, and dropped again at the end unless ``--keep``.
"""
import argparse
import csv
import os
import platform
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from bisect import bisect
from contextlib import closing, contextmanager
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from app import create_app
from config import normalise_database_url
from emulation.imports.importers import run_import
from extensions import db

DATA_DIR = Path(__file__).resolve().parent / "data"
SEED = 20261125

# Targets from the issue.
SQLITE_MIN_ROWS_PER_S = 300_000
SQLITE_MAX_RATIO = 1.5
PG_MIN_ROWS_PER_S = 150_000

COMPLETION_COLUMNS = ("person_id", "skill_code", "completed_on", "source", "reference")
BASELINE_COLUMNS = "person_id, skill_id, completed_on, source, reference"
PG_NAME_PREFIX = "tds_bench"

# --------------------------------------------------------------------------- the province

COMMUNES = (
    "Bình Lư", "Tam Đường", "Bản Bo", "Nà Tăm", "Sơn Bình", "Khun Há", "Phong Thổ", "Sin Suối Hồ",
    "Dào San", "Mường So", "Khổng Lào", "Sì Lở Lầu", "Tân Uyên", "Mường Khoa", "Pắc Ta", "Nậm Sỏ",
    "Than Uyên", "Mường Than", "Mường Kim", "Tà Hừa", "Khoen On", "Nậm Nhùn", "Mường Tè", "Pa Ủ",
    "Bum Nưa", "Thu Lũm", "Mường Mô", "Hua Bum", "Sìn Hồ", "Pa Tần",
)
VILLAGES_PER_COMMUNE = 10
SCHOOLS = ("Trường Tiểu học", "Trường THCS", "Trường PTDTBT")
AGENCIES = (
    "Sở Nội vụ", "Sở Giáo dục và Đào tạo", "Sở Khoa học và Công nghệ", "Sở Y tế", "Sở Tài chính",
    "Sở Nông nghiệp và Môi trường", "Sở Xây dựng", "Sở Văn hóa, Thể thao và Du lịch", "Công an tỉnh",
    "Văn phòng UBND tỉnh", "Sở Công Thương", "Sở Tư pháp",
)
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Hoàng", "Lò", "Lù", "Tao", "Giàng", "Vàng", "Sùng", "Lý", "Chang",
                "Hờ", "Phàn", "Đèo", "Tẩn")
MIDDLE_NAMES = {"M": ("Văn", "A", "Seo", "Đức"), "F": ("Thị", "Thị", "Mỹ", "Thu")}
GIVEN_NAMES = ("Páo", "Dính", "Chứ", "Sính", "Mai", "Lan", "Hoa", "Hùng", "Dũng", "Phương", "Tiến", "Xuân",
               "Hà", "Minh", "Lả", "Pàng", "Mỷ", "Súa", "Chư", "Khánh")
# Share of each target group among the people (cumulative draw below).
GROUP_SHARES = (("cadre", 0.06), ("student", 0.22), ("worker", 0.07), ("citizen", 0.65))
PEOPLE_PER_HOUSEHOLD = 3.5

DOMAINS = ("Vận hành thiết bị số", "Khai thác dữ liệu và thông tin", "Giao tiếp và hợp tác",
           "Sáng tạo nội dung số", "An toàn số", "Giải quyết vấn đề")
SKILLS_PER_DOMAIN = 10
SKILLS = len(DOMAINS) * SKILLS_PER_DOMAIN

# Completions: sources and their shares; the sources whose rows are typed in by hand use
# DD/MM/YYYY dates. Completion dates fall in DAYS days from FIRST_DAY (all in the past).
SOURCE_SHARES = (("mooc", 0.45), ("vneid", 0.15), ("session", 0.25), ("assessment", 0.10), ("manual", 0.05))
TYPED_SOURCES = ("session", "manual")
FIRST_DAY = date(2024, 1, 1)
DAYS = 700
MOOC_REFERENCE_SHARE = 0.05  # assessments always carry a certificate number


def skill_code(i: int) -> str:
    return f"KN{i // SKILLS_PER_DOMAIN + 1}.{i % SKILLS_PER_DOMAIN + 1:02d}"


def external_id(i: int) -> str:
    return f"LC{i:07d}"


def write_csv(path: Path, header, rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_province(directory: Path, people: int, rng: random.Random) -> dict[str, Path]:
    """The units, households, people and skills files of a province; returns kind → path."""
    units = [("LC", "Tỉnh Lai Châu", "province", "")]
    agencies = [f"SO{i + 1:02d}" for i in range(len(AGENCIES))]
    units += [(c, name, "agency", "LC") for c, name in zip(agencies, AGENCIES)]
    communes, villages, schools_of = [], [], {}
    for i, name in enumerate(COMMUNES):
        commune = f"X{i + 1:02d}"
        communes.append(commune)
        units.append((commune, f"Xã {name}", "commune", "LC"))
        for v in range(VILLAGES_PER_COMMUNE):
            villages.append((f"{commune}B{v + 1:02d}", commune))
            units.append((villages[-1][0], f"Bản {v + 1}, xã {name}", "village", commune))
        schools_of[commune] = [f"{commune}T{s + 1}" for s in range(len(SCHOOLS))]
        units += [(code, f"{kind} {name}", "school", commune) for code, kind in zip(schools_of[commune], SCHOOLS)]

    def full_name(gender):
        return f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES[gender])} {rng.choice(GIVEN_NAMES)}"

    households = [(f"HH{h + 1:06d}", rng.choice(villages)[0], full_name(rng.choice("MF")))
                  for h in range(max(1, round(people / PEOPLE_PER_HOUSEHOLD)))]
    village_commune = dict(villages)
    groups = [g for g, _ in GROUP_SHARES]
    cumulative = list(accumulate(share for _, share in GROUP_SHARES))
    persons = []
    for i in range(people):
        group = groups[min(bisect(cumulative, rng.random()), len(groups) - 1)]
        gender = rng.choice("MF")
        household, village = rng.choice(households)[:2]
        if group == "cadre":
            unit = rng.choice(agencies + communes)
            household = household if rng.random() < 0.5 else ""
        elif group == "student":
            unit = rng.choice(schools_of[village_commune[village]])
        else:
            unit = village
        born = rng.randint(2006, 2019) if group == "student" else rng.randint(1950, 2006)
        # 12 digits: province 012, century and gender, year of birth, then a unique serial.
        century = (0 if born < 2000 else 2) + (gender == "F")
        national_id = f"012{century}{born % 100:02d}{i:06d}" if group != "student" or rng.random() < 0.3 else ""
        party = "1" if group == "cadre" and rng.random() < 0.6 else "0"
        persons.append((external_id(i), full_name(gender), group, unit, household, born, gender, national_id, party))
    skills = []
    for i in range(SKILLS):
        level = 1 + (i % SKILLS_PER_DOMAIN) * 8 // SKILLS_PER_DOMAIN
        required = "cadre;student;worker;citizen" if level <= 2 else "cadre;student" if level <= 4 else ""
        skills.append((skill_code(i), f"Kỹ năng {skill_code(i)}", DOMAINS[i // SKILLS_PER_DOMAIN], level,
                       5 * level, required))
    return {
        "units": write_csv(directory / "units.csv", ("code", "name", "kind", "parent_code"), units),
        "households": write_csv(directory / "households.csv", ("code", "unit_code", "head_name"), households),
        "people": write_csv(directory / "people.csv", (
            "external_id", "full_name", "group", "unit_code", "household_code", "birth_year", "gender",
            "national_id", "party_member"), persons),
        "skills": write_csv(directory / "skills.csv",
                            ("code", "name", "domain", "level", "points", "required_for"), skills),
    }


def write_completions(path: Path, rows: int, people: int, order: str, rng: random.Random) -> Path:
    """``rows`` completions of distinct (person, skill) pairs, in ``order``: ``date`` (as the
    completions happened) or ``person`` (a roster: person by person, skill by skill)."""
    mean = rows / people
    counts = [min(SKILLS, max(0, round(rng.gauss(mean, mean / 3)))) for _ in range(people)]
    missing = rows - sum(counts)
    while missing:
        p = rng.randrange(people)
        if missing > 0 and counts[p] < SKILLS:
            counts[p] += 1
            missing -= 1
        elif missing < 0 and counts[p] > 0:
            counts[p] -= 1
            missing += 1
    # Each completion as one integer (day, person, skill): sorting puts them in date order.
    pairs = people * SKILLS
    events = [rng.randrange(DAYS) * pairs + p * SKILLS + s
              for p, k in enumerate(counts) for s in rng.sample(range(SKILLS), k)]
    events.sort(key=(lambda e: e % pairs) if order == "person" else None)

    days = [FIRST_DAY + timedelta(d) for d in range(DAYS)]
    iso = [d.isoformat() for d in days]
    typed = [d.strftime("%d/%m/%Y") for d in days]
    sources = [s for s, _ in SOURCE_SHARES]
    cumulative = list(accumulate(share for _, share in SOURCE_SHARES))
    codes = [skill_code(s) for s in range(SKILLS)]

    def rows_out():
        for n, event in enumerate(events):
            day, pair = divmod(event, pairs)
            person, skill = divmod(pair, SKILLS)
            source = sources[min(bisect(cumulative, rng.random()), len(sources) - 1)]
            if source == "assessment":
                reference = f"KT-{n:07d}"
            elif source == "mooc" and rng.random() < MOOC_REFERENCE_SHARE:
                reference = f"MOOC-{n:07d}"
            else:
                reference = ""
            yield (external_id(person), codes[skill], typed[day] if source in TYPED_SOURCES else iso[day],
                   source, reference)

    return write_csv(path, COMPLETION_COLUMNS, rows_out())


def baseline_rows(path: Path, person_ids: dict, skill_ids: dict) -> list[tuple]:
    """The completions file as the rows the importer stores: ids, ISO dates, NULL for no reference."""
    iso: dict[str, str] = {}

    def to_iso(text):
        if "/" in text:
            d, m, y = text.split("/")
            return f"{y}-{m}-{d}"
        return text

    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        assert tuple(next(reader)) == COMPLETION_COLUMNS
        return [(person_ids[p], skill_ids[s], iso[d] if d in iso else iso.setdefault(d, to_iso(d)), source, ref or None)
                for p, s, d, source, ref in reader]


# --------------------------------------------------------------------------- the application side

def make_app(url: str):
    return create_app(test_config={"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "NATIONAL_ID_KEY": "bench"})


def build_province(url: str, files: dict[str, Path]) -> None:
    """Create the schema and load the province through the real importers."""
    app = make_app(url)
    with app.app_context():
        db.create_all()
        for kind, path in files.items():
            report = run_import(kind, path, actor="bench")
            if not report.committed:
                sys.exit(f"setup failed: {report.summary()}\n" + "\n".join(e.render() for e in report.errors[:10]))
        if db.engine.dialect.name == "sqlite":
            # Fold the WAL into the main file, so that copying that file copies the database.
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()


def time_real_import(url: str, path: Path, rows: int) -> float:
    """Seconds taken by ``run_import("completions", path)``, checked to have written ``rows`` rows."""
    app = make_app(url)
    with app.app_context():
        start = time.perf_counter()
        report = run_import("completions", path, actor="bench")
        elapsed = time.perf_counter() - start
        if not report.committed or report.rows_accepted != rows:
            sys.exit(f"the import did not write the file: {report.summary()}\n"
                     + "\n".join(e.render() for e in report.errors[:10]))
        with db.engine.connect() as conn:
            check_count(conn.exec_driver_sql("SELECT count(*) FROM completions").scalar(), rows)
        db.engine.dispose()
    return elapsed


def check_count(found: int, rows: int) -> None:
    if found != rows:
        sys.exit(f"completions table holds {found:,} rows, expected {rows:,}")


# --------------------------------------------------------------------------- SQLite

def remove_sqlite(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)


@contextmanager
def app_sqlite_connection(path: Path):
    """The ``sqlite3`` connection the application's engine opens on ``path``, hence with the
    settings of ``app.configure_sqlite`` (WAL, synchronous=NORMAL, foreign keys, no implicit
    transactions), whatever they become."""
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        proxy = db.engine.raw_connection()
        try:
            yield proxy.driver_connection
        finally:
            proxy.close()
            db.engine.dispose()


def sqlite_settings(path: Path) -> str:
    with app_sqlite_connection(path) as conn:
        return ", ".join(f"{name}={conn.execute(f'PRAGMA {name}').fetchone()[0]}"
                         for name in ("journal_mode", "synchronous", "foreign_keys", "cache_size"))


def time_sqlite_baseline(path: Path, rows: list[tuple]) -> float:
    with app_sqlite_connection(path) as conn:
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO completions ({BASELINE_COLUMNS}) VALUES (?,?,?,?,?)", rows)
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        check_count(conn.execute("SELECT count(*) FROM completions").fetchone()[0], len(rows))
    return elapsed


def bench_sqlite(workdir: Path, files: dict[str, Path], completions: Path, rows: int, runs: int) -> list[tuple]:
    """Runs of (ours, baseline) seconds, each on a fresh copy of the province database."""
    template = workdir / "province.sqlite3"
    print("SQLite: loading the province ...", flush=True)
    build_province(f"sqlite:///{template}", files)
    print(f"  connection settings of the application, on both sides: {sqlite_settings(template)}")
    with closing(sqlite3.connect(template)) as conn:
        people = dict(conn.execute("SELECT external_id, id FROM people"))
        skills = dict(conn.execute("SELECT code, id FROM skills"))
    baseline = baseline_rows(completions, people, skills)
    results = []
    run_db = workdir / "run.sqlite3"
    for _ in range(runs):
        shutil.copyfile(template, run_db)
        ours = time_real_import(f"sqlite:///{run_db}", completions, rows)
        remove_sqlite(run_db)
        shutil.copyfile(template, run_db)
        base = time_sqlite_baseline(run_db, baseline)
        remove_sqlite(run_db)
        results.append((ours, base))
        print_run(len(results), rows, ours, base)
    return results


# --------------------------------------------------------------------------- PostgreSQL

class Postgres:
    """Databases named after ``--pg-url``: the province template and the run database."""

    def __init__(self, url: str):
        self.url = make_url(url).set(drivername="postgresql")
        self.name = self.url.database or ""
        if not self.name.startswith(PG_NAME_PREFIX):
            sys.exit(f"--pg-url: the database is dropped and recreated, so its name must start with "
                     f"{PG_NAME_PREFIX!r} (got {self.name!r})")
        self.template = f"{self.name}_template"
        try:
            self.admin = psycopg.connect(self.conninfo("postgres"), autocommit=True)
        except psycopg.OperationalError as exc:
            sys.exit(f"PostgreSQL is not reachable ({exc}); use --pg-url or --database sqlite")
        self.version = self.admin.execute("SHOW server_version").fetchone()[0]

    def conninfo(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    def app_url(self, database: str) -> str:
        return normalise_database_url(self.conninfo(database))

    def create(self, database: str, template: str | None = None) -> None:
        self.drop(database)
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database))
        if template:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        self.admin.execute(query)

    def drop(self, database: str) -> None:
        self.admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))

    def close(self, keep: bool) -> None:
        if not keep:
            self.drop(self.name)
            self.drop(self.template)
        self.admin.close()


def time_pg_baseline(conninfo: str, rows: list[tuple]) -> float:
    with psycopg.connect(conninfo) as conn:
        start = time.perf_counter()
        with conn.cursor() as cur, cur.copy(f"COPY completions ({BASELINE_COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        elapsed = time.perf_counter() - start
        check_count(conn.execute("SELECT count(*) FROM completions").fetchone()[0], len(rows))
    return elapsed


def bench_postgresql(pg: Postgres, files: dict[str, Path], completions: Path, rows: int, runs: int) -> list[tuple]:
    """Runs of (ours, baseline) seconds, each on a fresh clone of the province template."""
    print(f"PostgreSQL {pg.version}: loading the province ...", flush=True)
    pg.create(pg.template)
    build_province(pg.app_url(pg.template), files)
    with psycopg.connect(pg.conninfo(pg.template)) as conn:
        people = dict(conn.execute("SELECT external_id, id FROM people").fetchall())
        skills = dict(conn.execute("SELECT code, id FROM skills").fetchall())
    baseline = baseline_rows(completions, people, skills)
    results = []
    for _ in range(runs):
        pg.create(pg.name, template=pg.template)
        ours = time_real_import(pg.app_url(pg.name), completions, rows)
        pg.create(pg.name, template=pg.template)
        base = time_pg_baseline(pg.conninfo(pg.name), baseline)
        results.append((ours, base))
        print_run(len(results), rows, ours, base)
    return results


# --------------------------------------------------------------------------- reporting

def print_run(n: int, rows: int, ours: float, base: float) -> None:
    print(f"  run {n}: ours {ours:6.2f} s = {rows / ours:9,.0f} rows/s | "
          f"baseline {base:6.2f} s = {rows / base:9,.0f} rows/s | ratio {ours / base:.2f}", flush=True)


def check_targets(name: str, rows: int, results: list[tuple], max_ratio: float | None, min_rate: int) -> bool:
    """Print the best runs and PASS/FAIL for each target; True when all pass."""
    ours, base = min(r[0] for r in results), min(r[1] for r in results)
    rate, ratio = rows / ours, ours / base
    print(f"  best of {len(results)}: ours {rate:,.0f} rows/s, baseline {rows / base:,.0f} rows/s, ratio {ratio:.2f}")
    checks = [(f"{name} end to end >= {min_rate:,} rows/s", rate >= min_rate, f"{rate:,.0f} rows/s")]
    if max_ratio is not None:
        checks.append((f"{name} within {max_ratio}x of the raw baseline", ratio <= max_ratio, f"{ratio:.2f}x"))
    for label, ok, value in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}: {value}")
    return all(ok for _, ok, _ in checks)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def load_average() -> str:
    """Other work on the machine skews the timings; the 1, 5 and 15 minute load averages say how much."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        return platform.processor()


# --------------------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000, help="completions in the file (default 1,000,000)")
    p.add_argument("--people", type=int, default=70_000, help="people in the province (default 70,000)")
    p.add_argument("--runs", type=int, default=3, help="measurements of each side (default 3; the best counts)")
    p.add_argument("--order", choices=("date", "person"), default="date",
                   help="row order of the completions file: as they happened (default) or person by person")
    p.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--pg-url", default=f"postgresql://postgres@127.0.0.1:5432/{PG_NAME_PREFIX}",
                   help="database to create for the PostgreSQL runs (its name must start with tds_bench)")
    p.add_argument("--keep", action="store_true",
                   help="keep the generated files, the province databases and the last PostgreSQL run database")
    args = p.parse_args(argv)
    if not 0 < args.people < 1_000_000:
        p.error("--people must be between 1 and 999,999")
    if not 0 < args.rows <= args.people * SKILLS:
        p.error(f"--rows must be between 1 and {SKILLS} per person")
    if args.runs < 1:
        p.error("--runs must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    pg = Postgres(args.pg_url) if args.database in ("postgresql", "both") else None
    print(f"Machine: {os.cpu_count()} cores ({cpu_model()}), {platform.system()} {platform.release()}, "
          f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
          + (f", PostgreSQL {pg.version}" if pg else ""))
    print(f"Load average at start: {load_average()}")
    DATA_DIR.mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=DATA_DIR))
    passed = True
    try:
        rng = random.Random(SEED)
        start = time.perf_counter()
        files = write_province(workdir, args.people, rng)
        completions = write_completions(workdir / "completions.csv", args.rows, args.people, args.order, rng)
        print(f"Generated {args.people:,} people and {args.rows:,} completions in {args.order} order "
              f"({completions.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s, under {workdir}")
        print(f"Peak RSS after generating the files: {peak_rss_mb():,.0f} MB", flush=True)
        if args.database in ("sqlite", "both"):
            results = bench_sqlite(workdir, files, completions, args.rows, args.runs)
            passed &= check_targets("SQLite", args.rows, results, SQLITE_MAX_RATIO, SQLITE_MIN_ROWS_PER_S)
        if pg:
            results = bench_postgresql(pg, files, completions, args.rows, args.runs)
            passed &= check_targets("PostgreSQL", args.rows, results, None, PG_MIN_ROWS_PER_S)
    finally:
        if pg:
            pg.close(args.keep)
        if args.keep:
            print(f"Kept {workdir}" + (f" and PostgreSQL databases {pg.template}, {pg.name}" if pg else ""))
        else:
            shutil.rmtree(workdir)
    print(f"Load average at end: {load_average()}")
    print(f"Peak RSS of the process: {peak_rss_mb():,.0f} MB")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
