"""What the importers write (SPEC §2): all or nothing, idempotence, the earliest event,
updates, dry runs, ``--skip-invalid``, national ids, the audit log, unit paths."""
import copy
import csv
import hashlib
import hmac
import json
import queue
import sqlite3
import threading
import time
from datetime import date

import psycopg
import pytest
import sqlalchemy as sa

from emulation.imports import importers as importing
from emulation.imports.importers import hash_national_id
from tests import factories as f
from tests.checks import assert_imported, assert_row_errors, describe

STREAMING_KINDS = ("households", "mentorships", "skills", "completions", "activities")


def batches(probe):
    return probe.rows("import_batches")


# ----------------------------------------------------------------------------- all or nothing

@pytest.fixture
def writes(monkeypatch):
    """Rows handed to the bulk writer (to show that a rejected file had really been written)."""
    from emulation import bulk

    seen = []
    add_encoded = bulk.BulkWriter.add_encoded

    def spy(self, payload):
        # SQLite is handed a JSON array per chunk, PostgreSQL the rows themselves.
        rows = json.loads(payload) if isinstance(payload, str) else payload or []
        seen.append((self.spec.table, len(rows)))
        return add_encoded(self, payload)

    monkeypatch.setattr(bulk.BulkWriter, "add_encoded", spy)
    return seen


@pytest.mark.parametrize("kind", f.KINDS)
def test_a_bad_late_row_leaves_the_database_unchanged(world, probe, writes, kind):
    bad_row, bad_column = f.BAD[kind]
    rows = copy.deepcopy(f.NEW[kind]) + [bad_row]  # lines 2-5 valid, line 6 bad
    before = probe.snapshot()
    report = world.csv(kind, rows, chunk_rows=2)
    assert_row_errors(report, [(6, bad_column, None, "")])
    assert report.rows_in == 5 and report.rows_rejected == 1
    if kind in STREAMING_KINDS:
        # The first chunks went to the database before line 6 was read...
        assert sum(n for table, n in writes if table == kind) >= 2, writes
    # ...and were rolled back: not a byte changed.
    assert probe.snapshot() == before


@pytest.mark.parametrize("kind, rows, bad_lines", [
    pytest.param("units", f.NEW["units"] + [{"code": "LC", "name": "Tỉnh", "kind": "province", "parent_code": "U4"}],
                 # Every unit of the file whose chain reaches the cycle LC → U4 → U1 → TP → LC.
                 {2, 3, 4, 5, 6}, id="units-cycle"),
    pytest.param("units", f.NEW["units"] + [{"code": "U9", "name": "Sai", "kind": "village", "parent_code": "U8"}],
                 {6}, id="units-unknown-parent"),
    pytest.param("people", f.NEW["people"] + [{**f.NEW["people"][1], "external_id": "P9", "national_id": f.NID_P1}],
                 {6}, id="people-national-id-in-database"),
    pytest.param("people", f.NEW["people"] + [{**f.NEW["people"][1], "external_id": "P9", "national_id": f.NID_P5}],
                 {6}, id="people-national-id-twice-in-file"),
])
def test_a_whole_file_check_failing_leaves_the_database_unchanged(world, probe, kind, rows, bad_lines):
    before = probe.snapshot()
    report = world.csv(kind, rows, chunk_rows=2)
    assert not report.ok and not report.committed, describe(report)
    assert {e.line for e in report.errors} == bad_lines, describe(report)
    assert probe.snapshot() == before


class _RecordingQueues:
    """Stands in for the ``queue`` module inside emulation.imports.importers: keeps every queue made,
    so that a test can release a worker thread left blocked on one."""

    Full = queue.Full
    Empty = queue.Empty

    def __init__(self):
        self.made = []

    def Queue(self, *args):  # noqa: N802 (the module's name)
        q = queue.Queue(*args)
        self.made.append(q)
        return q

    def drain(self):
        for q in self.made:
            while True:
                try:
                    q.get_nowait()
                except queue.Empty:
                    break


