"""Row rules of the importers (SPEC §2): dates, references, the unit tree, national ids.

A bad row rejects the whole file: the report names line, column, value and reason, and
nothing is written.
"""
import copy
import hashlib
import hmac
from datetime import date, timedelta

import pytest

from tests import factories as f
from tests.checks import assert_imported, assert_row_errors, describe

NID_KEY = "test-national-id-key"  # conftest's NATIONAL_ID_KEY


def nid_hash(national_id: str, key: str = NID_KEY) -> str:
    return hmac.new(key.encode(), national_id.encode(), hashlib.sha256).hexdigest()


# ----------------------------------------------------------------------------- dates

@pytest.mark.parametrize("kind", f.DATED_KINDS)
def test_day_month_year_dates_are_the_same_dates(world, probe, kind):
    column = f.DATED_KINDS[kind]
    assert_imported(world.csv(kind, f.with_dates(f.NEW[kind], f.dmy)), rows_in=4, changed=4)
    stored = sorted(r[column] for r in probe.rows(kind))
    assert stored == sorted(r[column] for r in f.NEW[kind])
    records = probe.records()
    for fmt in (date.isoformat, f.d_m_y):  # YYYY-MM-DD and D/M/YYYY: the very same records
        assert_imported(world.csv(kind, f.with_dates(f.NEW[kind], fmt)), rows_in=4, changed=0)
        assert probe.records() == records


def test_single_digit_day_and_month(world, probe):
    rows = [{"person_id": "P1", "kind": "festival", "occurred_on": "5/3/2025"},
            {"person_id": "P1", "kind": "ecommerce", "occurred_on": "05/3/2025"},
            {"person_id": "P1", "kind": "digital_savings", "occurred_on": "5/03/2025"}]
    assert_imported(world.csv("activities", rows), rows_in=3)
    assert {r["occurred_on"] for r in probe.rows("activities")} == {date(2025, 3, 5)}


@pytest.mark.parametrize("kind", f.DATED_KINDS)
def test_impossible_and_future_dates_are_rejected(world, probe, kind):
    column = f.DATED_KINDS[kind]
    rows = copy.deepcopy(f.NEW[kind])  # lines 2-5, valid
    base = rows[0]
    bad = [
        ("2026-02-31", "this date does not exist"),
        ("31/04/2025", "this date does not exist"),
        ("2025-13-01", "this date does not exist"),
        ("29/02/2025", "this date does not exist"),
        ((f.TODAY + timedelta(days=1)).isoformat(), "the date is in the future"),
        (f.dmy(f.TODAY + timedelta(days=1)), "the date is in the future"),
        ("1899-12-31", "before 1900"),
        ("2025-3-5", "not a date"),
        ("15.03.2025", "not a date"),
        ("ngày 15/3", "not a date"),
        ("", "a value is required"),
    ]
    for value, _ in bad:
        rows.append({**base, column: value})
    before = probe.snapshot()
    report = world.csv(kind, rows)
    assert_row_errors(report, [(6 + i, column, value, fragment) for i, (value, fragment) in enumerate(bad)])
    assert probe.snapshot() == before
    # Today itself is not in the future.
    assert_imported(world.csv(kind, [{**base, column: f.TODAY}]), rows_in=1)


def test_birth_year_in_the_future_is_rejected(world, probe):
    row = {**f.NEW["people"][0], "birth_year": f.TODAY.year + 1}
    assert_row_errors(world.csv("people", [row]), [(2, "birth_year", str(f.TODAY.year + 1), "between")])


# ----------------------------------------------------------------------------- references

UNKNOWN = "KHONG_CO"
REFERENCES = [
    ("units", "parent_code", "unknown unit"),
    ("households", "unit_code", "unknown unit"),
    ("people", "unit_code", "unknown unit"),
    ("people", "household_code", "unknown household"),
    ("mentorships", "mentor_id", "unknown person"),
    ("mentorships", "mentee_id", "unknown person"),
    ("completions", "person_id", "unknown person"),
    ("completions", "skill_code", "unknown skill"),
    ("activities", "person_id", "unknown person"),
]


