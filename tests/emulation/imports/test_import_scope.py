"""A unit manager's imports stay inside their subtree (seed: LC > TP > {BL, THCS}).

The scope is THCS's path: its people (P3), nothing of TP, BL, LC or their people and
households may be referenced or changed by such an import.
"""
from datetime import date

import pytest

from tests.checks import assert_imported, assert_row_errors, describe


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


# ----------------------------------------------------------------------------- the whole file, applied
# The Tân Phong manager (scope TP: TP, BL, THCS, TDP1, G) against a rival commune SH.
# What counts is where every row leads once the rejected rows are dropped: a row of a unit
# outside the subtree is rejected, so it cannot carry another row out with it.

from tests import factories as f  # noqa: E402

RIVAL = {
    "units": [
        {"code": "SH", "name": "Xã Sìn Hồ", "kind": "commune", "parent_code": "LC", "headcount_citizen": 300},
        {"code": "SHV", "name": "Bản Sìn Hồ", "kind": "village", "parent_code": "SH", "headcount_citizen": 300},
        {"code": "TDP1", "name": "Tổ dân phố 1", "kind": "residential_group", "parent_code": "TP",
         "headcount_citizen": 200},
        {"code": "G", "name": "Nhóm 1", "kind": "other", "parent_code": "TDP1"},
    ],
    "households": [{"code": "HS1", "unit_code": "SHV", "head_name": "Lò Văn Sình"}],
    "people": [{"external_id": "P20", "full_name": "Lò Văn Sình", "group": "citizen", "unit_code": "SHV",
                "household_code": "HS1", "national_id": f.NID_FREE}],
}


@pytest.fixture
def tanphong(world, probe):
    for kind in ("units", "households", "people"):
        world.load(kind, RIVAL[kind])
    path = probe.scalar("SELECT path FROM units WHERE code = 'TP'")

    def run(kind, rows, **kw):
        return world.csv(kind, rows, scope_path=path, **kw)

    return run


def parent(probe, code):
    return probe.scalar("SELECT p.code FROM units u LEFT JOIN units p ON p.id = u.parent_id WHERE u.code = :c", c=code)


def errors_of(report):
    return sorted((e.line, e.column, e.value, e.reason.msgid) for e in report.errors)


def assert_rejected_rows(report, expected):
    """With skip_invalid: exactly ``expected`` rows rejected (line, column, value, msgid fragment)."""
    got = errors_of(report)
    assert len(got) == len(expected), describe(report)
    for (line, column, value, msgid), (e_line, e_column, e_value, fragment) in zip(got, sorted(expected)):
        assert (line, column) == (e_line, e_column), describe(report)
        assert e_value is None or value == e_value, describe(report)
        assert fragment in msgid, describe(report)


SH_ROW = {"code": "SH", "name": "Xã Sìn Hồ", "kind": "commune", "parent_code": "LC"}


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_a_manager_cannot_move_their_group_into_another_commune(tanphong, probe, skip_invalid):
    before = probe.records()
    report = tanphong("units", [SH_ROW, {"code": "TDP1", "name": "Tổ dân phố 1", "kind": "residential_group",
                                         "parent_code": "SH"}], skip_invalid=skip_invalid)
    assert_rejected_rows(report, [(2, "code", "SH", "outside the units you manage"),
                                  (3, "parent_code", "SH", "outside the units you manage")])
    assert report.rows_accepted == 0
    assert parent(probe, "TDP1") == "TP"
    assert probe.records() == before


def test_a_manager_cannot_hang_a_village_under_a_rival_commune(tanphong, probe):
    before = probe.records()
    report = tanphong("units", [SH_ROW, {"code": "NV", "name": "Bản lớn", "kind": "village", "parent_code": "SH",
                                         "headcount_citizen": 10_000_000}], skip_invalid=True)
    assert_rejected_rows(report, [(2, "code", "SH", "outside"), (3, "parent_code", "SH", "outside the units you manage")])
    assert probe.records() == before
    assert probe.scalar("SELECT count(*) FROM units WHERE code = 'NV'") == 0


@pytest.mark.parametrize("kind", ["commune", "village"])
def test_a_manager_cannot_create_a_unit_under_the_province_root(tanphong, probe, kind):
    before = probe.records()
    report = tanphong("units", [{"code": "LC", "name": "Tỉnh Lai Châu", "kind": "province", "parent_code": None},
                                {"code": "XA", "name": "Xã Ảo", "kind": kind, "parent_code": "LC"}],
                      skip_invalid=True)
    assert len(report.errors) == 2 and {e.line for e in report.errors} == {2, 3}, describe(report)
    assert probe.records() == before