def test_a_database_error_while_writing_ends_the_import(world, make_app, probe, files, monkeypatch):
    """A write that fails (here: the database is locked by another writer) must end the import
    with an error, not hang it. Five chunks: while the first waits for the lock, the worker
    thread validates the other four and fills the queue."""
    queues = _RecordingQueues()
    monkeypatch.setattr(importing, "queue", queues)
    # A real chunk (10,000 rows) takes a while to write, so the worker is ahead; here a pause
    # stands for that. (SQLite reports the lock at once, without waiting for busy_timeout.)
    add = importing.BulkWriter.add

    def slow_add(self, rows):
        time.sleep(0.3)
        return add(self, rows)

    monkeypatch.setattr(importing.BulkWriter, "add", slow_add)
    path = files.csv(f.NEW["households"] + [{"code": "H7", "unit_code": "BL"}])  # 5 rows
    recorded = batches(probe)
    if probe.dialect == "sqlite":
        app = make_app(create_schema=False, SQLITE_BUSY_TIMEOUT_MS=200)
        holder = sqlite3.connect(probe.sqlite_file(), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer (a page being saved, say)
    else:
        app = make_app(create_schema=False, SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {
            "connect_timeout": 3, "options": "-c lock_timeout=200"}})
        holder = psycopg.connect(sa.engine.make_url(probe.url).set(drivername="postgresql").render_as_string(False))
        holder.execute("LOCK TABLE households IN ACCESS EXCLUSIVE MODE")  # a migration, say
    # The lock's own error ends the import: SQLite's "database is locked", PostgreSQL's lock
    # timeout (raised by the driver from the COPY of the bulk writer). Any other exception
    # (a TypeError, say) is not caught here and leaves no outcome: the test fails.
    expected = {"sqlite": (sa.exc.OperationalError, "database is locked"),
                "postgresql": (psycopg.errors.LockNotAvailable, "lock timeout")}[probe.dialect]
    outcome = {}

    def run():
        try:
            with app.app_context():
                outcome["report"] = importing.run_import("households", path, chunk_rows=1, today=f.TODAY)
        except expected[0] as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    try:
        thread.start()
        thread.join(timeout=2.5)
        hung = thread.is_alive()
    finally:
        holder.rollback()
        holder.close()
        queues.drain()  # lets a blocked worker go, so a hang does not leak into later tests
        thread.join(timeout=10)
    assert not hung, "the import hung after a database error (worker blocked on a full queue)"
    assert "report" not in outcome, "the import ended as if nothing had gone wrong"
    assert expected[1] in str(outcome.get("error")), outcome
    assert probe.count("households") == 2  # nothing of the file written
    assert batches(probe) == recorded  # and no import recorded


# ----------------------------------------------------------------------------- idempotence

@pytest.mark.parametrize("kind", f.KINDS)
def test_reimporting_a_file_changes_nothing(world, files, probe, kind):
    path = files.csv(f.NEW[kind])
    assert_imported(world.run(kind, path), rows_in=4, changed=4)
    records = probe.records()
    report = world.run(kind, path, chunk_rows=3)
    assert_imported(report, rows_in=4, changed=0)
    assert probe.records() == records
    assert [b["rows_changed"] for b in batches(probe)][-2:] == [4, 0]


def test_reimporting_the_whole_province_changes_nothing(world, probe):
    for kind in f.KINDS:
        world.load(kind, f.NEW[kind])
    records = probe.records()
    for kind in f.KINDS:
        assert_imported(world.csv(kind, f.SEED.get(kind, []) + f.NEW[kind]), changed=0)
    assert probe.records() == records


# ----------------------------------------------------------------------------- earliest event wins

def completion(on, source="mooc", reference=None, person="P1", skill="S1"):
    return {"person_id": person, "skill_code": skill, "completed_on": on, "source": source, "reference": reference}


def stored_completion(probe, person="P1", skill="S1"):
    return probe.all(
        "SELECT c.completed_on, c.source, c.reference FROM completions c JOIN people p ON p.id = c.person_id "
        "JOIN skills s ON s.id = c.skill_id WHERE p.external_id = :p AND s.code = :s", p=person, s=skill)


def test_the_earliest_completion_wins_across_files(world, probe):
    assert_imported(world.csv("completions", [completion(date(2025, 5, 5), "mooc", "A")]), changed=1)
    # Later: kept as it was.
    assert_imported(world.csv("completions", [completion(date(2025, 6, 1), "session", "B")]), changed=0)
    assert stored_completion(probe) == [(date(2025, 5, 5), "mooc", "A")]
    # The same date again: nothing changes either.
    assert_imported(world.csv("completions", [completion(date(2025, 5, 5), "manual", "B")]), changed=0)
    assert stored_completion(probe) == [(date(2025, 5, 5), "mooc", "A")]
    # Earlier: the date wins, and its source and reference come along (even an empty one).
    assert_imported(world.csv("completions", [completion(date(2025, 4, 1), "assessment", None)]), changed=1)
    assert stored_completion(probe) == [(date(2025, 4, 1), "assessment", None)]


@pytest.mark.parametrize("chunk_rows", [1, 2, 1000])
def test_the_earliest_completion_wins_within_a_file(world, probe, chunk_rows):
    world.load("completions", [completion(date(2025, 5, 1), "mooc", "DB", person="P3")])
    rows = [
        completion(date(2025, 6, 1), "session", "X1", person="P2"),
        completion(date(2025, 3, 1), "vneid", "X2", person="P2"),
        completion(date(2025, 5, 1), "manual", "X3", person="P2"),
        completion(date(2025, 7, 1), "session", "Y1", person="P3"),
        completion(date(2025, 4, 1), "assessment", "Y2", person="P3"),
        completion(date(2025, 4, 20), "manual", "Y3", person="P3"),
    ]
    report = world.csv("completions", rows, chunk_rows=chunk_rows)
    assert_imported(report, rows_in=6)
    assert stored_completion(probe, "P2") == [(date(2025, 3, 1), "vneid", "X2")]
    assert stored_completion(probe, "P3") == [(date(2025, 4, 1), "assessment", "Y2")]
    assert probe.count("completions") == 2
    # Again: nothing changes.
    assert_imported(world.csv("completions", rows, chunk_rows=chunk_rows), changed=0)


