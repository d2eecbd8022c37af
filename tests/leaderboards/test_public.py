"""The public leaderboard pages: the latest publication, masked names, paging without
OFFSET, "find my household", no sign-in."""
import re
from datetime import date

import pytest

from emulation.privacy import public_name, under_16
from tests.emulation.scoring.reference import shown_name

NEW_YEAR = date(2025, 1, 1)
EVE = date(2025, 12, 31)


@pytest.mark.parametrize("name, birth_year, group, shown", [
    ("Nguyễn Văn An", 1980, "cadre", "Nguyễn V. A."),
    ("Nguyễn Văn An", 2012, "citizen", "N. V. A."),  # 13 in 2025
    ("Giàng A Chứ", None, "citizen", "Giàng A. C."),  # age unknown, not a pupil: an adult (SPEC §3)
    ("Giàng A Chứ", None, "student", "G. A. C."),  # a pupil without a birth year: under 16
    ("Lò Thị Bình", 2009, "citizen", "L. T. B."),  # 2025 - 2009 = 16: may still be 15, so under 16
    ("Lò Thị Bình", 2008, "citizen", "Lò T. B."),  # 2025 - 2008 = 17: 16 or older all year
    ("Lò Thị Bình", 2008, "student", "L. T. B."),  # a pupil: initials with the class, whatever the age
    ("Lò Thị Bình", 1990, "student", "L. T. B."),
    ("", 1980, "cadre", ""),
])
@pytest.mark.parametrize("as_of", [NEW_YEAR, EVE])
def test_names_are_masked(name, birth_year, group, shown, as_of):
    assert public_name(name, birth_year, group, as_of) == shown == shown_name(name, birth_year, group, as_of)


@pytest.mark.parametrize("birth_year, group, young", [
    (2009, "citizen", True), (2008, "citizen", False), (None, "student", True), (None, "cadre", False),
    (2010, "student", True), (1960, "student", False)])
def test_the_under_16_rule_is_only_the_years_that_prove_it(birth_year, group, young):
    # Only the birth year is known: the whole year of as_of decides, its first day as its last.
    assert under_16(birth_year, group, NEW_YEAR) is young and under_16(birth_year, group, EVE) is young


def ranks(page: str) -> list[tuple[str, str]]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<td class="num[^"]*"[^>]*>(\d+)(?:<br><small>[^<]*</small>)?</td><td[^>]*>.*?</td>\s*<th scope="row"[^>]*>([^<]*)(?:<br>.*?)?</th>',
                      body, re.S)


def test_the_people_board_shows_masked_names_to_anyone(client, published):
    page = client.get("/leaderboards?campaign=bdhvs-2025&board=people").get_data(as_text=True)
    assert ranks(page) == [("1", "G. A. C."), ("2", "Nguyễn V. A."), ("3", "Lò T. B."), ("4", "Tẩn V. D.")]
    assert "Nguyễn Văn An" not in page and "P1" not in page