@pytest.mark.parametrize("kind, column, fragment", REFERENCES, ids=[f"{k}-{c}" for k, c, _ in REFERENCES])
def test_unknown_reference_is_rejected(world, probe, kind, column, fragment):
    rows = copy.deepcopy(f.NEW[kind])
    rows[2][column] = UNKNOWN
    before = probe.snapshot()
    report = world.csv(kind, rows)
    assert_row_errors(report, [(4, column, UNKNOWN, fragment)])
    assert report.errors[0].reason.params == {"value": UNKNOWN}
    assert probe.snapshot() == before


def test_references_resolve_with_surrounding_spaces(world, probe):
    rows = [{"person_id": " P1 ", "skill_code": "S1\t", "completed_on": " 2025-03-15 ", "source": " MOOC "}]
    assert_imported(world.csv("completions", rows), rows_in=1)
    assert probe.rows("completions")[0]["source"] == "mooc"


def test_a_person_cannot_mentor_themselves(world, probe):
    rows = copy.deepcopy(f.NEW["mentorships"])
    rows[1]["mentee_id"] = rows[1]["mentor_id"]
    assert_row_errors(world.csv("mentorships", rows), [(3, "mentee_id", None, "cannot mentor themselves")])
    assert probe.count("mentorships") == 0


@pytest.mark.parametrize("kind", ["units", "households", "people", "skills"])
def test_a_key_repeated_in_one_file_is_rejected(world, probe, kind):
    rows = copy.deepcopy(f.NEW[kind])
    key = f.KEY_COLUMNS[kind][0]
    rows.append({**rows[1], key: rows[1][key]})  # line 6 repeats line 3
    report = world.csv(kind, rows)
    assert_row_errors(report, [(6, key, rows[1][key], "repeats the key")])
    assert report.errors[0].reason.params == {"first": 3}


# ----------------------------------------------------------------------------- the unit tree

def unit(code, parent, kind="village"):
    return {"code": code, "name": f"Đơn vị {code}", "kind": kind, "parent_code": parent}


@pytest.mark.parametrize("rows, bad_lines", [
    pytest.param([unit("A", "B"), unit("B", "A")], {2, 3}, id="two-units"),
    pytest.param([unit("A", "A")], {2}, id="self-parent"),
    pytest.param([unit("X", "TP"), unit("A", "C"), unit("B", "A"), unit("C", "B")], {3, 4, 5}, id="three-units"),
    # Together with the database: BL is under TP, which is under LC.
    pytest.param([unit("LC", "BL", "province")], {2}, id="with-database"),
    pytest.param([unit("N1", "TP"), unit("TP", "N1", "ward")], {2, 3}, id="with-database-and-file"),
])
def test_a_cycle_in_the_unit_tree_is_rejected(world, probe, rows, bad_lines):
    before = probe.snapshot()
    report = world.csv("units", rows, chunk_rows=1)
    assert report.file_error is None and not report.ok and not report.committed, describe(report)
    assert {e.line for e in report.errors} == bad_lines, describe(report)
    for e in report.errors:
        assert e.column == "parent_code" and "cycle" in e.reason.msgid, describe(report)
        assert e.value == rows[e.line - 2]["parent_code"]
    assert probe.snapshot() == before


def test_a_parent_later_in_the_same_file_is_fine(world, probe):
    rows = [unit("N3", "N2"), unit("N2", "N1"), unit("N1", "TP")]
    assert_imported(world.csv("units", rows, chunk_rows=1), rows_in=3, changed=3)
    parents = dict(probe.all("SELECT u.code, p.code FROM units u LEFT JOIN units p ON p.id = u.parent_id"))
    assert (parents["N3"], parents["N2"], parents["N1"]) == ("N2", "N1", "TP")


# ----------------------------------------------------------------------------- national ids

def person(ext, national_id, **kw):
    return {"external_id": ext, "full_name": f"Người {ext}", "group": "citizen", "unit_code": "BL",
            "national_id": national_id, **kw}


def hashes(probe):
    return {r["external_id"]: (r["national_id_hash"], r["national_id_last3"]) for r in probe.rows("people")}


def test_the_same_national_id_twice_in_one_file(world, probe):
    before = probe.snapshot()
    rows = [person("P10", f.NID_FREE), person("P11", "123456789012"), person("P12", f.NID_FREE)]
    report = world.csv("people", rows)
    assert_row_errors(report, [(4, "national_id", "…" + f.NID_FREE[-3:], "already given to")])
    assert report.errors[0].reason.params == {"other": "P10", "first": 2}
    assert probe.snapshot() == before


