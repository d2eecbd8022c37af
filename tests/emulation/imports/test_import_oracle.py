"""National ids are no oracle: a unit manager's people file never learns who holds an id
outside their subtree, every dry run is in the audit log (without ids), and reports of ids
held elsewhere are throttled per account (NATIONAL_ID_CONFLICTS_LIMIT in
NATIONAL_ID_CONFLICTS_HOURS).

Seed: LC > TP > {BL, THCS}; P1 (TP) and P4 (BL) have national ids; the scope is THCS.
"""
import pytest

from tests import factories as f
from tests.checks import assert_file_error, describe

from tests.emulation.test_pages import follow, upload

HIDDEN = "already registered to another person"
NAMED = "already belongs to person"


def nid(n: int) -> str:
    return f"0791{n:08d}"


@pytest.fixture
def outsiders(world):
    """30 more people of BL (outside THCS) with national ids nid(0..29)."""
    world.load("people", [{"external_id": f"Q{n}", "full_name": f"Lò Văn {n}", "group": "citizen", "unit_code": "BL",
                           "national_id": nid(n)} for n in range(30)])
    return world


@pytest.fixture
def scoped(outsiders, probe):
    path = probe.scalar("SELECT path FROM units WHERE code = 'THCS'")

    def run(rows, actor="manager@laichau.test", **kw):
        return outsiders.csv("people", rows, scope_path=path, actor=actor, **kw)

    return run


def pupil(n: int, national_id: str | None) -> dict:
    return {"external_id": f"T{n}", "full_name": f"Giàng A {n}", "group": "student", "unit_code": "THCS",
            "national_id": national_id}


def rendered(report) -> str:
    return describe(report) + "\n".join(e.render() for e in report.errors)


@pytest.mark.parametrize("mode", [dict(dry_run=True), dict(), dict(skip_invalid=True),
                                  dict(skip_invalid=True, dry_run=True)])
def test_a_manager_is_never_told_who_holds_an_id_outside_their_subtree(scoped, mode):
    report = scoped([pupil(1, f.NID_P4), pupil(2, f.NID_P1), pupil(3, f.NID_FREE)], **mode)
    assert [(e.line, e.column, e.reason.msgid) for e in report.errors] == [
        (2, "national_id", "this national id is " + HIDDEN), (3, "national_id", "this national id is " + HIDDEN)]
    text = rendered(report)
    assert "P4" not in text and "P1" not in text
    if report.rejects_path:
        rejects = report.rejects_path.read_text(encoding="utf-8-sig")
        assert "P4" not in rejects and "P1" not in rejects


def test_a_holder_inside_the_subtree_or_for_the_administrator_is_named(outsiders, probe):
    report = outsiders.csv("people", [pupil(1, f.NID_P4)], dry_run=True)  # an administrator
    assert NAMED in report.errors[0].reason.msgid and report.errors[0].reason.params == {"other": "P4"}
    path = probe.scalar("SELECT path FROM units WHERE code = 'TP'")  # the Tân Phong manager sees BL
    report = outsiders.csv("people", [pupil(1, f.NID_P4)], dry_run=True, scope_path=path, actor="tp@x")
    assert report.errors[0].reason.params == {"other": "P4"}
    # Named conflicts inside one's own subtree are not throttled.
    (entry,) = [a for a in probe.rows("audit_log") if a["actor"] == "tp@x"]
    assert "national_id_conflicts" not in entry["details"]


def test_the_upload_page_and_its_reports_do_not_name_the_holder(signed_in, probe, outsiders):
    web = signed_in("manager")
    rows = [pupil(1, f.NID_P4), pupil(2, f.NID_FREE)]
    for kw, downloads in ((dict(dry_run=True), ["report.csv"]), (dict(skip_invalid=True), ["report.csv", "rejects.csv"])):
        r = upload(web, "people", rows, **kw)
        job = r.headers["Location"]
        page = follow(web, r).get_data(as_text=True)
        assert "…455" in page and "P4" not in page
        for name in downloads:
            r = web.get(f"{job}/{name}")
            assert r.status_code == 200
            body = r.get_data(as_text=True)
            assert "455" in body and "P4" not in body


# ----------------------------------------------------------------------------- audit of dry runs

