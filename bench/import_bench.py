"""Import benchmark: a province's completions file through the real importer, against a
raw insert of the same rows by the database driver on equal footing, on SQLite and on
PostgreSQL; with no campaign and with a campaign loaded (the import and the score update
that follows it).

What is measured
----------------
1. A province (one province unit, 30 communes with their villages and schools, a dozen
   provincial agencies, ``--people`` people in about ``people / 3.5`` households, a
   framework of 60 skills) is generated as CSV files and loaded into a fresh database
   through the real importers (``emulation.imports.importers.run_import``). A second copy also
   has the campaign ``--campaign`` (default ``campaigns/bdhvs-2025.toml``, whose window
   holds about 40 % of the generated dates) loaded and its scores computed as of its last
   day (no completions yet), as a live province has. Not timed.
2. A completions file of ``--rows`` rows is generated: unique (person, skill) pairs, about
   ``rows / people`` per person, dates as ``YYYY-MM-DD`` or, for rows typed in by commune
   staff (``session``, ``manual``), ``DD/MM/YYYY``, a reference on about one row in eight.
   ``--order date`` (default) lists them as they happened, like a platform's export, which
   reaches the (person, skill) primary key in random order; ``--order person`` lists them
   person by person, like a roster, which appends to the key in order. Not timed.
3. **Ours**, timed end to end (hashing and reading the file, validation, writing, audit
   record, commit, and what ``run_import`` does after the commit):
   - *import*: ``run_import("completions", path)`` on the province with no campaign, so
     the score update after the commit finds nothing to do;
   - *end to end*: the same on the province with the campaign loaded: the commit is
     followed by the score update (``scoring.apply_events``, here a full recompute, since
     the file concerns most people) and the awards that follow it (``scores_updated``),
     as after every real import. Their share is printed.
4. **Baseline**: the same rows, converted to ids and ISO dates in memory beforehand, written
   into the same empty table (same indexes, same foreign keys) of an identical database in
   one transaction, timed from ``BEGIN`` to ``COMMIT``. Each is measured with the foreign
   keys as the import treats them (*equal footing*, the one the ratio target uses) and as
   the table stands (*per-row checks*), and both ratios are printed:
   - SQLite: ``sqlite3`` ``executemany(INSERT …)`` through the connection the application's
     engine opens (``app.configure_sqlite``: WAL, synchronous=NORMAL), with
     ``foreign_keys=OFF`` as the import runs (``emulation.bulk.references_proven_by_lookups``),
     then with the application's default ``foreign_keys=ON``;
   - PostgreSQL: psycopg ``COPY completions (…) FROM STDIN`` of a buffer already in COPY
     text format, written in blocks of 1 MiB, with the table's foreign keys dropped before
     and added back (one validating pass) after, as the import does for a large file
     (``emulation.bulk.FK_REVALIDATE_ROWS``), then with the foreign keys in place (a
     trigger per row and key).
5. Each measurement is repeated ``--runs`` times, each on a fresh database; every run is
   printed and the targets are checked on the best run of each side (best of N; the
   machine is noisy): SQLite ≥ 300,000 rows/s end to end (campaign loaded) and the import at
   most 1.5× the equal-footing baseline's time; PostgreSQL ≥ 150,000 rows/s end to end.

The exit status is 0 when every target passes, 1 otherwise.

Usage::

    .venv/bin/python bench/import_bench.py [--rows 1000000] [--people 70000] [--runs 3]
        [--order date|person] [--database sqlite|postgresql|both] [--pg-url URL]
        [--campaign campaigns/bdhvs-2025.toml] [--keep]

PostgreSQL: the database named in ``--pg-url`` (which must start with ``tds_bench``, or
with ``$BENCH_PG_PREFIX``), ``<name>_template`` and ``<name>_campaign`` are dropped and
created through a maintenance connection to the ``postgres`` database, and dropped again
at the end unless ``--keep``.
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
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

import emulation.imports.importers
from app import create_app
from config import normalise_database_url
from emulation.bulk import FK_REVALIDATE_ROWS
from emulation.campaigns import load_campaign
from emulation.imports.importers import run_import
from emulation.models import Campaign, ImportBatch, ScoreRun
from emulation.scoring.scores import recompute
from extensions import db
from province import pg_name_allowed

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"
SEED = 20261125

# Targets from the issue.
SQLITE_MIN_ROWS_PER_S = 300_000
SQLITE_MAX_RATIO = 1.5
PG_MIN_ROWS_PER_S = 150_000

COMPLETION_COLUMNS = ("person_id", "skill_code", "completed_on", "source", "reference")
BASELINE_COLUMNS = "person_id, skill_id, completed_on, source, reference"
PG_NAME_PREFIX = "tds_bench"
# The campaign loaded for the end-to-end runs: its window (1 March to 31 December 2025)
# holds about 40 % of the generated dates (FIRST_DAY and DAYS below), so its scores have
# real work to do; the 2026 campaign's window holds none of them.
CAMPAIGN_FILE = ROOT / "campaigns" / "bdhvs-2025.toml"
COPY_BLOCK = 1 << 20  # bytes per copy.write() of the PostgreSQL baseline

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


def _checkpoint_sqlite() -> None:
    if db.engine.dialect.name == "sqlite":
        # Fold the WAL into the main file, so that copying that file copies the database.
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def build_province(url: str, files: dict[str, Path]) -> None:
    """Create the schema and load the province through the real importers."""
    app = make_app(url)
    with app.app_context():
        db.create_all()
        for kind, path in files.items():
            report = run_import(kind, path, actor="bench")
            if not report.committed:
                sys.exit(f"setup failed: {report.summary()}\n" + "\n".join(e.render() for e in report.errors[:10]))
        _checkpoint_sqlite()
        db.session.remove()
        db.engine.dispose()


def load_campaign_scores(url: str, campaign_file: Path) -> str:
    """Load the campaign of ``campaign_file`` into the province at ``url`` and compute its
    scores as of the campaign's last day (no completions yet): a province as it stands when
    a file is imported, whose import is followed by a score update. Returns a description."""
    app = make_app(url)
    with app.app_context():
        campaign, _ = load_campaign(campaign_file.read_text(encoding="utf-8"), actor="bench")
        summary = recompute(db.session.get(Campaign, campaign.id), campaign.ends_on)
        text = (f"campaign {campaign.code} ({campaign_file.name}), window {campaign.starts_on} to "
                f"{campaign.ends_on}, scores as of {summary.as_of} for {summary.people:,} people")
        _checkpoint_sqlite()
        db.session.remove()
        db.engine.dispose()
    return text


def time_real_import(url: str, path: Path, rows: int, campaign: bool = False) -> tuple[float, float]:
    """Seconds taken by ``run_import("completions", path)``, checked to have written ``rows``
    rows, and the seconds of that spent on the score update after the commit (with the
    awards it sets off). With ``campaign``, checks that the update brought the campaign's
    stored scores to this import (``_update_scores`` logs a failure rather than raise)."""
    app = make_app(url)
    update = []
    real_update = emulation.imports.importers._update_scores

    def timed_update(*args, **kwargs):
        began = time.perf_counter()
        try:
            return real_update(*args, **kwargs)
        finally:
            update.append(time.perf_counter() - began)

    with app.app_context():
        emulation.imports.importers._update_scores = timed_update
        try:
            start = time.perf_counter()
            report = run_import("completions", path, actor="bench")
            elapsed = time.perf_counter() - start
        finally:
            emulation.imports.importers._update_scores = real_update
        if not report.committed or report.rows_accepted != rows:
            sys.exit(f"the import did not write the file: {report.summary()}\n"
                     + "\n".join(e.render() for e in report.errors[:10]))
        with db.engine.connect() as conn:
            check_count(conn.exec_driver_sql("SELECT count(*) FROM completions").scalar(), rows)
        if campaign:
            batch = db.session.scalar(db.select(db.func.max(ImportBatch.id)))
            stale = [r.campaign_id for r in db.session.scalars(db.select(ScoreRun)) if r.import_batch_id != batch]
            if stale or not db.session.scalar(db.select(db.func.count()).select_from(ScoreRun)):
                sys.exit("end to end: the scores were not brought up to date after the import (see the log)")
        db.session.remove()
        db.engine.dispose()
    return elapsed, sum(update)


def check_count(found: int, rows: int) -> None:
    if found != rows:
        sys.exit(f"completions table holds {found:,} rows, expected {rows:,}")


@dataclass(frozen=True)
class Run:
    """Seconds of one run of each measurement."""
    ours: float  # the import, no campaign
    e2e: float  # the import with the campaign loaded, its score update included
    update: float  # of e2e: the score update after the commit, with the awards it sets off
    equal: float  # baseline, foreign keys as the import treats them (the ratio target's)
    checked: float  # baseline, foreign keys checked row by row


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
            db.session.remove()
            db.engine.dispose()


def sqlite_settings(path: Path) -> str:
    with app_sqlite_connection(path) as conn:
        return ", ".join(f"{name}={conn.execute(f'PRAGMA {name}').fetchone()[0]}"
                         for name in ("journal_mode", "synchronous", "foreign_keys", "cache_size"))


def time_sqlite_baseline(path: Path, rows: list[tuple], foreign_keys: bool) -> float:
    """``executemany`` of ``rows`` in one transaction, with SQLite's per-row foreign-key
    checks on (the application's connection default) or off (as the import writes)."""
    with app_sqlite_connection(path) as conn:
        conn.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")  # outside a transaction
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO completions ({BASELINE_COLUMNS}) VALUES (?,?,?,?,?)", rows)
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        check_count(conn.execute("SELECT count(*) FROM completions").fetchone()[0], len(rows))
        conn.execute("PRAGMA foreign_keys=ON")
    return elapsed


def bench_sqlite(workdir: Path, files: dict[str, Path], completions: Path, rows: int, runs: int,
                 campaign_file: Path) -> list[Run]:
    """Runs of the four measurements, each on a fresh copy of a province database."""
    template = workdir / "province.sqlite3"
    with_campaign = workdir / "province-campaign.sqlite3"
    print("SQLite: loading the province ...", flush=True)
    build_province(f"sqlite:///{template}", files)
    shutil.copyfile(template, with_campaign)
    print(f"  end to end: {load_campaign_scores(f'sqlite:///{with_campaign}', campaign_file)}")
    print(f"  connection settings of the application: {sqlite_settings(template)}; the import writes with "
          f"foreign_keys=OFF (emulation.bulk.references_proven_by_lookups)")
    print("  baseline, equal footing (the ratio target's): foreign_keys=OFF; baseline, per-row checks: foreign_keys=ON")
    with closing(sqlite3.connect(template)) as conn:
        people = dict(conn.execute("SELECT external_id, id FROM people"))
        skills = dict(conn.execute("SELECT code, id FROM skills"))
    baseline = baseline_rows(completions, people, skills)
    results = []
    run_db = workdir / "run.sqlite3"

    def on_copy(source, measure):
        shutil.copyfile(source, run_db)
        try:
            return measure(run_db)
        finally:
            remove_sqlite(run_db)

    for _ in range(runs):
        ours, _ = on_copy(template, lambda db_: time_real_import(f"sqlite:///{db_}", completions, rows))
        e2e, update = on_copy(with_campaign,
                              lambda db_: time_real_import(f"sqlite:///{db_}", completions, rows, campaign=True))
        equal = on_copy(template, lambda db_: time_sqlite_baseline(db_, baseline, foreign_keys=False))
        checked = on_copy(template, lambda db_: time_sqlite_baseline(db_, baseline, foreign_keys=True))
        results.append(Run(ours, e2e, update, equal, checked))
        print_run(len(results), rows, results[-1])
    return results


# --------------------------------------------------------------------------- PostgreSQL

class Postgres:
    """Databases named after ``--pg-url``: the province template and the run database."""

    def __init__(self, url: str):
        self.url = make_url(url).set(drivername="postgresql")
        self.name = self.url.database or ""
        if not pg_name_allowed(self.name):
            sys.exit(f"--pg-url: the database is dropped and recreated, so its name must start with "
                     f"{PG_NAME_PREFIX!r} or $BENCH_PG_PREFIX (got {self.name!r})")
        self.template = f"{self.name}_template"
        self.with_campaign = f"{self.name}_campaign"
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
            self.drop(self.with_campaign)
        self.admin.close()


def copy_text(rows: list[tuple]) -> bytes:
    """``rows`` in COPY's text format (tab-separated, ``\\N`` for NULL), ready to send. The
    generated values hold no tab, newline or backslash, so nothing needs escaping."""
    null = "\\N"
    return "".join(f"{p}\t{s}\t{d}\t{src}\t{null if ref is None else ref}\n" for p, s, d, src, ref in rows).encode()


def time_pg_baseline(conninfo: str, buffer: bytes, rows: int, foreign_keys: bool) -> float:
    """``COPY`` of the prepared ``buffer`` into the province's completions table (its indexes
    and foreign keys) in one transaction. ``foreign_keys=False``: the table's foreign keys
    are dropped before the copy and added back after it, which validates them in one pass
    (what the import does for a large file); True: they stay, a trigger per row and key."""
    view = memoryview(buffer)
    with psycopg.connect(conninfo) as conn:
        fks = conn.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid = 'completions'::regclass AND contype = 'f' ORDER BY conname").fetchall()
        conn.commit()
        start = time.perf_counter()
        with conn.cursor() as cur:
            if not foreign_keys:
                for name, _ in fks:
                    cur.execute(sql.SQL("ALTER TABLE completions DROP CONSTRAINT {}").format(sql.Identifier(name)))
            with cur.copy(f"COPY completions ({BASELINE_COLUMNS}) FROM STDIN") as copy:
                for i in range(0, len(view), COPY_BLOCK):
                    copy.write(view[i:i + COPY_BLOCK])
            if not foreign_keys:
                for name, definition in fks:
                    cur.execute(sql.SQL("ALTER TABLE completions ADD CONSTRAINT {} ").format(sql.Identifier(name))
                                + sql.SQL(definition))
        conn.commit()
        elapsed = time.perf_counter() - start
        check_count(conn.execute("SELECT count(*) FROM completions").fetchone()[0], rows)
        found = conn.execute("SELECT count(*) FROM pg_constraint WHERE conrelid = 'completions'::regclass "
                             "AND contype = 'f'").fetchone()[0]
        if found != len(fks):
            sys.exit(f"baseline: completions has {found} foreign keys after the copy, {len(fks)} before")
    return elapsed


def bench_postgresql(pg: Postgres, files: dict[str, Path], completions: Path, rows: int, runs: int,
                     campaign_file: Path) -> list[Run]:
    """Runs of the four measurements, each on a fresh clone of a province template."""
    print(f"PostgreSQL {pg.version}: loading the province ...", flush=True)
    pg.create(pg.template)
    build_province(pg.app_url(pg.template), files)
    pg.create(pg.with_campaign, template=pg.template)
    print(f"  end to end: {load_campaign_scores(pg.app_url(pg.with_campaign), campaign_file)}")
    # The import drops the table's foreign keys for the merge of a large file only.
    revalidates = rows >= FK_REVALIDATE_ROWS
    print(f"  the import {'drops' if revalidates else 'keeps'} the table's foreign keys for a file of {rows:,} rows "
          f"(dropped and added back from emulation.bulk.FK_REVALIDATE_ROWS = {FK_REVALIDATE_ROWS:,} rows on)")
    print(f"  baseline: COPY of a prepared buffer; equal footing: foreign keys "
          f"{'dropped and added back' if revalidates else 'in place'}; per-row checks: foreign keys in place")
    with psycopg.connect(pg.conninfo(pg.template)) as conn:
        people = dict(conn.execute("SELECT external_id, id FROM people").fetchall())
        skills = dict(conn.execute("SELECT code, id FROM skills").fetchall())
    buffer = copy_text(baseline_rows(completions, people, skills))
    print(f"  COPY buffer: {len(buffer) / 1e6:.1f} MB, written in blocks of {COPY_BLOCK // 1024} KB")
    results = []

    def on_clone(template, measure):
        pg.create(pg.name, template=template)
        return measure()

    for _ in range(runs):
        ours, _ = on_clone(pg.template, lambda: time_real_import(pg.app_url(pg.name), completions, rows))
        e2e, update = on_clone(pg.with_campaign,
                               lambda: time_real_import(pg.app_url(pg.name), completions, rows, campaign=True))
        equal = on_clone(pg.template,
                         lambda: time_pg_baseline(pg.conninfo(pg.name), buffer, rows, foreign_keys=not revalidates))
        checked = on_clone(pg.template, lambda: time_pg_baseline(pg.conninfo(pg.name), buffer, rows, foreign_keys=True))
        results.append(Run(ours, e2e, update, equal, checked))
        print_run(len(results), rows, results[-1])
    return results


# --------------------------------------------------------------------------- reporting

def print_run(n: int, rows: int, r: Run) -> None:
    def rate(seconds):
        return f"{seconds:6.2f} s = {rows / seconds:9,.0f} rows/s"

    print(f"  run {n}: ours {rate(r.ours)} | end to end {rate(r.e2e)} (score update {r.update:.2f} s) | "
          f"baseline equal footing {rate(r.equal)} | baseline per-row checks {rate(r.checked)}", flush=True)


def check_targets(name: str, rows: int, results: list[Run], max_ratio: float | None, min_rate: int) -> bool:
    """Print the best run of each measurement (best of N), the ratios, and PASS/FAIL for each
    target; True when all pass."""
    best = {f: min(getattr(r, f) for r in results) for f in ("ours", "e2e", "update", "equal", "checked")}
    n = len(results)
    print(f"  best of {n}, rows/s: ours {rows / best['ours']:,.0f}, end to end {rows / best['e2e']:,.0f} "
          f"(score update {best['update']:.2f} s), baseline equal footing {rows / best['equal']:,.0f}, "
          f"baseline per-row checks {rows / best['checked']:,.0f}")
    target = " (the target's)" if max_ratio is not None else ""
    print(f"  ratios (best / best): ours / baseline equal footing {best['ours'] / best['equal']:.2f}{target}, "
          f"ours / baseline per-row checks {best['ours'] / best['checked']:.2f}; "
          f"end to end / baseline equal footing {best['e2e'] / best['equal']:.2f}")
    rate = rows / best["e2e"]
    checks = [(f"{name} end to end (campaign loaded) >= {min_rate:,} rows/s", rate >= min_rate, f"{rate:,.0f} rows/s")]
    if max_ratio is not None:
        ratio = best["ours"] / best["equal"]
        checks.append((f"{name} import within {max_ratio}x of the raw baseline on equal footing",
                       ratio <= max_ratio, f"{ratio:.2f}x"))
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
                   help="database to create for the PostgreSQL runs (its name must start with tds_bench, "
                        "or with $BENCH_PG_PREFIX)")
    p.add_argument("--campaign", type=Path, default=CAMPAIGN_FILE,
                   help="campaign file loaded for the end-to-end runs (default campaigns/bdhvs-2025.toml)")
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
            results = bench_sqlite(workdir, files, completions, args.rows, args.runs, args.campaign)
            passed &= check_targets("SQLite", args.rows, results, SQLITE_MAX_RATIO, SQLITE_MIN_ROWS_PER_S)
        if pg:
            results = bench_postgresql(pg, files, completions, args.rows, args.runs, args.campaign)
            passed &= check_targets("PostgreSQL", args.rows, results, None, PG_MIN_ROWS_PER_S)
    finally:
        if pg:
            pg.close(args.keep)
        if args.keep:
            print(f"Kept {workdir}" + (f" and PostgreSQL databases {pg.template}, {pg.with_campaign}, {pg.name}"
                                       if pg else ""))
        else:
            shutil.rmtree(workdir)
    print(f"Load average at end: {load_average()}")
    print(f"Peak RSS of the process: {peak_rss_mb():,.0f} MB")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