def test_a_national_id_already_held_by_another_person(world, probe):
    before = probe.snapshot()
    rows = [person("P10", f.NID_FREE), person("P11", f.NID_P1)]
    report = world.csv("people", rows, chunk_rows=1)
    assert_row_errors(report, [(3, "national_id", "…" + f.NID_P1[-3:], "already belongs to person")])
    assert report.errors[0].reason.params == {"other": "P1"}
    assert probe.snapshot() == before


def test_a_person_reimported_with_their_own_national_id(world, probe):
    before = hashes(probe)
    assert_imported(world.csv("people", f.SEED_PEOPLE), rows_in=4, changed=0)
    assert hashes(probe) == before
    assert before["P1"] == (nid_hash(f.NID_P1), f.NID_P1[-3:])


def test_two_people_swap_their_national_ids(world, probe):
    before = hashes(probe)
    rows = copy.deepcopy(f.SEED_PEOPLE)
    rows[0]["national_id"], rows[3]["national_id"] = f.NID_P4, f.NID_P1
    report = world.csv("people", rows, chunk_rows=1)
    assert_imported(report, rows_in=4, changed=2)
    after = hashes(probe)
    assert after["P1"] == before["P4"] == (nid_hash(f.NID_P4), f.NID_P4[-3:])
    assert after["P4"] == before["P1"] == (nid_hash(f.NID_P1), f.NID_P1[-3:])


def test_a_national_id_moves_to_a_new_person(world, probe):
    # P1 is given a new id in the same file, so P1's old id is free for P10.
    rows = [person("P10", f.NID_P1), {**f.SEED_PEOPLE[0], "national_id": f.NID_FREE}]
    assert_imported(world.csv("people", rows), rows_in=2, changed=2)
    after = hashes(probe)
    assert after["P10"][0] == nid_hash(f.NID_P1)
    assert after["P1"][0] == nid_hash(f.NID_FREE)


def test_a_national_id_given_up_in_the_file(world, probe):
    # P4 drops their id (empty cell) and P10 takes it: one correction file.
    rows = [{**f.SEED_PEOPLE[3], "national_id": None}, person("P10", f.NID_P4)]
    assert_imported(world.csv("people", rows), rows_in=2, changed=2)
    after = hashes(probe)
    assert after["P4"] == (None, None)
    assert after["P10"] == (nid_hash(f.NID_P4), f.NID_P4[-3:])


def test_malformed_national_ids_are_rejected(world, probe):
    bad = [
        ("12345678901", "leading 0"),
        ("0123456789012", "exactly 12 digits"),
        ("01234567890a", "exactly 12 digits"),
        ("0123 4567 8901", "exactly 12 digits"),
        ("０１２３４５６７８９０１", "exactly 12 digits"),  # full-width digits
    ]
    rows = [person(f"P{10 + i}", value) for i, (value, _) in enumerate(bad)]
    before = probe.snapshot()
    report = world.csv("people", rows)
    # Reported masked (the last three characters), like the database keeps a national id.
    assert_row_errors(report, [(2 + i, "national_id", "…" + value[-3:], fragment)
                               for i, (value, fragment) in enumerate(bad)])
    assert probe.snapshot() == before


# ----------------------------------------------------------------------------- the cell rules by hand
# Each parser of SPEC §2's columns on values at and beyond its limits, with the reason a
# report gives (rendered without an app: the English text with its values). Written from
# the rules, not from the code (mutation testing, tests/README.md).

def _outcome(parse, raw):
    from emulation.imports.importers import Invalid

    try:
        return parse(raw)
    except Invalid as exc:
        return "!" + exc.message.render()