def test_every_dry_run_is_in_the_audit_log_without_ids(scoped, probe, outsiders):
    report = scoped([pupil(1, f.NID_P4), pupil(2, f.NID_FREE)], dry_run=True)
    assert report.ok is False and not report.committed
    a = probe.rows("audit_log")[-1]
    assert (a["actor"], a["action"], a["target"]) == ("manager@laichau.test", "import.people.dry_run", report.file_name)
    assert a["details"] == dict(sha256=report.sha256, rows_in=2, rows_accepted=1, rows_rejected=1,
                                skip_invalid=False, dry_run=True, national_id_conflicts=1)
    text = repr(probe.rows("audit_log"))
    for n in (f.NID_P4, f.NID_FREE, "P4"):
        assert n not in text
    # Any kind, any importer, a good or an unreadable file.
    outsiders.csv("households", f.NEW["households"], dry_run=True, actor="admin@x")
    outsiders.run("households", outsiders.files.raw(b"\x00\x01 not a table"), dry_run=True, actor="admin@x")
    got = probe.all("SELECT actor, action FROM audit_log WHERE actor = 'admin@x' ORDER BY id")
    assert got == [("admin@x", "import.households.dry_run")] * 2


def test_a_rejected_file_that_reported_ids_held_elsewhere_is_audited(scoped, probe):
    report = scoped([pupil(1, f.NID_P4)])
    assert not report.ok
    a = probe.rows("audit_log")[-1]
    assert (a["action"], a["details"]["national_id_conflicts"], a["details"]["dry_run"]) == (
        "import.people.rejected", 1, False)


# ----------------------------------------------------------------------------- throttle

def test_reports_of_ids_held_elsewhere_are_throttled_per_account(app, scoped, probe):
    app.config["NATIONAL_ID_CONFLICTS_LIMIT"] = 3
    assert len(scoped([pupil(1, nid(0)), pupil(2, nid(1))], dry_run=True).errors) == 2
    assert len(scoped([pupil(1, nid(2))]).errors) == 1  # a real run counts too
    # The budget is spent: people files with national ids are refused, whatever they hold.
    for kw in (dict(dry_run=True), dict(), dict(skip_invalid=True)):
        assert_file_error(scoped([pupil(1, f.NID_FREE)], **kw), "too many of its national ids")
    # Without national ids a manager goes on working; another account has its own budget;
    # an administrator (province-wide) is not throttled.
    assert scoped([{k: v for k, v in pupil(1, None).items() if k != "national_id"}]).committed
    assert len(scoped([pupil(1, nid(3))], dry_run=True, actor="other@laichau.test").errors) == 1
    assert probe.scalar("SELECT count(*) FROM people WHERE external_id = 'T1'") == 1


def test_one_large_probe_learns_nothing(app, scoped, probe):
    # 30 registered ids among 1,000 rows, limit 20: the file is refused whole, without a
    # word on which ids are held, and the account's budget is spent.
    app.config["NATIONAL_ID_CONFLICTS_LIMIT"] = 20
    rows = [pupil(n, nid(n)) for n in range(1000)]
    for kw in (dict(dry_run=True), dict(skip_invalid=True)):
        report = scoped(rows, **kw)
        assert_file_error(report, "too many of its national ids")
    assert probe.scalar("SELECT count(*) FROM people WHERE external_id LIKE 'T%'") == 0
    assert_file_error(scoped([pupil(1, nid(500))], dry_run=True), "too many")


def test_the_window_passes(app, scoped, probe):
    app.config["NATIONAL_ID_CONFLICTS_LIMIT"] = 1
    assert len(scoped([pupil(1, nid(0))], dry_run=True).errors) == 1
    assert_file_error(scoped([pupil(1, nid(1))], dry_run=True), "too many")
    app.config["NATIONAL_ID_CONFLICTS_HOURS"] = 0  # as if the window had passed
    assert len(scoped([pupil(1, nid(1))], dry_run=True).errors) == 1


def test_checking_then_importing_one_file_counts_once(app, scoped, probe):
    app.config["NATIONAL_ID_CONFLICTS_LIMIT"] = 2
    rows = [pupil(1, nid(0)), pupil(2, nid(1)), pupil(3, f.NID_FREE)]
    assert len(scoped(rows, dry_run=True, skip_invalid=True).errors) == 2
    report = scoped(rows, skip_invalid=True)  # "Import this file now": the same file
    assert report.committed and len(report.errors) == 2, describe(report)
    assert_file_error(scoped([pupil(4, nid(2))], dry_run=True), "too many")