def test_a_chain_of_new_units_below_an_outside_unit_is_refused_whole(tanphong, probe):
    before = probe.records()
    report = tanphong("units", [
        {"code": "N3", "name": "Lớp 3", "kind": "class", "parent_code": "N2"},  # before its parent
        SH_ROW,
        {"code": "N1", "name": "Bản 1", "kind": "village", "parent_code": "SH"},
        {"code": "N2", "name": "Nhóm 2", "kind": "other", "parent_code": "N1"},
    ], skip_invalid=True)
    assert_rejected_rows(report, [(2, "parent_code", "N2", "was rejected"), (3, "code", "SH", "outside"),
                                  (4, "parent_code", "SH", "outside the units you manage"),
                                  (5, "parent_code", "N1", "was rejected")])
    assert probe.records() == before


def test_an_inside_unit_cannot_follow_a_new_unit_out_of_the_subtree(tanphong, probe):
    before = probe.records()
    report = tanphong("units", [
        SH_ROW,
        {"code": "N1", "name": "Bản 1", "kind": "village", "parent_code": "SH"},
        {"code": "TDP1", "name": "Tổ dân phố 1", "kind": "residential_group", "parent_code": "N1"},
    ], skip_invalid=True)
    assert_rejected_rows(report, [(2, "code", "SH", "outside"), (3, "parent_code", "SH", "outside"),
                                  (4, "parent_code", "N1", "was rejected")])
    assert parent(probe, "TDP1") == "TP"
    assert probe.records() == before


def test_a_dry_run_reports_the_same_rows_and_counts_nothing_outside(tanphong, probe):
    report = tanphong("units", [SH_ROW, {"code": "TDP1", "name": "Tổ dân phố 1", "kind": "residential_group",
                                         "parent_code": "SH"},
                                {"code": "N1", "name": "Bản 1", "kind": "village", "parent_code": "TDP1"}],
                      skip_invalid=True, dry_run=True)
    assert [e.line for e in sorted(report.errors, key=lambda e: e.line)] == [2, 3], describe(report)
    assert (report.rows_accepted, report.rows_changed, report.committed) == (1, 1, False)


def test_a_cycle_left_by_a_rejected_row_is_refused(tanphong, probe):
    # TDP1 moves below its own child G, whose row (moving G out from under TDP1) is
    # refused: G stays under TDP1, and the two would hang from each other.
    before = probe.records()
    report = tanphong("units", [
        {"code": "TDP1", "name": "Tổ dân phố 1", "kind": "residential_group", "parent_code": "G"},
        {"code": "G", "name": "Nhóm 1", "kind": "other", "bracket": "commune", "parent_code": "TP"},
    ], skip_invalid=True)
    assert_rejected_rows(report, [(2, "parent_code", "G", "cycle"), (3, "bracket", "commune", "bracket")])
    assert (parent(probe, "TDP1"), parent(probe, "G")) == ("TP", "TDP1")
    assert probe.records() == before


def test_a_cycle_through_an_outside_unit_is_refused(tanphong, probe):
    before = probe.records()
    report = tanphong("units", [{"code": "SHV", "name": "Bản Sìn Hồ", "kind": "village", "parent_code": "N1"},
                                {"code": "N1", "name": "Bản 1", "kind": "village", "parent_code": "SHV"}],
                      skip_invalid=True)
    assert {e.line for e in report.errors} == {2, 3}, describe(report)
    assert probe.records() == before


def test_households_and_people_cannot_use_units_of_rejected_rows(tanphong, probe):
    assert tanphong("units", [SH_ROW, {"code": "N1", "name": "Bản 1", "kind": "village", "parent_code": "SH"}],
                    skip_invalid=True).rows_accepted == 0
    before = probe.records()
    report = tanphong("households", [{"code": "HN", "unit_code": "N1", "head_name": "A"}])
    assert_row_errors(report, [(2, "unit_code", "N1", "unknown unit")])
    report = tanphong("people", [{"external_id": "PN", "full_name": "Lò A", "group": "citizen", "unit_code": "N1"}])
    assert_row_errors(report, [(2, "unit_code", "N1", "unknown unit")])
    assert probe.records() == before


def test_a_person_cannot_be_moved_to_a_household_or_unit_of_another_commune(tanphong, probe):
    before = probe.records()
    report = tanphong("people", [
        {"external_id": "P1", "full_name": "Nguyễn Văn An", "group": "cadre", "unit_code": "TP", "household_code": "HS1"},
        {"external_id": "P4", "full_name": "Tẩn Văn Dũng", "group": "citizen", "unit_code": "SHV"},
        {"external_id": "P20", "full_name": "Lò Văn Sình", "group": "citizen", "unit_code": "BL"},
    ], skip_invalid=True)
    assert_rejected_rows(report, [(2, "household_code", "HS1", "outside"), (3, "unit_code", "SHV", "outside"),
                                  (4, "external_id", "P20", "outside")])
    report = tanphong("households", [{"code": "HS1", "unit_code": "BL"}, {"code": "H1", "unit_code": "SHV"}],
                      skip_invalid=True)
    assert_rejected_rows(report, [(2, "code", "HS1", "outside"), (3, "unit_code", "SHV", "outside")])
    assert probe.records() == before


