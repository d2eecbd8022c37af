"""Nominee lists (SPEC §5): the rules and exclusions, reviewers' decisions, freezing,
versions, re-derivation, the audit log, the CSV columns, the XLSX and PDF read back, and
formula neutralisation; on SQLite and PostgreSQL."""
import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from extensions import db
from tests.emulation.scoring.reference import GROUPS, Province, Rules
from tests.emulation.scoring.test_scoring import _store

AS_OF = date(2025, 12, 31)
RULES = """
[nominees]
collective_brackets = ["commune"]
collectives_per_bracket = 1
individual_min_mentees = 2
individuals_max = 2
families_per_commune = 1
"""


def unit(parent, kind, citizens=None):
    return {"parent": parent, "kind": kind, "bracket": kind,
            **{f"headcount_{g}": (citizens if g == "citizen" else None) for g in GROUPS}}


def citizen(unit_code, household=None):
    return {"group": "citizen", "unit": unit_code, "household": household}


@pytest.fixture
def province(app):
    """Communes X1 (2 of 2 universalized), X2 (2 of 2, ranked below X1: later), X3 (1 of 4)
    and X4 (2 of 2 but ineligible); mentors M1 (3 mentees), M2 and M3 (2 each, M3 with more
    points, M2 ineligible); households H1, H2 in X1 (H1 first), H3 in X2, H4 in X4."""
    units = {"P": unit(None, "province"), "X1": unit("P", "commune", 2), "X2": unit("P", "commune", 2),
             "X3": unit("P", "commune", 4), "X4": unit("P", "commune", 2)}
    people = {"A": citizen("X1", "H1"), "B": citizen("X1", "H2"), "C": citizen("X2", "H3"), "D": citizen("X2"),
              "E": citizen("X3"), "F": citizen("X4", "H4"), "G": citizen("X4"),
              "M1": {"group": "cadre", "unit": "P", "household": None},
              "M2": {"group": "cadre", "unit": "P", "household": None},
              "M3": {"group": "cadre", "unit": "P", "household": None}}
    day = {"A": 3, "B": 4, "C": 5, "D": 6, "E": 7, "F": 3, "G": 3}
    completions = [(who, "S1", date(2025, 4, d)) for who, d in day.items()]
    completions.append(("M3", "S2", date(2025, 4, 1)))  # 10 points more for M3
    mentorships = ([("M1", m, date(2025, 3, 2)) for m in ("A", "B", "C")]
                   + [("M2", m, date(2025, 3, 2)) for m in ("D", "E")]
                   + [("M3", m, date(2025, 3, 2)) for m in ("F", "G")])
    p = Province(units, {"H1": "X1", "H2": "X1", "H3": "X2", "H4": "X4"}, people,
                 {"S1": {"points": 10, "required_for": {"citizen"}}, "S2": {"points": 10, "required_for": set()}},
                 completions, [], mentorships)
    with app.app_context():
        campaign = _store(p, Rules(date(2025, 3, 1), date(2025, 12, 31), ["citizen"]), RULES)
        db.session.execute(sa.text("UPDATE units SET eligible = FALSE WHERE code = 'X4'"))
        db.session.execute(sa.text("UPDATE people SET eligible = FALSE WHERE external_id = 'M2'"))
        db.session.execute(sa.text("UPDATE people SET full_name = '=HYPERLINK(\"http://x\")' WHERE external_id = 'M3'"))
        db.session.commit()
        return campaign.id


def listed(lst):
    from emulation.commendation.nominees import entries_of

    return [(e.section, e.position, e.code) for e in entries_of(lst)]


