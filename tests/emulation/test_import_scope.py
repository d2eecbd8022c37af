"""A unit manager's imports stay inside their subtree (seed: LC > TP > {BL, THCS}).

The scope is THCS's path: its people (P3), nothing of TP, BL, LC or their people and
households may be referenced or changed by such an import.
"""
from datetime import date

import pytest

from tests.checks import assert_imported, assert_row_errors


@pytest.fixture
def scoped(world, probe):
    path = probe.scalar("SELECT path FROM units WHERE code = 'THCS'")

    def run(kind, rows, **kw):
        return world.csv(kind, rows, scope_path=path, **kw)

    return run


def test_a_manager_adds_units_below_their_unit(scoped, probe):
    report = scoped("units", [{"code": "6A", "name": "Lớp 6A", "kind": "class", "parent_code": "THCS"},
                              {"code": "6A1", "name": "Tổ 1 lớp 6A", "kind": "other", "parent_code": "6A"}])
    assert_imported(report, rows_in=2, changed=2)
    assert probe.scalar("SELECT p.code FROM units u JOIN units p ON p.id = u.parent_id WHERE u.code = '6A1'") == "6A"


def test_a_manager_may_correct_their_own_unit_but_not_move_it(scoped, probe):
    assert_imported(scoped("units", [{"code": "THCS", "name": "Trường THCS số 1 Tân Phong", "kind": "school",
                                      "parent_code": "TP"}]), changed=1)
    before = probe.snapshot()
    report = scoped("units", [{"code": "THCS", "name": "Trường THCS", "kind": "school", "parent_code": "LC"}])
    assert_row_errors(report, [(2, "parent_code", "LC", "cannot be moved")])
    assert probe.snapshot() == before


def test_units_outside_the_subtree_are_refused(scoped, probe):
    before = probe.snapshot()
    report = scoped("units", [
        {"code": "BL", "name": "Bản Làng mới", "kind": "village", "parent_code": "TP"},  # another unit
        {"code": "X1", "name": "Bản mới", "kind": "village", "parent_code": "TP"},  # hung outside
        {"code": "X2", "name": "Không có cha", "kind": "other", "parent_code": None},  # a new root
    ])
    assert_row_errors(report, [(2, "code", "BL", "outside the units you manage"),
                               (3, "parent_code", "TP", "outside the units you manage"),
                               (4, "parent_code", "", "must belong to a unit you manage")])
    assert probe.snapshot() == before


def test_people_and_households_only_inside_the_subtree(scoped, probe):
    before = probe.snapshot()
    report = scoped("people", [
        {"external_id": "P10", "full_name": "Lò Văn Tú", "group": "student", "unit_code": "BL"},
        {"external_id": "P1", "full_name": "Nguyễn Văn An", "group": "cadre", "unit_code": "THCS"},  # steals P1
        {"external_id": "P11", "full_name": "Tẩn Thị Sơn", "group": "student", "unit_code": "THCS",
         "household_code": "H1"},  # H1 is a household of BL
    ])
    assert_row_errors(report, [(2, "unit_code", "BL", "outside the units you manage"),
                               (3, "external_id", "P1", "outside the units you manage"),
                               (4, "household_code", "H1", "outside the units you manage")])
    report = scoped("households", [{"code": "H1", "unit_code": "THCS", "head_name": "Lò Văn Páo"}])
    assert_row_errors(report, [(2, "code", "H1", "outside the units you manage")])
    assert probe.snapshot() == before
    assert_imported(scoped("people", [
        {"external_id": "P3", "full_name": "Giàng A Chứ", "group": "student", "unit_code": "THCS", "birth_year": 2012},
        {"external_id": "P12", "full_name": "Lù Văn Pó", "group": "student", "unit_code": "THCS"}]), changed=2)


def test_events_only_for_people_inside_the_subtree(scoped, probe):
    report = scoped("completions", [
        {"person_id": "P3", "skill_code": "S2", "completed_on": date(2025, 6, 1), "source": "session"},
        {"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 6, 1), "source": "session"},
        {"person_id": "NOPE", "skill_code": "S1", "completed_on": date(2025, 6, 1), "source": "session"},
    ])
    assert_row_errors(report, [(3, "person_id", "P1", "outside the units you manage"),
                               (4, "person_id", "NOPE", "unknown person")])
    report = scoped("mentorships", [{"mentor_id": "P3", "mentee_id": "P2", "started_on": date(2025, 6, 1)}])
    assert_row_errors(report, [(2, "mentee_id", "P2", "outside the units you manage")])
    report = scoped("activities", [{"person_id": "P4", "kind": "festival", "occurred_on": date(2025, 6, 1)}])
    assert_row_errors(report, [(2, "person_id", "P4", "outside the units you manage")])
    assert probe.count("completions") == probe.count("mentorships") == probe.count("activities") == 0
    assert_imported(scoped("completions", [
        {"person_id": "P3", "skill_code": "S2", "completed_on": date(2025, 6, 1), "source": "session"}]), changed=1)


def test_the_skills_framework_is_not_a_scoped_import(scoped):
    with pytest.raises(ValueError):
        scoped("skills", [{"code": "S9", "name": "Mới", "domain": "x", "level": 1, "points": 1}])