def stored_mentorships(probe):
    return probe.all(
        "SELECT a.external_id, b.external_id, m.started_on FROM mentorships m JOIN people a ON a.id = m.mentor_id "
        "JOIN people b ON b.id = m.mentee_id ORDER BY 1, 2")


@pytest.mark.parametrize("chunk_rows", [1, 1000])
def test_the_earliest_mentorship_start_wins(world, probe, chunk_rows):
    def m(on, mentee="P2"):
        return {"mentor_id": "P1", "mentee_id": mentee, "started_on": on}

    world.load("mentorships", [m(date(2025, 5, 5))])
    assert_imported(world.csv("mentorships", [m(date(2025, 6, 1))]), changed=0)
    assert stored_mentorships(probe) == [("P1", "P2", date(2025, 5, 5))]
    assert_imported(world.csv("mentorships", [m(date(2025, 4, 1))]), changed=1)
    assert stored_mentorships(probe) == [("P1", "P2", date(2025, 4, 1))]
    rows = [m(date(2025, 8, 1), "P3"), m(date(2025, 3, 2), "P3"), m(date(2025, 3, 9), "P3"), m(date(2025, 3, 30))]
    assert_imported(world.csv("mentorships", rows, chunk_rows=chunk_rows), rows_in=4)
    assert stored_mentorships(probe) == [("P1", "P2", date(2025, 3, 30)), ("P1", "P3", date(2025, 3, 2))]


@pytest.mark.parametrize("chunk_rows", [1, 1000])
def test_rows_changed_counts_records_not_rows(world, probe, chunk_rows):
    # One new completion given three times, each earlier than the one before: one record.
    # PostgreSQL merges the file once, so it counts records. SQLite writes chunk by chunk
    # and counts each effective write of a key the file repeats (documented in
    # emulation/bulk.py; an exact count would need per-key state for millions of rows).
    rows = [completion(date(2025, 6, d), person="P2") for d in (3, 2, 1)]
    report = world.csv("completions", rows, chunk_rows=chunk_rows)
    assert_imported(report, rows_in=3)
    assert probe.count("completions") == 1
    assert report.rows_changed == (1 if probe.dialect == "postgresql" else 3), describe(report)
    # A repeated key whose later rows are not earlier changes nothing more.
    later = [completion(date(2025, 6, d), person="P3") for d in (1, 2, 3)]
    assert world.csv("completions", later, chunk_rows=chunk_rows).rows_changed == 1


def test_an_activity_with_the_same_key_is_kept_once(world, probe):
    a = {"person_id": "P1", "kind": "festival", "occurred_on": date(2025, 5, 2), "reference": "R1"}
    assert_imported(world.csv("activities", [a, a, {**a, "occurred_on": f.dmy(a["occurred_on"])}]), changed=1)
    assert_imported(world.csv("activities", [{**a, "reference": "R2"}]), changed=0)
    assert probe.all("SELECT kind, occurred_on, reference FROM activities") == [("festival", date(2025, 5, 2), "R1")]
    assert_imported(world.csv("activities", [{**a, "occurred_on": date(2025, 5, 3)}]), changed=1)
    assert probe.count("activities") == 2


# ----------------------------------------------------------------------------- updates

def units_by_code(probe):
    return {r["code"]: r for r in probe.rows("units")}


def test_units_are_updated(world, probe):
    rows = copy.deepcopy(f.SEED_UNITS)
    rows[1].update(name="Phường Tân Phong (mới)", headcount_cadre=45, headcount_citizen=None, bracket="commune")
    rows[2].update(kind="residential_group", parent_code="LC")
    report = world.csv("units", rows)
    assert_imported(report, rows_in=4)
    units = units_by_code(probe)
    assert units["TP"]["name"] == "Phường Tân Phong (mới)"
    assert (units["TP"]["headcount_cadre"], units["TP"]["headcount_citizen"]) == (45, None)
    assert units["TP"]["bracket"] == "commune"
    assert (units["BL"]["kind"], units["BL"]["bracket"]) == ("residential_group", "residential_group")
    assert units["BL"]["parent_id"] == units["LC"]["id"]


def test_a_unit_that_changes_and_moves_is_counted_once(world, probe):
    rows = [{**f.SEED_UNITS[2], "name": "Bản Làng Mới", "parent_code": "LC"}]  # BL: renamed and moved
    report = world.csv("units", rows)
    assert_imported(report, rows_in=1)
    assert report.rows_changed == 1, describe(report)