def test_the_rules_choose_and_exclusions_let_the_next_move_up(app, province):
    from emulation.commendation.nominees import generate
    from emulation.models import Campaign

    with app.app_context():
        lst = generate(db.session.get(Campaign, province), AS_OF, actor="test")
        assert listed(lst) == [
            ("collective", 1, "X1"),  # X2 meets its target too, but one per bracket; X4 is ineligible
            ("individual", 1, "M1"), ("individual", 2, "M3"),  # M2 (ineligible) would be second
            ("family", 1, "H1"), ("family", 2, "H3")]  # one per commune; H4's commune is ineligible
        assert lst.status == "draft" and lst.version == 1 and len(lst.fingerprint) == 64


def test_review_freeze_versions_and_the_audit_log(app, province):
    from accounts.models import AuditLog
    from emulation.commendation.nominees import NomineeError, decide, freeze, generate
    from emulation.models import Campaign

    with app.app_context():
        lst = generate(db.session.get(Campaign, province), AS_OF, actor="hoa@laichau.test")
        decide(lst, "exclude", "collective", "X1", "Đang bị xem xét kỷ luật", actor="hoa@laichau.test")
        assert listed(lst)[0] == ("collective", 1, "X2")  # the next in line moved up
        decide(lst, "add", "collective", "X3", "Đơn vị vùng khó khăn có nhiều cố gắng", actor="hoa@laichau.test")
        rows = listed(lst)
        assert rows[:2] == [("collective", 1, "X2"), ("collective", 2, "X3")]
        with pytest.raises(NomineeError):
            decide(lst, "exclude", "family", "H1", "ngắn", actor="x")  # a reason of a few words at least
        with pytest.raises(NomineeError):
            decide(lst, "add", "family", "NOPE", "không có hộ này", actor="x")
        freeze(lst, actor="hoa@laichau.test")
        with pytest.raises(NomineeError):
            decide(lst, "exclude", "family", "H1", "quá hạn", actor="x")
        assert listed(lst) == rows  # frozen: unchanged
        again = generate(db.session.get(Campaign, province), AS_OF, actor="hoa@laichau.test")
        assert again.version == 2 and listed(again)[0] == ("collective", 1, "X1")  # a new version, no decisions
        actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.action.like("nominees.%"))
                                     .order_by(AuditLog.id)).all()
        assert actions == ["nominees.generate", "nominees.exclude", "nominees.add", "nominees.freeze",
                           "nominees.generate"]


def test_a_list_is_derived_again_and_compared(app, province, probe):
    from emulation.commendation.nominees import freeze, generate, rederive
    from emulation.models import Campaign

    with app.app_context():
        lst = generate(db.session.get(Campaign, province), AS_OF, actor="test")
        freeze(lst, actor="test")
        result = rederive(lst, actor="test")
        assert result.matches and result.same_data and result.differences == []
        # New data that does not change the list: X3 declares one citizen, not four (as a
        # units import would say, after which every score is computed again): 1 of 1, a
        # candidate now, but X1 still comes first (it was universalized earlier).
        from emulation.scoring.scores import recompute_all

        db.session.execute(sa.text("UPDATE units SET headcount_citizen = 1 WHERE code = 'X3'"))
        db.session.commit()
        recompute_all()
        result = rederive(db.session.get(type(lst), lst.id), actor="test")
        assert result.matches and not result.same_data
        # Data that does: X1 is found ineligible.
        db.session.execute(sa.text("UPDATE units SET eligible = FALSE WHERE code = 'X1'"))
        db.session.commit()
        result = rederive(db.session.get(type(lst), lst.id), actor="test")
        assert not result.matches and not result.same_data
        assert any("X1" in d for d in result.differences) and any("X2" in d for d in result.differences)
        assert listed(lst)[0] == ("collective", 1, "X1")  # the frozen list itself never changes