def test_pages_follow_each_other_without_offset(client, published, monkeypatch):
    from leaderboards import public

    monkeypatch.setattr(public, "PAGE_SIZE", 2)
    first = client.get("/leaderboards?campaign=bdhvs-2025&board=people").get_data(as_text=True)
    assert [r for r, _ in ranks(first)] == ["1", "2"]
    after = re.search(r'href="([^"]*after=[^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(after).get_data(as_text=True)
    assert [r for r, _ in ranks(second)] == ["3", "4"] and 'rel="next"' not in second
    before = re.search(r'href="([^"]*before=[^"]*)" rel="prev"', second).group(1).replace("&amp;", "&")
    assert ranks(client.get(before).get_data(as_text=True)) == ranks(first)


def test_find_my_household_and_browse_by_commune(client, published):
    page = client.get("/leaderboards?campaign=bdhvs-2025&board=households&find=H1").get_data(as_text=True)
    assert 'class="found" aria-current="true"' in page and "H1" in page
    page = client.get("/leaderboards?campaign=bdhvs-2025&board=households&find=NOPE").get_data(as_text=True)
    assert 'role="alert"' in page
    page = client.get("/leaderboards?campaign=bdhvs-2025&board=people&commune=TP").get_data(as_text=True)
    assert len(ranks(page)) == 4  # everyone lives in the ward of Tân Phong


def test_nothing_published_yet(client, world, campaign):
    page = client.get("/leaderboards?campaign=bdhvs-2025")
    assert page.status_code == 200 and "chưa được công bố" in page.get_data(as_text=True)


def test_a_printable_a4_page(client, published):
    page = client.get("/leaderboards?campaign=bdhvs-2025&board=people&print=1").get_data(as_text=True)
    assert "print.css" in page and "<nav" not in page and "<form" not in page
    assert "G. A. C." in page and "Nguyễn Văn An" not in page


def test_a_share_image_of_the_top_entries(client, published, app, monkeypatch):
    import io

    from PIL import Image

    from leaderboards import share

    drawn = []
    real_draw = share.draw
    monkeypatch.setattr(share, "draw", lambda content: drawn.append(content) or real_draw(content))
    response = client.get("/leaderboards/share.png?campaign=bdhvs-2025&board=people")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "PNG" and image.size == (1200, 630)
    # What was drawn: the board's title in Vietnamese, masked names only, the points.
    (content,) = drawn
    assert content.title == "Bảng xếp hạng: Người tham gia"
    assert [row[:2] for row in content.rows] == [("1", "G. A. C."), ("2", "Nguyễn V. A."), ("3", "Lò T. B."),
                                                 ("4", "Tẩn V. D.")]
    assert "Nguyễn Văn An" not in repr(content)

    # Drawn once: the same content is served from instance/share/, and a browser that has
    # it gets 304.
    again = client.get("/leaderboards/share.png?campaign=bdhvs-2025&board=people")
    assert again.data == response.data and len(drawn) == 1
    etag = response.headers["ETag"]
    assert client.get("/leaderboards/share.png?campaign=bdhvs-2025&board=people",
                      headers={"If-None-Match": etag}).status_code == 304
    # Another language draws another image.
    english = client.get("/leaderboards/share.png?campaign=bdhvs-2025&board=people&lang=en")
    assert english.status_code == 200 and len(drawn) == 2 and drawn[1].title == "Leaderboard: People"


def test_no_share_image_before_a_publication(client, world, campaign):
    assert client.get("/leaderboards/share.png?campaign=bdhvs-2025").status_code == 404


def test_visitors_pages_are_rendered_once_per_publication(client, published, runner, monkeypatch, world):
    from leaderboards import views

    rendered = []
    real = views._render_board
    monkeypatch.setattr(views, "_render_board", lambda *a: rendered.append(1) or real(*a))
    first = client.get("/leaderboards?campaign=bdhvs-2025&board=people").get_data(as_text=True)
    again = client.get("/leaderboards?campaign=bdhvs-2025&board=people").get_data(as_text=True)
    assert again == first and len(rendered) == 1
    assert client.get("/leaderboards?campaign=bdhvs-2025&board=people&lang=en").status_code == 200
    assert len(rendered) == 2  # another language, another page
    # A new publication is another page.
    world.load("completions", [{"person_id": "P4", "skill_code": "S1", "completed_on": date(2025, 10, 1),
                                "source": "mooc"}])
    assert runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025",
                               "--as-of", "2026-01-01"]).exit_code == 0
    newer = client.get("/leaderboards?campaign=bdhvs-2025&board=people").get_data(as_text=True)
    assert newer != first and len(rendered) == 3
    # An import of events changes nothing a publication shows: its pages stay drawn.
    world.load("completions", [{"person_id": "P3", "skill_code": "S1", "completed_on": date(2025, 10, 2),
                                "source": "mooc"}])
    assert client.get("/leaderboards?campaign=bdhvs-2025&board=people").get_data(as_text=True) == newer
    assert len(rendered) == 3
    # A people file can change the names shown: drawn again.
    world.load("people", [{"external_id": "P4", "full_name": "Lò Văn Mới", "group": "citizen", "unit_code": "TP",
                           "household_code": "H1"}])
    renamed = client.get("/leaderboards?campaign=bdhvs-2025&board=people").get_data(as_text=True)
    assert len(rendered) == 4 and "Lò V. M." in renamed