def test_households_are_updated(world, probe):
    rows = [{**f.SEED_HOUSEHOLDS[0], "unit_code": "TP", "head_name": "Lò Văn Páo (chủ hộ mới)"}]
    assert_imported(world.csv("households", rows), changed=1)
    h1 = probe.all("SELECT u.code, h.head_name FROM households h JOIN units u ON u.id = h.unit_id "
                   "WHERE h.code = 'H1'")
    assert h1 == [("TP", "Lò Văn Páo (chủ hộ mới)")]


def people_by_id(probe):
    return {r["external_id"]: r for r in probe.rows("people")}


def test_people_are_updated(world, probe):
    rows = copy.deepcopy(f.SEED_PEOPLE)
    rows[1].update(full_name="Lò Thị Bình (đã sửa)", group="worker", unit_code="TP", household_code="H2",
                   birth_year=1991, gender="", party_member=1, position="Tổ trưởng", eligible=0)
    assert_imported(world.csv("people", rows), rows_in=4, changed=1)
    p2 = people_by_id(probe)["P2"]
    ids = dict(probe.all("SELECT code, id FROM units")) | dict(probe.all("SELECT code, id FROM households"))
    assert (p2["full_name"], p2["group"], p2["unit_id"], p2["household_id"]) == (
        "Lò Thị Bình (đã sửa)", "worker", ids["TP"], ids["H2"])
    assert (p2["birth_year"], p2["gender"], p2["party_member"], p2["position"], p2["eligible"]) == (
        1991, None, True, "Tổ trưởng", False)


def test_skills_are_updated(world, probe):
    rows = copy.deepcopy(f.SEED_SKILLS)
    rows[0].update(points=12, required_for="citizen ; CADRE;student", level=2)
    rows[2].update(name="An toàn, bảo mật trên mạng", domain="an_toan_so")
    assert_imported(world.csv("skills", rows), rows_in=3, changed=2)
    skills = {r["code"]: r for r in probe.rows("skills")}
    # required_for is stored in the canonical order of the groups.
    assert (skills["S1"]["points"], skills["S1"]["level"], skills["S1"]["required_for"]) == (
        12, 2, "cadre;student;citizen")
    assert (skills["S3"]["name"], skills["S3"]["domain"]) == ("An toàn, bảo mật trên mạng", "an_toan_so")


def test_a_column_absent_from_the_people_file_is_left_untouched(world, probe):
    before = people_by_id(probe)
    rows = [{"external_id": p["external_id"], "full_name": p["full_name"] + " A", "group": p["group"],
             "unit_code": p["unit_code"]} for p in f.SEED_PEOPLE]
    assert_imported(world.csv("people", rows), rows_in=4, changed=4)
    after = people_by_id(probe)
    for ext, p in after.items():
        assert p["full_name"] == before[ext]["full_name"] + " A"
        for column in ("household_id", "birth_year", "gender", "national_id_hash", "national_id_last3",
                       "party_member", "position", "eligible"):
            assert p[column] == before[ext][column], (ext, column)


def test_a_new_person_without_optional_columns_gets_the_defaults(world, probe):
    rows = [{"external_id": "P10", "full_name": "Người mới", "group": "citizen", "unit_code": "BL"}]
    assert_imported(world.csv("people", rows), changed=1)
    p = people_by_id(probe)["P10"]
    assert (p["party_member"], p["eligible"], p["household_id"], p["national_id_hash"]) == (False, True, None, None)


def test_columns_absent_from_the_units_file_are_left_untouched(world, probe):
    before = units_by_code(probe)
    rows = [{"code": u["code"], "name": u["name"] + " *", "kind": u["kind"]} for u in f.SEED_UNITS]
    assert_imported(world.csv("units", rows), rows_in=4, changed=4)
    for code, u in units_by_code(probe).items():
        assert u["name"] == before[code]["name"] + " *"
        for column in ("parent_id", "path", "depth", "headcount_cadre", "headcount_student", "headcount_citizen"):
            assert u[column] == before[code][column], (code, column)


def test_a_units_file_without_bracket_keeps_a_declared_bracket(world, probe):
    # U3 is a residential group ranked with the villages.
    world.load("units", f.NEW["units"])
    assert units_by_code(probe)["U3"]["bracket"] == "village"
    # A later file corrects names only: it has no bracket column.
    rows = [{"code": "U3", "name": "Tổ dân phố số 3", "kind": "residential_group", "parent_code": "TP"}]
    assert_imported(world.csv("units", rows), rows_in=1)
    u3 = units_by_code(probe)["U3"]
    assert u3["name"] == "Tổ dân phố số 3"
    assert u3["bracket"] == "village", "a column absent from the file must leave the attribute untouched"