def test_events_reference_people_of_the_subtree_only(tanphong, probe):
    before = probe.records()
    for kind, rows, column in [
        ("mentorships", [{"mentor_id": "P1", "mentee_id": "P20", "started_on": date(2025, 6, 1)}], "mentee_id"),
        ("mentorships", [{"mentor_id": "P20", "mentee_id": "P1", "started_on": date(2025, 6, 1)}], "mentor_id"),
        ("completions", [{"person_id": "P20", "skill_code": "S1", "completed_on": date(2025, 6, 1),
                          "source": "session"}], "person_id"),
        ("activities", [{"person_id": "P20", "kind": "festival", "occurred_on": date(2025, 6, 1)}], "person_id"),
    ]:
        report = tanphong(kind, rows, skip_invalid=True)
        assert_rejected_rows(report, [(2, column, "P20", "outside")])
    assert probe.records() == before


# ----------------------------------------------------------------------------- kinds and brackets

UNIT = {"name": "x", "parent_code": "TP"}


@pytest.mark.parametrize("row, column", [
    ({"code": "TDP1", "name": "Tổ dân phố 1", "kind": "village", "parent_code": "TP"}, "kind"),
    ({"code": "TDP1", "name": "Tổ dân phố 1", "kind": "residential_group", "bracket": "village",
      "parent_code": "TP"}, "bracket"),
    ({"code": "TP", "name": "Phường Tân Phong", "kind": "commune", "parent_code": "LC"}, "kind"),
    ({"code": "THCS", "name": "Trường THCS", "kind": "school", "bracket": "cooperative", "parent_code": "TP"},
     "bracket"),
    ({"code": "NS", "name": "Trường mới", "kind": "school", "parent_code": "TP"}, "kind"),
    ({"code": "NC", "name": "Xã mới", "kind": "commune", "parent_code": "TP"}, "kind"),
    ({"code": "NV", "name": "Bản mới", "kind": "village", "bracket": "commune", "parent_code": "TP"}, "bracket"),
])
def test_kinds_and_brackets_are_the_provinces(tanphong, probe, row, column):
    before = probe.records()
    report = tanphong("units", [row])
    assert len(report.errors) == 1 and report.errors[0].column == column, describe(report)
    assert "province administrators" in report.errors[0].reason.msgid
    assert probe.records() == before


def test_a_manager_adds_villages_groups_and_classes_in_their_own_brackets(tanphong, probe):
    report = tanphong("units", [
        {"code": "NV", "name": "Bản mới", "kind": "village", "parent_code": "TP", "bracket": None},
        {"code": "NR", "name": "Tổ mới", "kind": "residential_group", "parent_code": "NV", "bracket": "residential_group"},
        {"code": "NL", "name": "Lớp 6B", "kind": "class", "parent_code": "THCS", "bracket": None},
        {"code": "THCS", "name": "Trường THCS Tân Phong", "kind": "school", "parent_code": "TP", "bracket": "school"},
        {"code": "TDP1", "name": "Tổ dân phố 1", "kind": "residential_group", "parent_code": "NV", "bracket": None},
    ])
    assert_imported(report, rows_in=5)
    assert probe.all("SELECT code, kind, bracket FROM units WHERE code IN ('NV', 'NR', 'NL', 'TDP1') ORDER BY code") == [
        ("NL", "class", "class"), ("NR", "residential_group", "residential_group"),
        ("NV", "village", "village"), ("TDP1", "residential_group", "residential_group")]
    assert parent(probe, "TDP1") == "NV"


def test_the_administrator_still_sets_kinds_and_brackets(tanphong, world, probe):
    assert_imported(world.csv("units", [{"code": "TDP1", "name": "Tổ dân phố 1", "kind": "village",
                                         "bracket": "residential_group", "parent_code": "SH"}]))
    assert parent(probe, "TDP1") == "SH"


def test_an_administrators_skip_invalid_file_cannot_leave_a_cycle(tanphong, world, probe):
    # G's row is rejected (unknown parent), so G stays under TDP1, which the file puts under G.
    before = probe.records()
    report = world.csv("units", [
        {"code": "TDP1", "name": "Tổ dân phố 1", "kind": "residential_group", "parent_code": "G"},
        {"code": "G", "name": "Nhóm 1", "kind": "other", "parent_code": "NOPE"},
    ], skip_invalid=True)
    assert_rejected_rows(report, [(2, "parent_code", "G", "cycle"), (3, "parent_code", "NOPE", "unknown unit")])
    assert probe.records() == before