def _cells():
    from emulation.imports import importers as i

    today = date(2025, 12, 31)
    units = i.Lookup({"U1": 1}, i.UNKNOWN_UNIT, outside=frozenset({"U9"}))
    not_a_date = "!not a date: use YYYY-MM-DD or DD/MM/YYYY"
    return [
        (i.text(5), "abcde", "abcde"), (i.text(5), " abcde ", "abcde"),
        (i.text(5), "abcdef", "!longer than 5 characters"), (i.text(5), "", None),
        (i.text(5), "a\tb", "!contains a control character (line break, tab or similar)"),
        (i.text(5, required=True), "  ", "!a value is required"),
        (i.code(), "a b", "!a code may not contain spaces"), (i.code(), "", "!a value is required"),
        (i.code(required=False), "", None), (i.code(4), "ABCDE", "!longer than 4 characters"),
        (i.choice(("M", "F")), "m", "M"), (i.choice(("M", "F")), "x", "!must be one of: M, F"),
        (i.choice(("M", "F")), "", "!a value is required"), (i.choice(("M", "F"), required=False), "", None),
        (i.integer(0, 10), "0", 0), (i.integer(0, 10), "10", 10), (i.integer(0, 10), "", None),
        (i.integer(0, 10), "11", "!must be between 0 and 10"), (i.integer(0, 10), "-1", "!must be between 0 and 10"),
        (i.integer(1), "0", "!must be at least 1"), (i.integer(-5), "-3", -3), (i.integer(-5), "-6", "!must be at least -5"),
        (i.integer(0), "x12", "!must be a whole number"), (i.integer(0), "1.5", "!must be a whole number"),
        (i.integer(0), "١٢", "!must be a whole number"), (i.integer(0, required=True), "", "!a value is required"),
        (i.flag(False), "", False), (i.flag(True), "", True), (i.flag(False), " 1 ", True), (i.flag(True), "0", False),
        (i.flag(False), "2", "!must be 0 or 1"),
        (i.day(today), "2025-03-05", "2025-03-05"), (i.day(today), "5/3/2025", "2025-03-05"),
        (i.day(today), "05/03/2025", "2025-03-05"), (i.day(today), "2025-12-31", "2025-12-31"),
        (i.day(today), "2026-01-01", "!the date is in the future"), (i.day(today), "1900-01-01", "1900-01-01"),
        (i.day(today), "1899-12-31", "!the date is before 1900"),
        (i.day(today), "2025-02-30", "!this date does not exist"), (i.day(today), "30/02/2025", "!this date does not exist"),
        (i.day(today), "2025-03-0x", not_a_date), (i.day(today), "2025-03-x5", not_a_date),
        (i.day(today), "2025-x3-05", not_a_date),
        (i.day(today), "2025/03/05", not_a_date), (i.day(today), "05/03/25", not_a_date),
        (i.day(today), "0a/03/2025", not_a_date), (i.day(today), "٠٥/03/2025", not_a_date),
        (i.day(today), "005/03/2025", not_a_date), (i.day(today), "05/003/2025", not_a_date),
        (i.day(today), "", "!a value is required"), (i.day(today, required=False), "", None),
        (i.national_id_hasher("k"), "12345678901",
         "!a national id has 12 digits (a leading 0 may have been lost: format the column as Text)"),
        (i.national_id_hasher("k"), "1234567890123", "!a national id has exactly 12 digits"),
        (i.national_id_hasher("k"), "12345678901a", "!a national id has exactly 12 digits"),
        (i.national_id_hasher("k"), "", None),
        (i.national_id_hasher("k"), " 012345678901 ",
         (hmac.new(b"k", b"012345678901", hashlib.sha256).hexdigest(), "901")),
        (i.groups_list, "citizen; Cadre", "cadre;citizen"), (i.groups_list, "", ""),
        (i.groups_list, "cadre;farmer;x", '!unknown target group "farmer"; allowed: cadre, student, worker, citizen'),
        (units.__getitem__, " U1 ", 1), (units.__getitem__, " X ", '!unknown unit "X"'),
        (units.__getitem__, "U9", '!"U9" belongs to a unit outside the units you manage'),
        (units.__getitem__, "  ", "!a value is required"), (units.optional(), " ", None), (units.optional(), "U1", 1),
        (i.quoted, "a" * 80, "a" * 80), (i.quoted, "a" * 81, "a" * 80 + "…"),
        (i.masked_national_id, " 012345678901 ", "…901"), (i.masked_national_id, "…901", "…901"),
    ]


def test_the_cell_rules_by_hand():
    cells = _cells()
    assert [(raw, _outcome(parse, raw)) for parse, raw, _ in cells] == [(raw, want) for _, raw, want in cells]
