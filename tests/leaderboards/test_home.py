"""The public home page (the campaign at a glance, from its latest publication only), the
published "most improved" boards of the week and month, their share images, the campaign
switcher, the Open Graph tags and share links of the public pages."""
import re
from datetime import date
from html import unescape
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from extensions import db

from .test_share import ENGLISH, drawn  # noqa: F401  (a fixture)

MONDAY = date(2025, 9, 15)  # its week: 9 to 15 September


@pytest.fixture
def improving(world, runner, campaign):
    """P1 scored long ago; P3 (a pupil), P4 and P2 inside the publication's week or month."""
    world.load("completions", [
        {"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 3, 15), "source": "mooc"},
        {"person_id": "P2", "skill_code": "S1", "completed_on": date(2025, 8, 20), "source": "mooc"},
        {"person_id": "P3", "skill_code": "S2", "completed_on": date(2025, 9, 10), "source": "mooc"},
        {"person_id": "P4", "skill_code": "S1", "completed_on": date(2025, 9, 9), "source": "mooc"}])
    result = runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025", "--as-of", MONDAY.isoformat()])
    assert result.exit_code == 0, result.output


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"', 1)[1].split("<h2", 1)[0]


def test_the_home_page_shows_the_campaign_against_its_targets_from_the_publication(client, improving, world):
    html = client.get("/?campaign=bdhvs-2025").get_data(as_text=True)
    targets = text_of(section(html, "targets"))
    # The ward's 40 cadres (target 80 %): P1 universalized, 31 more needed; 300 pupils (100 %).
    assert "Cán bộ, công chức, viên chức 2,5%" in targets and "1 trên 40 người" in targets
    assert "chỉ tiêu 80%: còn thiếu 31 người" in targets
    assert "1 trên 300 người" in targets and "chỉ tiêu 100%: còn thiếu 299 người" in targets
    # Certified: the adults universalized (P1, P2, P4; the pupil P3 is not counted) of 170,000.
    assert "Người trưởng thành đạt chuẩn 3" in targets and "trên 170.000 người" in targets
    assert "Người lao động" not in targets  # no worker to count
    # Later data changes nothing until the next publication: the page reads only that one.
    world.load("completions", [{"person_id": "P1", "skill_code": "S2", "completed_on": date(2025, 9, 12),
                                "source": "mooc"}])
    again = client.get("/?campaign=bdhvs-2025&lang=vi").get_data(as_text=True)
    assert text_of(section(again, "targets")) == targets


def test_the_home_page_shows_the_top_three_of_each_board_and_the_most_improved_of_the_week(client, improving):
    html = client.get("/?campaign=bdhvs-2025").get_data(as_text=True)
    leaders = text_of(section(html, "leaders"))
    # People: P3 (20 points), then P1, P2, P4 at 10: the first to score first. Names masked.
    assert re.search(r"1 G\. A\. C\. · Trường THCS Tân Phong 20 điểm 2 Nguyễn V\. A\. · Phường Tân Phong 10 điểm "
                     r"3 Lò T\. B\. · Bản Làng 10 điểm", leaders), leaders
    people = leaders.split("Người tham gia 1 ", 1)[1]
    assert "Tẩn" not in people  # the fourth is not on the home page
    # Households by their head's masked name, as on the board.
    households = leaders.split("Người tham gia 1 ", 1)[0].split("Gia đình số", 1)[1]
    assert re.search(r"1 Hộ [^·]+ · ", households) and "Tẩn T. M." in households, households
    assert "Nguyễn Văn An" not in html and "P1" not in html
    improved = text_of(section(html, "improved"))
    assert "từ 09/09/2025 đến 15/09/2025" in improved
    assert "1 Phường Tân Phong +0,2%" in improved  # 2 of 942 gained in the week
    # The two things a visitor can do, and the whole boards.
    for href in ('href="/p"', 'href="/badges/verify"', 'board=households#find', 'href="/leaderboards/improved'):
        assert href in html, href


def test_the_home_page_before_any_publication_and_for_an_unknown_campaign(client, world, campaign):
    html = client.get("/").get_data(as_text=True)
    assert "chưa được công bố" in html and 'href="/badges/verify"' in html
    assert client.get("/?campaign=no-such-thing").status_code == 404
    assert client.get("/?campaign=" + "x" * 5000).status_code == 404


def test_the_home_page_is_light(client, improving, app):
    from pathlib import Path

    html = client.get("/?campaign=bdhvs-2025").data
    css = (Path(app.root_path) / "static" / "app.css").read_bytes()
    assert len(html) + len(css) < 30_000, (len(html), len(css))
    assert b"<script" not in html


def test_a_campaign_switcher_on_the_home_page_and_the_boards(client, improving, app):
    from emulation.campaigns import load_campaign
    from tests.conftest import ROOT

    with app.app_context():
        load_campaign((ROOT / "campaigns" / "bdhvs-2026.toml").read_text(encoding="utf-8"), actor="test")
    home = client.get("/?campaign=bdhvs-2025").get_data(as_text=True)
    switcher = home.split('class="switcher"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="([^"]+)"( aria-current="page")?', switcher) == [
        ("/?campaign=bdhvs-2026", ""), ("/?campaign=bdhvs-2025", ' aria-current="page"')]
    assert ">2026</a>" in switcher  # campaigns of one year each: named by their year
    board = client.get("/leaderboards?campaign=bdhvs-2025&board=people").get_data(as_text=True)
    assert 'href="/leaderboards?campaign=bdhvs-2026&amp;board=people"' in board
    assert "chưa được công bố" in client.get("/?campaign=bdhvs-2026").get_data(as_text=True)


@pytest.mark.parametrize("url, image", [
    ("/?campaign=bdhvs-2025", "/leaderboards/share.png?campaign=bdhvs-2025"),
    ("/leaderboards?campaign=bdhvs-2025&board=people", "/leaderboards/share.png?campaign=bdhvs-2025&board=people"),
    ("/leaderboards/improved?campaign=bdhvs-2025&period=week&board=people",
     "/leaderboards/improved.png?campaign=bdhvs-2025&period=week&board=people"),
])
def test_public_pages_carry_open_graph_tags_and_plain_share_links(client, improving, app, url, image):
    site = app.config["SITE_URL"].rstrip("/")  # absolute URLs from SITE_URL only
    html = client.get(url).get_data(as_text=True)
    og = dict(re.findall(r'<meta property="og:(\w+)" content="([^"]*)"', html))
    assert og["title"] and og["description"] and og["type"] == "website"
    assert unescape(og["image"]) == site + image
    assert client.get(image).status_code == 200 and client.get(image).mimetype == "image/png"
    shared = unescape(og["url"])
    assert shared.startswith(site + "/")
    links = re.findall(r'class="share">.*?</p>', html, re.S)[0]
    assert f'https://sp.zalo.me/share_inline?url={quote(shared, safe="")}' in unescape(links)
    assert f'https://www.facebook.com/sharer/sharer.php?u={quote(shared, safe="")}' in unescape(links)
    assert "<script" not in html


def rows(html: str) -> list[tuple[str, str, str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [(rank, unescape(label), text_of(rest).strip()) for rank, label, rest in re.findall(
        r'<td class="num lead">(\d+)</td>\s*<th scope="row"[^>]*>([^<]*)</th>(.*?)</tr>', body, re.S)]


def test_the_most_improved_boards_of_the_week_and_the_month(client, improving):
    week = client.get("/leaderboards/improved?campaign=bdhvs-2025&board=people").get_data(as_text=True)
    assert [r[:2] for r in rows(week)] == [("1", "G. A. C."), ("2", "Tẩn V. D.")]
    assert "+20 điểm" in rows(week)[0][2]
    month = client.get("/leaderboards/improved?campaign=bdhvs-2025&period=month&board=people").get_data(as_text=True)
    assert [r[:2] for r in rows(month)] == [("1", "G. A. C."), ("2", "Lò T. B."), ("3", "Tẩn V. D.")]
    assert "từ 17/08/2025 đến 15/09/2025" in text_of(month)
    units = client.get("/leaderboards/improved?campaign=bdhvs-2025&board=units&bracket=village").get_data(as_text=True)
    assert [r[:2] for r in rows(units)] == [("1", "Bản Làng")] and "+50,0%" in rows(units)[0][2]  # 1 of 2
    households = client.get("/leaderboards/improved?campaign=bdhvs-2025&board=households").get_data(as_text=True)
    assert [r[:2] for r in rows(households)] == [("1", "H2")]
    for bad in ("period=year", "board=nope", "campaign=nope", "after=x:y", "after=99999999999:a"):
        assert client.get(f"/leaderboards/improved?{bad}").status_code in (400, 404), bad
    assert "Tiến bộ nhất" in client.get("/leaderboards?campaign=bdhvs-2025").get_data(as_text=True)


def test_most_improved_pages_follow_each_other(client, improving, monkeypatch):
    from leaderboards import improved

    monkeypatch.setattr(improved, "PAGE_SIZE", 1)
    first = client.get("/leaderboards/improved?campaign=bdhvs-2025&period=month&board=people").get_data(as_text=True)
    after = unescape(re.search(r'href="([^"]*after=[^"]*)" rel="next"', first).group(1))
    second = client.get(after).get_data(as_text=True)
    assert [r[:2] for r in rows(second)] == [("2", "Lò T. B.")]


def test_pupils_of_a_school_that_hides_them_leave_the_most_improved_boards(client, improving, app):
    from emulation.models import Unit

    with app.app_context():
        db.session.execute(sa.update(Unit).where(Unit.code == "THCS").values(hide_pupils_publicly=True))
        db.session.commit()
    week = client.get("/leaderboards/improved?campaign=bdhvs-2025&board=people").get_data(as_text=True)
    assert [r[:2] for r in rows(week)] == [("2", "Tẩn V. D.")]  # ranks kept, the pupil gone
    home = client.get("/?campaign=bdhvs-2025").get_data(as_text=True)
    assert "G. A. C." not in home


def test_the_share_image_of_the_most_improved_is_vietnamese_and_whole(client, improving, drawn):  # noqa: F811
    response = client.get("/leaderboards/improved.png?campaign=bdhvs-2025&period=month&board=people")
    assert response.status_code == 200 and response.mimetype == "image/png"
    for text in drawn:
        assert not any(word in text for word in ENGLISH), text
        assert "…" not in text, text
    assert drawn[0] == "Tiến bộ nhất tháng qua: Cá nhân"
    assert 'Phong trào "Bình dân học vụ số" tỉnh Lai Châu năm 2025' in drawn
    assert "Từ 17/08/2025 đến 15/09/2025" in drawn
    assert "+20 điểm" in drawn and "G. A. C." in drawn


def test_no_share_image_of_the_most_improved_before_a_publication(client, world, campaign):
    assert client.get("/leaderboards/improved.png?campaign=bdhvs-2025").status_code == 404
    assert "chưa được công bố" in client.get("/leaderboards/improved?campaign=bdhvs-2025").get_data(as_text=True)
