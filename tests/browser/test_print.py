"""The printable A4 board in Chromium's own PDF output: the top 50 on at most two pages,
with long names (they wrap), the movement and the QR code."""
import io
import logging
import threading
from datetime import date

import pytest

from .conftest import ROOT

# Long enough to wrap in the unit column: the worst case of a real board.
LONG_VILLAGE = "Bản Nậm Xe Thượng Phìn Ngan Sín Chải Hồ Thầu Sùng Phài Nậm Loỏng San Thàng Tả Lèng {:02d}"


@pytest.fixture
def crowded_site(tmp_path, browser):
    """60 villages with long names in one ward, a person with a long name in each, two
    publications (so the movement shows), served on a free port."""
    from werkzeug.serving import make_server

    from app import create_app
    from emulation.campaigns import load_campaign
    from extensions import db
    from leaderboards.publishing import publish
    from tests.conftest import Files, Imports

    app = create_app({"TESTING": False, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'print.sqlite3'}",
                      "SECRET_KEY": "print-test", "NATIONAL_ID_KEY": "print-test",
                      "SHARE_IMAGES_DIR": str(tmp_path / "share"), "BADGE_IMAGES_DIR": str(tmp_path / "badges")})
    imports = Imports(app, Files(tmp_path))
    with app.app_context():
        db.create_all()
    villages = [{"code": f"V{i:02d}", "name": LONG_VILLAGE.format(i), "kind": "village", "parent_code": "TP",
                 "headcount_citizen": 10} for i in range(60)]
    imports.load("units", [{"code": "LC", "name": "Tỉnh Lai Châu", "kind": "province"},
                           {"code": "TP", "name": "Phường Tân Phong", "kind": "ward", "parent_code": "LC"}, *villages])
    imports.load("people", [{"external_id": f"P{i:02d}", "full_name": "Hoàng Thị Mỹ Hạnh Nguyễn", "group": "citizen",
                             "unit_code": f"V{i:02d}", "birth_year": 1980} for i in range(60)])
    imports.load("skills", [{"code": "S1", "name": "Điện thoại thông minh", "domain": "thiet_bi", "level": 1,
                             "points": 10, "required_for": "citizen"}])
    imports.load("completions", [{"person_id": f"P{i:02d}", "skill_code": "S1", "completed_on": date(2025, 4, 1 + i % 28),
                                  "source": "mooc"} for i in range(0, 60, 2)])
    with app.app_context():
        campaign = load_campaign((ROOT / "campaigns" / "bdhvs-2025.toml").read_text(encoding="utf-8"), actor="test")[0]
        publish(campaign, date(2025, 4, 14), actor="test")
        publish(campaign, date(2025, 6, 30), actor="test")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("query", ["board=people", "board=units&bracket=village"])
def test_the_top_50_print_on_two_a4_pages_at_most(crowded_site, context, query):
    from pypdf import PdfReader

    page = context.new_page()
    page.goto(f"{crowded_site}/leaderboards?campaign=bdhvs-2025&{query}&print=1")
    assert page.locator("tbody tr").count() == 50
    assert page.locator("svg.qr").count() == 1
    assert any(m[:1] in "▲▼" for m in page.locator("td.move").all_inner_texts())  # the movement is printed
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert len(pdf.pages) <= 2, len(pdf.pages)
    assert "Quét mã để xem" in text  # the QR code's caption, on the first page
    assert text.count(LONG_VILLAGE[:8]) == 50  # every row printed