def test_columns_absent_from_households_and_skills_files_are_left_untouched(world, probe):
    assert_imported(world.csv("households", [{"code": "H1", "unit_code": "TP"}]), changed=1)
    assert probe.all("SELECT head_name FROM households WHERE code = 'H1'") == [("Lò Văn Páo",)]
    rows = [{k: v for k, v in s.items() if k != "required_for"} for s in f.SEED_SKILLS]
    assert_imported(world.csv("skills", rows), changed=0)
    assert probe.all("SELECT required_for FROM skills WHERE code = 'S1'") == [("cadre;citizen",)]


# ----------------------------------------------------------------------------- unit paths

def check_paths(probe):
    """Every unit's path is its ancestors' ids then its own, depth the number of ancestors."""
    units = {r["id"]: r for r in probe.rows("units")}
    for u in units.values():
        chain, node = [], u
        while node is not None:
            chain.append(node["id"])
            node = units.get(node["parent_id"])
        assert u["path"] == "/" + "".join(f"{i}/" for i in reversed(chain)), u
        assert u["depth"] == len(chain) - 1, u
    return {u["code"]: u for u in units.values()}


def test_unit_paths_follow_the_tree(world, probe):
    world.load("units", f.NEW["units"])
    units = check_paths(probe)
    lc, tp, u1, u4 = (units[c]["id"] for c in ("LC", "TP", "U1", "U4"))
    assert units["U4"]["path"] == f"/{lc}/{tp}/{u1}/{u4}/"
    assert units["U4"]["depth"] == 3


def test_moving_a_unit_moves_its_subtree(world, probe):
    world.load("units", f.NEW["units"])
    report = world.csv("units", [{**f.NEW["units"][0], "parent_code": "BL"}])  # U1 (and U4 under it) to BL
    assert_imported(report, changed=1)
    units = check_paths(probe)
    assert units["U1"]["path"] == units["BL"]["path"] + f"{units['U1']['id']}/"
    assert units["U4"]["path"] == units["U1"]["path"] + f"{units['U4']['id']}/"
    assert (units["U1"]["depth"], units["U4"]["depth"]) == (3, 4)
    # To the top of the tree.
    assert_imported(world.csv("units", [{**f.NEW["units"][0], "parent_code": ""}]), changed=1)
    units = check_paths(probe)
    assert units["U4"]["path"] == f"/{units['U1']['id']}/{units['U4']['id']}/"


# ----------------------------------------------------------------------------- dry run, skip invalid

@pytest.mark.parametrize("kind", f.KINDS)
def test_a_dry_run_writes_nothing_but_reports_counts(world, probe, kind):
    # Sequences aside: on PostgreSQL the rolled-back upsert has drawn ids (see the report).
    # The one write of a dry run is its audit entry.
    before = probe.dump(exclude=("audit_log",), sequences=False), probe.count("audit_log")
    report = world.csv(kind, f.NEW[kind], dry_run=True)
    assert report.ok and report.dry_run and not report.committed, describe(report)
    assert (report.rows_in, report.rows_accepted, report.rows_rejected, report.rows_changed) == (4, 4, 0, 4)
    assert (probe.dump(exclude=("audit_log",), sequences=False), probe.count("audit_log") - 1) == before
    assert probe.rows("audit_log")[-1]["action"] == f"import.{kind}.dry_run"


def test_a_dry_run_of_a_bad_file_reports_its_errors(world, probe):
    rows = copy.deepcopy(f.NEW["households"]) + [f.BAD["households"][0]]
    before = probe.dump(exclude=("audit_log",), sequences=False)  # the audit entry draws an id
    report = world.csv("households", rows, dry_run=True)
    assert_row_errors(report, [(6, "unit_code", "NOPE", "unknown unit")])
    assert probe.dump(exclude=("audit_log",), sequences=False) == before


def read_rejects(path):
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "the rejects file is UTF-8 with a BOM (for Excel)"
    return list(csv.reader(data.decode("utf-8-sig").splitlines()))


@pytest.mark.parametrize("kind", f.KINDS)
def test_skip_invalid_imports_the_good_rows_and_writes_the_rejects(world, files, probe, kind):
    bad_row, bad_column = f.BAD[kind]
    rows = copy.deepcopy(f.NEW[kind])
    rows.insert(2, bad_row)  # line 4
    path = files.csv(rows, name=f"{kind} tháng 5.csv")
    header = f.header_of(rows)
    before = probe.count(kind)
    report = world.run(kind, path, skip_invalid=True, chunk_rows=2)
    assert report.ok and report.committed, describe(report)
    assert (report.rows_in, report.rows_accepted, report.rows_rejected, report.rows_changed) == (5, 4, 1, 4)
    assert [(e.line, e.column) for e in report.errors] == [(4, bad_column)]
    assert probe.count(kind) == before + 4
    assert report.rejects_path == path.with_name(f"{kind} tháng 5.rejects.csv")
    rejects = read_rejects(report.rejects_path)
    assert rejects[0] == ["line", *header, "errors"]
    assert len(rejects) == 2
    assert rejects[1][:-1] == ["4", *(f.cell_text(bad_row.get(h)) for h in header)]
    assert bad_column in rejects[1][-1]
    b = batches(probe)[-1]
    assert (b["rows_in"], b["rows_accepted"], b["rows_rejected"], b["skip_invalid"]) == (5, 4, 1, True)


