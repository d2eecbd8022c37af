"""Progress reports: periods, the figures against the dashboard's computation at each date,
the XLSX and PDF read back, the command line, the pages and the scheduler's files."""
import io
from datetime import date

import pytest

from extensions import db

COMPLETIONS = [
    {"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 3, 15), "source": "mooc"},  # cadre
    {"person_id": "P2", "skill_code": "S1", "completed_on": date(2025, 5, 5), "source": "session"},  # citizen, H1
    {"person_id": "P3", "skill_code": "S2", "completed_on": date(2025, 8, 1), "source": "vneid"},  # student
]


@pytest.mark.parametrize("code, start, end, previous", [
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "2025-Q4"),
    ("2025-Q4", date(2025, 10, 1), date(2025, 12, 31), "2025-Q3"),
    ("2026-H1", date(2026, 1, 1), date(2026, 6, 30), "2025-H2"),
    ("2025-h2", date(2025, 7, 1), date(2025, 12, 31), "2025-H1"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "2025"),
])
def test_periods(code, start, end, previous):
    from emulation.commendation.reports import parse_period

    p = parse_period(code)
    assert (p.start, p.end, p.previous().code) == (start, end, previous)
    assert p.previous().end == date.fromordinal(start.toordinal() - 1)


@pytest.mark.parametrize("bad", ["2026-Q5", "2026-H3", "26", "2026Q1", ""])
def test_a_bad_period_is_refused(bad):
    from emulation.commendation.reports import ReportError, parse_period

    with pytest.raises(ReportError):
        parse_period(bad)


@pytest.fixture
def learned(world, campaign):
    world.load("completions", COMPLETIONS)
    return world


def test_the_figures_are_the_dashboards_at_both_dates(app, learned, campaign):
    """At the end of each period and of the one before, the report's figures (cut from
    today's scores) equal a computation of the scores as of that very day."""
    from emulation.commendation.reports import build_report, periods_of
    from emulation.models import Campaign
    from emulation.scoring.progress import campaign_progress

    with app.app_context():
        c = db.session.scalar(db.select(Campaign).where(Campaign.code == campaign))
        reports = [build_report(c, p) for p in periods_of(c)]
        for r in reports:
            for day, counts in ((r.as_of, r.province.n), (r.previous.end, r.province.before)):
                if day < c.starts_on:
                    assert all(v == 0 for v in counts.values())
                    continue
                progress = campaign_progress(db.session.get(Campaign, c.id), as_of=day)
                assert {g: counts[g] for g in r.groups} == {g: progress.scope.by_group[g].n for g in r.groups}, \
                    (r.period.code, day)
                assert r.province.d == {g: progress.scope.by_group[g].d for g in r.groups}
        q2 = next(r for r in reports if r.period.code == "2025-Q2")
        assert (q2.province.n["cadre"], q2.province.n["citizen"], q2.province.n["student"]) == (1, 1, 0)
        assert (q2.province.before["cadre"], q2.province.before["citizen"]) == (1, 0)
        assert (q2.certified, q2.certified_before, q2.certified_target) == (2, 1, 170000)
        assert (q2.province.families, q2.province.families_before) == (1, 0)  # H1: P2 alone, since 5 May
        assert [c.code for c in q2.communes] == ["TP"]


def test_the_xlsx_and_pdf(app, learned, campaign):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from emulation.commendation.report_exports import export
    from emulation.commendation.reports import build_report, parse_period
    from emulation.models import Campaign

    with app.app_context():
        c = db.session.scalar(db.select(Campaign).where(Campaign.code == campaign))
        report = build_report(c, parse_period("2025"))
        xlsx, pdf = export("xlsx", report), export("pdf", report)
    book = load_workbook(io.BytesIO(xlsx))
    flat = [v for row in book["Báo cáo"].iter_rows(values_only=True) for v in row if v is not None]
    for text in ("BÁO CÁO TIẾN ĐỘ PHONG TRÀO \"BÌNH DÂN HỌC VỤ SỐ\"", "Nhóm đối tượng", "Tỷ lệ", "Chỉ tiêu",
                 "Gia đình số", "Xã, phường", "Phường Tân Phong", "Học sinh, sinh viên"):
        assert text in flat, text
    assert book["Báo cáo"]._charts, "the chart of the communes' coverage"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for needle in ("BÁO CÁO TIẾN ĐỘ PHONG TRÀO", "Năm 2025", "Nhóm đối tượng", "Gia đình số", "Phường Tân Phong",
                   "Biểu đồ"):
        assert needle in text, needle


def test_the_command_line(app, learned, runner, tmp_path):
    out = tmp_path / "q2.xlsx"
    result = runner.invoke(args=["reports", "generate", "--campaign", "bdhvs-2025", "--period", "2025-Q2",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK" and len(result.output.strip().splitlines()) == 1
    bad = runner.invoke(args=["reports", "generate", "--campaign", "bdhvs-2025", "--period", "2025-Q9",
                              "-o", str(out)])
    assert bad.exit_code == 2 and "YYYY-Qn" in bad.output
    outside = runner.invoke(args=["reports", "generate", "--campaign", "bdhvs-2025", "--period", "2024",
                                  "-o", str(out)])
    assert outside.exit_code == 1 and "2024" in outside.output


def test_the_pages_and_the_scheduler(app, staff, campaign, world, tmp_path):
    from emulation.models import Campaign
    from tests.pages import EMAILS, PASSWORD, Web

    world.load("completions", COMPLETIONS)
    web = Web(app.test_client())
    web.login(EMAILS["viewer"], PASSWORD)
    page = web.get("/reports?campaign=bdhvs-2025").get_data(as_text=True)
    assert "Quý 2 năm 2025" in page or "2025-Q2" in page
    pdf = web.get("/reports/bdhvs-2025/2025-Q2.pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    assert web.get("/reports/bdhvs-2025/2025-Q7.pdf").status_code == 404
    # The scheduler writes the reports of the periods that ended the day before.
    with app.app_context():
        from emulation.commendation.report_files import write_ended_periods

        c = db.session.scalar(db.select(Campaign).where(Campaign.code == "bdhvs-2025"))
        assert sorted(write_ended_periods(c, date(2025, 6, 30))) == ["2025-H1", "2025-Q2"]
        assert write_ended_periods(c, date(2025, 6, 29)) == []
    kept = sorted(p.name for p in (tmp_path / "reports" / "bdhvs-2025").iterdir())
    assert kept == ["2025-H1.pdf", "2025-H1.xlsx", "2025-Q2.pdf", "2025-Q2.xlsx"]


def test_the_nightly_job_writes_yesterdays_reports(app, learned, monkeypatch, tmp_path):
    from leaderboards import schedule

    monkeypatch.setattr(schedule, "province_today", lambda: date(2025, 10, 1))
    assert schedule.write_period_reports(app) == {"bdhvs-2025": ["2025-Q3"]}
    assert sorted(p.name for p in (tmp_path / "reports" / "bdhvs-2025").iterdir()) == ["2025-Q3.pdf",
                                                                                       "2025-Q3.xlsx"]
