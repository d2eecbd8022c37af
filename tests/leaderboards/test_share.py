"""Sharing a published board: the share image in the page's language, whole; the page's
Open Graph tags and its plain share links; the printable A4 page."""
import re
from datetime import date

import pytest
from PIL import Image, ImageDraw


@pytest.fixture
def drawn(monkeypatch):
    """Every text drawn into an image while the test runs (what a share image says)."""
    texts = []
    real = ImageDraw.ImageDraw.text

    def text(self, xy, text, *args, **kw):
        texts.append(text)
        return real(self, xy, text, *args, **kw)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", text)
    return texts


ENGLISH = ("points", "Leaderboard", "published", "People", "Units", "households")


@pytest.mark.parametrize("board", ["people", "households", "units"])
def test_the_share_image_is_vietnamese_and_whole(client, published, drawn, board):
    response = client.get(f"/leaderboards/share.png?campaign=bdhvs-2025&board={board}&bracket=ward")
    assert response.status_code == 200
    assert drawn, "nothing was drawn"
    for text in drawn:
        assert not any(word in text for word in ENGLISH), text
        assert "…" not in text, text  # nothing cut: the campaign's name, the date
    assert drawn[0].startswith("Bảng xếp hạng: ")
    # The whole subtitle, over two lines: the campaign's name, then the date.
    assert 'Phong trào "Bình dân học vụ số" tỉnh Lai Châu năm 2025' in drawn
    assert "Công bố theo số liệu đến ngày 31/12/2025" in drawn
    if board != "units":
        assert any(text.endswith(" điểm") for text in drawn)  # "20 điểm", not "20 points"


def test_the_share_image_in_english(client, published, drawn):
    assert client.get("/leaderboards/share.png?campaign=bdhvs-2025&board=people&lang=en").status_code == 200
    assert drawn[0] == "Leaderboard: People" and any(text.endswith(" points") for text in drawn)


def test_a_subtitle_is_kept_on_one_line_when_it_fits_and_wrapped_only_when_nothing_else_holds():
    from leaderboards.share import subtitle_lines

    d = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    assert subtitle_lines(d, "Đợt 2025 · ngày 31/12/2025", 1088)[0] == ["Đợt 2025 · ngày 31/12/2025"]
    lines, face = subtitle_lines(d, "Đợt " + "rất dài " * 40 + "· ngày 31/12/2025", 1088)
    assert len(lines) == 2 and face.size == 20


def test_no_gettext_inside_an_f_string():
    """pybabel does not read inside f-strings: a text asked for there is never in the
    catalog (the share image said "525 points")."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = []
    for package in ("web", "accounts", "emulation", "leaderboards", "badges", "api"):
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.JoinedStr):
                    found += [f"{path.relative_to(root)}:{call.lineno}" for call in ast.walk(node)
                              if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                              and call.func.id in ("_", "gettext", "ngettext", "N_", "_l", "lazy_gettext")]
    assert found == []


def test_the_printable_page_has_the_movement_and_a_qr_code_of_the_live_board(client, published, world, runner):
    from leaderboards.sharing import qr_svg

    world.load("completions", [{"person_id": "P4", "skill_code": "S1", "completed_on": date(2025, 10, 1),
                                "source": "mooc"}])
    world.load("activities", [{"person_id": "P4", "kind": "vneid_level2", "occurred_on": date(2025, 10, 1)}])
    assert runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025",
                               "--as-of", "2026-01-07"]).exit_code == 0
    page = client.get("/leaderboards?campaign=bdhvs-2025&board=people&print=1").get_data(as_text=True)
    # Tẩn V. D. (P4, 20 points now) climbed from 4th to 2nd; Lò T. B. went down one.
    assert re.search(r'<td class="move">▲ 2</td>\s*<th scope="row">Tẩn V. D.</th>', page)
    assert re.search(r'<td class="move">▼ 1</td>\s*<th scope="row">Lò T. B.</th>', page)
    live = "http://localhost/leaderboards?campaign=bdhvs-2025&board=people"
    assert str(qr_svg(live)) in page and live.replace("&", "&amp;") in page
    assert "<script" not in page and "<img" not in page  # the QR code is inline: nothing to fetch


def test_a_printed_board_shows_its_top_50(client, published, monkeypatch):
    from leaderboards import public

    monkeypatch.setattr(public, "PAGE_SIZE", 2)  # the board's page size is the print's
    page = client.get("/leaderboards?campaign=bdhvs-2025&board=people&print=1").get_data(as_text=True)
    assert page.count('<th scope="row">') == 2