def test_skip_invalid_also_rejects_the_children_of_a_rejected_unit(world, files, probe):
    rows = copy.deepcopy(f.NEW["units"])
    rows[0]["kind"] = "castle"  # U1 is rejected, so U4 (its child, line 5) cannot be attached
    report = world.run("units", files.csv(rows), skip_invalid=True)
    assert report.ok and report.committed, describe(report)
    assert [(e.line, e.column, e.value) for e in report.errors] == [(2, "kind", "castle"), (5, "parent_code", "U1")]
    assert set(units_by_code(probe)) == {"LC", "TP", "BL", "THCS", "U2", "U3"}
    check_paths(probe)
    assert [r[0] for r in read_rejects(report.rejects_path)[1:]] == ["2", "5"]


def test_skip_invalid_says_a_parent_was_rejected_rather_than_unknown(world, files):
    rows = copy.deepcopy(f.NEW["units"])
    rows[0]["kind"] = "castle"  # U1, line 2, is rejected; U4, line 5, is its child
    report = world.run("units", files.csv(rows), skip_invalid=True)
    child = report.errors[-1]
    assert (child.line, child.column, child.value) == (5, "parent_code", "U1"), describe(report)
    # U1 is in the file, two lines up: "unknown unit" would send the user looking for a typo.
    assert "was rejected" in child.reason.msgid, describe(report)


def test_skip_invalid_with_a_national_id_conflict(world, files, probe):
    rows = copy.deepcopy(f.NEW["people"])
    rows[1]["national_id"] = f.NID_P1  # P6 claims P1's id
    report = world.run("people", files.csv(rows), skip_invalid=True)
    assert report.ok and report.committed, describe(report)
    assert [(e.line, e.column) for e in report.errors] == [(3, "national_id")]
    people = people_by_id(probe)
    assert "P6" not in people and {"P5", "P7", "P8"} <= set(people)
    assert people["P1"]["national_id_hash"] == hash_national_id("test-national-id-key", f.NID_P1)


def test_skip_invalid_leaves_a_rejected_person_untouched(world, files, probe):
    # Line 2: P1 claims P4's id (P4 is not in the file): rejected. Line 3: P10 claims P1's id,
    # which is only free if P1's row were imported. P1's row is not, so P1 must keep their id.
    before = people_by_id(probe)["P1"]
    rows = [{**f.SEED_PEOPLE[0], "national_id": f.NID_P4},
            {"external_id": "P10", "full_name": "Người mới", "group": "citizen", "unit_code": "BL",
             "national_id": f.NID_P1}]
    report = world.run("people", files.csv(rows), skip_invalid=True)
    assert report.ok and report.committed, describe(report)
    assert 2 in {e.line for e in report.errors}, describe(report)
    after = people_by_id(probe)
    assert after["P1"] == before, "a rejected row changed its person"
    assert after.get("P10", {}).get("national_id_hash") != before["national_id_hash"], \
        "two people would have shared one national id"


def test_skip_invalid_with_an_xlsx_file(world, files, probe):
    rows = copy.deepcopy(f.NEW["completions"])
    rows[3]["skill_code"] = "S99"
    report = world.run("completions", files.xlsx(rows, name="hoan_thanh.xlsx"), skip_invalid=True)
    assert report.ok and report.committed and report.rows_accepted == 3, describe(report)
    assert report.rejects_path.name == "hoan_thanh.rejects.csv"
    rejects = read_rejects(report.rejects_path)
    assert rejects[1][:3] == ["5", "P3", "S99"]


def test_skip_invalid_dry_run_writes_nothing(world, files, probe):
    rows = copy.deepcopy(f.NEW["skills"]) + [f.BAD["skills"][0]]
    path = files.csv(rows)
    before = probe.dump(exclude=("audit_log",), sequences=False)
    report = world.run("skills", path, skip_invalid=True, dry_run=True)
    assert report.ok and not report.committed and report.rows_accepted == 4, describe(report)
    assert probe.dump(exclude=("audit_log",), sequences=False) == before
    assert not path.with_name(path.stem + ".rejects.csv").exists()


# ----------------------------------------------------------------------------- national ids at rest