def test_the_csv_xlsx_and_pdf(app, province):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from emulation.commendation.nominee_exports import export
    from emulation.commendation.nominees import entries_of, generate
    from emulation.models import Campaign

    with app.app_context():
        campaign = db.session.get(Campaign, province)
        lst = generate(campaign, AS_OF, actor="test")
        entries = entries_of(lst)
        campaign = db.session.get(Campaign, province)
        data = export("csv", campaign, lst, entries)
        xlsx = export("xlsx", campaign, lst, entries)
        pdf = export("pdf", campaign, lst, entries)
    assert data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["STT", "Họ và tên / Tên tập thể", "Chức vụ / Đơn vị", "Tóm tắt thành tích",
                       "Hình thức khen thưởng", "section", "code", "rank"]
    assert [(r[0], r[5], r[6]) for r in rows[1:]] == [("1", "collective", "X1"), ("1", "individual", "M1"),
                                                     ("2", "individual", "M3"), ("1", "family", "H1"),
                                                     ("2", "family", "H3")]
    x1 = rows[1]
    # Second on the communes' board: X4 (ineligible) reached its coverage a day earlier.
    assert x1[4] == "Bằng khen của Chủ tịch UBND tỉnh" and x1[7] == "2"
    assert "100" in x1[3] and "(2/2)" in x1[3]  # the summary from the figures
    m3 = rows[3]
    assert m3[1] == "'=HYPERLINK(\"http://x\")"  # neutralised: a spreadsheet shows it, never runs it

    sheet = load_workbook(io.BytesIO(xlsx)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    flat = [v for row in values for v in row if v is not None]
    for text in ("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG", "I. TẬP THỂ", "II. CÁ NHÂN", "III. GIA ĐÌNH", "STT",
                 "Tên tập thể", "Họ và tên", "Chức vụ, đơn vị", "Tóm tắt thành tích", "Hình thức khen thưởng"):
        assert text in flat, text
    assert "'=HYPERLINK(\"http://x\")" in flat and "=HYPERLINK(\"http://x\")" not in flat
    assert sheet.page_setup.orientation == "landscape" and str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.column_dimensions["D"].width > 40

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for needle in ("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG", "I. TẬP THỂ", "II. CÁ NHÂN", "III. GIA ĐÌNH",
                   "Tóm tắt thành tích", "Hình thức khen thưởng", "Bằng khen của Chủ tịch UBND tỉnh"):
        assert needle in text, needle


def test_the_command_line(app, province, runner, tmp_path):
    for fmt in ("csv", "xlsx", "pdf"):
        out = tmp_path / f"list.{fmt}"
        result = runner.invoke(args=["nominees", "generate", "--campaign", "c", "--as-of", "2025-12-31",
                                     "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0 and len(result.output.strip().splitlines()) == 1
    bad = runner.invoke(args=["nominees", "generate", "--campaign", "c", "-o", str(tmp_path / "list.doc")])
    assert bad.exit_code == 2 and ".xlsx" in bad.output


def test_home_affairs_staff_review_a_list_on_the_web(app, staff, campaign, world, probe):
    from tests.pages import EMAILS, PASSWORD, Web

    world.load("completions", [
        {"person_id": "P2", "skill_code": "S1", "completed_on": date(2025, 5, 5), "source": "session"}])
    web = Web(app.test_client())
    web.login(EMAILS["home_affairs"], PASSWORD)
    assert web.get("/nominees").status_code == 200
    created = web.post("/nominees", {"as_of": "2025-12-31"})
    assert created.status_code == 303
    page_url = created.headers["Location"]
    page = web.get(page_url).get_data(as_text=True)
    assert "Hộ Lò Văn Páo" in page and "bản nháp" in page  # H1: P2 alone, a digital family
    # Excluding needs a reason; then it is gone, and the decision is listed with it.
    refused = web.post(page_url, {"action": "exclude", "section": "family", "code": "H1", "reason": ""})
    assert refused.status_code == 400
    done = web.post(page_url, {"action": "exclude", "section": "family", "code": "H1",
                               "reason": "Hộ chuyển đi nơi khác"})
    assert done.status_code == 303
    page = web.get(page_url).get_data(as_text=True)
    assert "Hộ chuyển đi nơi khác" in page and "Hộ Lò Văn Páo" not in page
    list_id = page_url.rstrip("/").rsplit("/", 1)[-1]
    xlsx = web.get(f"/nominees/{list_id}.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert web.post(f"/nominees/{list_id}/freeze").status_code == 303
    assert "chốt lúc" in web.get(page_url).get_data(as_text=True)
    assert probe.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'nominees.%'") == 4  # made, excluded, downloaded, frozen
    # A unit manager may not.
    manager = Web(app.test_client())
    manager.login(EMAILS["manager"], PASSWORD)
    assert manager.get("/nominees").status_code == 403


def test_each_entry_s_name_role_and_summary_by_hand(app, province):
    """What the documents print of each nominee, every text whole: the figures of the
    fixture worked out by hand (mentee points 20 each; X4 reached its coverage a day before
    X1; D's 10 points tie with six others, of whom A, F, G, B and C finished earlier)."""
    from emulation.commendation.nominees import decide, entries_of, generate
    from emulation.models import Campaign

    with app.app_context():
        db.session.execute(sa.text("UPDATE households SET head_name = 'Lò Văn Sáng' WHERE code = 'H1'"))
        db.session.execute(sa.text("UPDATE people SET position = 'Bí thư chi bộ' WHERE external_id = 'M1'"))
        db.session.commit()
        lst = generate(db.session.get(Campaign, province), AS_OF, actor="test")
        decide(lst, "add", "individual", "D", "Hướng dẫn nhiều người cao tuổi trong thôn", actor="test")
        got = [(e.section, e.code, e.name, e.role_unit, e.summary, e.award_form, e.rank, e.added)
               for e in entries_of(lst)]
    province_form, commune_form = "Bằng khen của Chủ tịch UBND tỉnh", "Giấy khen của Chủ tịch UBND cấp xã"
    assert got == [
        ("collective", "X1", "X1", "Xã, P", "Tỷ lệ phổ cập kỹ năng số 100,0% (2/2); xếp thứ 2/4 xã.",
         province_form, 2, False),
        ("individual", "M1", "M1", "Bí thư chi bộ, P",
         "Kèm cặp 3 người đạt phổ cập kỹ năng số; 60 điểm; xếp thứ 1/10 người.", province_form, 1, False),
        ("individual", "M3", '=HYPERLINK("http://x")', "P",
         "Kèm cặp 2 người đạt phổ cập kỹ năng số; 50 điểm; xếp thứ 2/10 người.", province_form, 2, False),
        ("individual", "D", "D", "X2",
         "Kèm cặp 0 người đạt phổ cập kỹ năng số; 10 điểm; xếp thứ 9/10 người.", province_form, 9, True),
        ("family", "H1", "Hộ Lò Văn Sáng", "X1",
         "Gia đình số từ ngày 03/04/2025; 1/1 thành viên học kỹ năng số; 10 điểm; xếp thứ 1/4 hộ.",
         commune_form, 1, False),
        ("family", "H3", "Hộ H3", "X2",
         "Gia đình số từ ngày 05/04/2025; 1/1 thành viên học kỹ năng số; 10 điểm; xếp thứ 4/4 hộ.",
         commune_form, 4, False)]


def test_a_candidate_s_eligibility_is_part_of_the_data_a_list_was_made_from(app, province):
    """M2 (ineligible, two mentees, fewer points than M3) would come third of two: found
    eligible, the list is the same, but the data it was made from is not."""
    from emulation.commendation.nominees import freeze, generate, rederive
    from emulation.models import Campaign

    with app.app_context():
        lst = generate(db.session.get(Campaign, province), AS_OF, actor="test")
        freeze(lst, actor="test")
        db.session.execute(sa.text("UPDATE people SET eligible = TRUE WHERE external_id = 'M2'"))
        db.session.commit()
        result = rederive(db.session.get(type(lst), lst.id), actor="test")
        assert result.matches and not result.same_data