def test_national_ids_are_never_stored_in_clear(world, probe, make_app, imports):
    world.load("people", f.NEW["people"])
    ids = (f.NID_P1, f.NID_P4, f.NID_P5)
    text = probe.text()
    for nid in ids:
        assert nid not in text
    if probe.dialect == "sqlite":
        raw = probe.sqlite_bytes()
        for nid in ids:
            assert nid.encode() not in raw and nid.encode("utf-16-le") not in raw
    people = people_by_id(probe)
    for ext, nid in (("P1", f.NID_P1), ("P4", f.NID_P4), ("P5", f.NID_P5)):
        expected = hmac.new(b"test-national-id-key", nid.encode(), hashlib.sha256).hexdigest()
        assert people[ext]["national_id_hash"] == expected == hash_national_id("test-national-id-key", nid)
        assert people[ext]["national_id_last3"] == nid[-3:]


def test_the_national_id_hash_is_keyed(world, probe, make_app, files):
    from emulation.imports.importers import run_import

    before = people_by_id(probe)
    other = make_app(create_schema=False, NATIONAL_ID_KEY="another-key")
    with other.app_context():
        report = run_import("people", files.csv(f.SEED_PEOPLE), today=f.TODAY)
    assert_imported(report, changed=2)  # P1 and P4 have ids
    after = people_by_id(probe)
    for ext, nid in (("P1", f.NID_P1), ("P4", f.NID_P4)):
        assert after[ext]["national_id_hash"] != before[ext]["national_id_hash"]
        assert after[ext]["national_id_hash"] == hash_national_id("another-key", nid)
        assert after[ext]["national_id_last3"] == before[ext]["national_id_last3"] == nid[-3:]


# ----------------------------------------------------------------------------- audit log

def test_a_committed_import_is_recorded_once(world, files, probe):
    path = files.csv(f.NEW["completions"], name="hoàn thành.csv")
    batches_before, audit_before = probe.count("import_batches"), probe.count("audit_log")
    report = world.run("completions", path, actor="cli:cán_bộ")
    assert_imported(report, rows_in=4, changed=4)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert report.sha256 == sha
    assert probe.count("import_batches") == batches_before + 1
    assert probe.count("audit_log") == audit_before + 1
    b = batches(probe)[-1]
    assert (b["kind"], b["file_name"], b["sha256"], b["actor"]) == ("completions", "hoàn thành.csv", sha, "cli:cán_bộ")
    assert (b["rows_in"], b["rows_accepted"], b["rows_rejected"], b["rows_changed"], b["skip_invalid"]) == (
        4, 4, 0, 4, False)
    assert b["started_at"] <= b["finished_at"]
    a = probe.rows("audit_log")[-1]
    assert (a["actor"], a["action"], a["target"]) == ("cli:cán_bộ", "import.completions", "hoàn thành.csv")
    assert a["details"]["sha256"] == sha
    assert (a["details"]["rows_in"], a["details"]["rows_accepted"], a["details"]["rows_rejected"]) == (4, 4, 0)


def test_an_upload_stream_is_recorded_with_its_name(world, probe):
    import io

    data = f.csv_bytes(f.NEW["activities"])
    report = world.run("activities", io.BytesIO(data), file_name="hoat_dong.csv")
    assert_imported(report, rows_in=4)
    b = batches(probe)[-1]
    assert (b["file_name"], b["sha256"]) == ("hoat_dong.csv", hashlib.sha256(data).hexdigest())


def test_rejected_imports_are_not_recorded(world, files, probe):
    before = probe.count("import_batches"), probe.count("audit_log")
    bad = copy.deepcopy(f.NEW["households"]) + [f.BAD["households"][0]]
    assert not world.csv("households", bad).ok
    assert world.run("households", files.raw(b"")).file_error is not None
    assert (probe.count("import_batches"), probe.count("audit_log")) == before
    # A dry run is audited (tests/emulation/imports/test_import_oracle.py) but is no batch.
    assert world.csv("households", f.NEW["households"], dry_run=True).ok
    assert (probe.count("import_batches"), probe.count("audit_log")) == (before[0], before[1] + 1)


def test_a_large_postgresql_merge_restores_and_enforces_the_foreign_keys(world, probe, monkeypatch):
    # Large imports on PostgreSQL drop the event table's foreign keys for the merge and add
    # them back (one set-based validation) in the same transaction.
    if probe.dialect != "postgresql":
        pytest.skip("the foreign-key re-validation path is PostgreSQL's")
    from emulation import bulk

    monkeypatch.setattr(bulk, "FK_REVALIDATE_ROWS", 1)
    fks = "SELECT conname FROM pg_constraint WHERE conrelid = 'completions'::regclass AND contype = 'f' ORDER BY 1"
    before = probe.all(fks)
    assert_imported(world.csv("completions", copy.deepcopy(f.NEW["completions"])), changed=len(f.NEW["completions"]))
    assert probe.count("completions") == len(f.NEW["completions"])
    assert probe.all(fks) == before and len(before) == 2
    with pytest.raises(Exception, match="foreign key"):
        probe.all("INSERT INTO completions (person_id, skill_id, completed_on, source) "
                  "VALUES (999999, 999999, '2025-01-01', 'manual') RETURNING person_id")


# ----------------------------------------------------------------------------- references

def _dangling(conn) -> dict[str, int]:
    """Rows whose reference finds no row, per foreign key of the models (any dialect)."""
    from extensions import db

    out = {}
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            pairs = [(e.parent.name, e.column.name) for e in fk.elements]
            filled = " AND ".join(f't."{c}" IS NOT NULL' for c, _ in pairs)
            match = " AND ".join(f'r."{rc}" = t."{c}"' for c, rc in pairs)
            n = conn.exec_driver_sql(f'SELECT COUNT(*) FROM "{table.name}" t WHERE {filled} AND NOT EXISTS '
                                     f'(SELECT 1 FROM "{fk.referred_table.name}" r WHERE {match})').scalar()
            if n:
                out[f"{table.name}.{','.join(c for c, _ in pairs)}"] = n
    return out


def test_imported_references_hold_and_connections_keep_their_checks(world, probe, app, monkeypatch):
    """SQLite imports skip the per-row foreign-key checks (emulation/bulk.py,
    references_proven_by_lookups): what they wrote must still satisfy every key, and the
    pooled connections must have their checks back, after a good and after a bad file.
    PostgreSQL: every merge here takes the large-merge path, which drops the event tables'
    foreign keys and adds them back: afterwards every key of the models is there, checked
    (validated), and holds."""
    from emulation import bulk
    from extensions import db

    if probe.dialect == "postgresql":
        monkeypatch.setattr(bulk, "FK_REVALIDATE_ROWS", 1)
    for kind in f.KINDS:
        world.load(kind, f.NEW[kind])
    completions = probe.count("completions")
    assert not world.csv("completions", [f.BAD["completions"][0]]).ok
    assert probe.count("completions") == completions  # the bad file wrote nothing
    with app.app_context(), db.engine.connect() as conn:
        assert _dangling(conn) == {}
        if probe.dialect == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        else:
            present = sorted(conn.exec_driver_sql(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint "
                "WHERE contype = 'f' AND convalidated AND connamespace = 'public'::regnamespace").all())
            expected = sorted((t.name, fk.name) for t in db.metadata.sorted_tables for fk in t.foreign_key_constraints)
            assert [tuple(r) for r in present] == expected


def test_a_parent_cannot_vanish_under_an_import(world, probe, app, monkeypatch):
    """The lookups of an import are read in its transaction, and nothing they found may
    disappear before it commits. SQLite: the import holds the write lock from its BEGIN
    IMMEDIATE, so another connection cannot remove the person meanwhile, and the import
    goes through. PostgreSQL: the removal commits, the import's foreign key refuses the
    row and nothing is written. Either way nothing dangles."""
    from emulation import bulk

    if probe.dialect == "sqlite":
        other = sqlite3.connect(probe.sqlite_file(), isolation_level=None, timeout=0)
    else:
        other = psycopg.connect(sa.engine.make_url(probe.url).set(drivername="postgresql").render_as_string(False),
                                autocommit=True)
    add_encoded = bulk.BulkWriter.add_encoded
    refused = []

    def delete_first(self, payload):
        try:
            other.execute("DELETE FROM people WHERE external_id = 'P4'")
        except sqlite3.OperationalError as exc:
            refused.append(str(exc))
        monkeypatch.setattr(bulk.BulkWriter, "add_encoded", add_encoded)
        return add_encoded(self, payload)

    monkeypatch.setattr(bulk.BulkWriter, "add_encoded", delete_first)
    rows = [{"person_id": "P4", "skill_code": "S1", "completed_on": date(2025, 5, 1), "source": "mooc"}]
    try:
        if probe.dialect == "sqlite":
            world.load("completions", rows)
            assert refused == ["database is locked"]
            assert probe.count("completions") == 1
            assert probe.scalar("SELECT count(*) FROM people WHERE external_id = 'P4'") == 1
        else:
            with pytest.raises(psycopg.errors.ForeignKeyViolation):
                world.csv("completions", rows)
            assert probe.count("completions") == 0
            assert probe.scalar("SELECT count(*) FROM people WHERE external_id = 'P4'") == 0
    finally:
        other.close()


def test_the_large_merge_leaves_the_models_foreign_keys_alone(world, probe, monkeypatch, make_app):
    """Dropping and adding the constraints for a large merge must not change the models:
    a schema created afterwards (here, another app's create_all) still has its foreign keys."""
    if probe.dialect != "postgresql":
        pytest.skip("the foreign-key re-validation path is PostgreSQL's")
    from emulation import bulk
    from extensions import db

    monkeypatch.setattr(bulk, "FK_REVALIDATE_ROWS", 1)
    assert_imported(world.csv("completions", copy.deepcopy(f.NEW["completions"])))
    table = db.metadata.tables["completions"]
    ddl = str(sa.schema.CreateTable(table).compile(dialect=sa.dialects.postgresql.dialect()))
    assert ddl.count("FOREIGN KEY") == 2, ddl
