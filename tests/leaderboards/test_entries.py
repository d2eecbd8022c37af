"""What a public board's entries show beyond their figures: the podium of the top three,
the badges held on the publication's date, households by their masked head, and finding an
entry by what the board shows (SPEC §3 privacy)."""
import re
from datetime import date

import pytest

from leaderboards.labels import fold

BOARD = "/leaderboards?campaign=bdhvs-2025&board="


def main(page: str) -> str:
    return page[page.index("<main"):page.index("</main>")]


def podium(page: str) -> list[str]:
    """The podium's places: 'rank name' with tags stripped, in order."""
    if 'class="podium"' not in page:
        return []
    section = page.split('class="podium"', 1)[1].split("</section>", 1)[0]
    places = re.findall(r'<li class="place place-\d">(.*?)</li>', section, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", p).split()) for p in places]


def row_of(page: str, name: str) -> str:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [r for r in re.findall(r"<tr.*?</tr>", body, re.S) if name in r]
    assert len(rows) == 1, rows
    return rows[0]


def table_names(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"<[^>]+>", "", n).strip() for n in re.findall(r'<th scope="row"[^>]*>(.*?)(?:<br>.*?)?</th>', body, re.S)]


def test_fold_forgets_case_marks_and_punctuation():
    assert fold("Lò  Văn-Sáng") == "lo van sang"
    assert fold("Đặng Thị Ánh") == "dang thi anh"
    assert fold("Lò V. S.") == "lo v s"
    assert fold(" !!! ") == ""


def test_the_podium_shows_the_top_three_with_their_badges(client, published):
    page = client.get(BOARD + "people").get_data(as_text=True)
    assert podium(page) == ["1 Hạng 1: G. A. C. Công dân số Trường THCS Tân Phong 20 điểm",
                            "2 Hạng 2: Nguyễn V. A. Công dân số Phường Tân Phong 10 điểm",
                            "3 Hạng 3: Lò T. B. Công dân số Bản Làng 10 điểm"]
    # Only on the board's first page: not on a found entry's.
    assert podium(client.get(BOARD + "people&find=tan van dung").get_data(as_text=True)) == []


def test_badges_on_entries_are_those_held_on_the_publication_date(client, published, app):
    page = client.get(BOARD + "people").get_data(as_text=True)
    assert "Công dân số" in row_of(page, "Lò T. B.") and "Công dân số" not in row_of(page, "Tẩn V. D.")
    households = client.get(BOARD + "households").get_data(as_text=True)
    assert "Gia đình số</span>" in row_of(households, "H1") and "badge-tag" not in row_of(households, "H2")
    # Frozen: an award revoked afterwards stays on this publication's entries.
    import sqlalchemy as sa

    from extensions import db

    with app.app_context():
        db.session.execute(sa.text("UPDATE awards SET revoked_on = '2026-02-01' WHERE badge = 'citizen'"))
        db.session.commit()
        stored = db.session.execute(sa.text(
            "SELECT key, badges FROM published_entries WHERE board = 'people' ORDER BY key")).all()
    assert [tuple(r) for r in stored] == [("P1", "citizen"), ("P2", "citizen"), ("P3", "citizen"), ("P4", None)]


def test_units_show_their_tiers_in_tier_order(app):
    from types import SimpleNamespace

    from badges.boards import shown_classes
    from emulation.campaigns import DEFAULT_RULES

    shown = [c.code for c in shown_classes(SimpleNamespace(rules={"badges": DEFAULT_RULES["badges"]}))]
    assert shown == ["citizen", "ambassador", "family", "unit_bronze", "unit_silver", "unit_gold"]


def test_households_are_shown_by_their_masked_head_with_their_code(client, published):
    page = client.get(BOARD + "households").get_data(as_text=True)
    assert table_names(page) == ["Hộ Lò V. P. H1", "Hộ Tẩn T. M. H2"]
    assert "Lò Văn Páo" not in page


def test_a_household_headed_by_a_child_shows_initials(client, world, runner, campaign):
    # The head of H2 is registered as a member born in 2012: 13 in 2025.
    world.load("people", [{"external_id": "P9", "full_name": "Tẩn Thị Mai", "group": "citizen", "unit_code": "BL",
                           "household_code": "H2", "birth_year": 2012}])
    assert runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025", "--as-of",
                               "2025-12-30"]).exit_code == 0
    page = client.get(BOARD + "households").get_data(as_text=True)
    assert "Hộ T. T. M. <small" in page and "Tẩn T. M." not in page
    # A search finds it by what the board shows (initials), and says no more.
    found = main(client.get(BOARD + "households&find=tan thi mai").get_data(as_text=True))
    assert "Hộ T. T. M. H2 xếp thứ 1/2" in found and "Tẩn" not in found


@pytest.mark.parametrize("query", ["lo thi binh", "LÒ THỊ BÌNH", "  lo   thi   b ", "Lò T. B.", "lo t"])
def test_find_a_person_by_the_name_as_shown(client, published, query):
    page = main(client.get(BOARD + "people&find=" + query).get_data(as_text=True))
    assert "Lò T. B. xếp thứ 3/4" in page and "mới có mặt trên bảng" in page
    assert 'aria-current="true" id="me"' in row_of(page, "Lò T. B.")


def test_a_pupil_is_found_by_initials_and_shown_by_them_only(client, published):
    # G. A. C. is a pupil: the board shows initials, and so does what a search finds.
    for query in ("giang a chu", "g a c", "G.A.C."):
        page = main(client.get(BOARD + "people&find=" + query).get_data(as_text=True))
        assert "G. A. C. xếp thứ 1/4" in page and "Giàng" not in page


def test_an_adults_family_name_does_not_match_another_family(client, published):
    page = client.get(BOARD + "people&find=lo van dung").get_data(as_text=True)  # Tẩn V. D. is no Lò
    assert "xếp thứ" not in page and 'role="alert"' in page


def test_people_are_never_found_by_their_external_id(client, published):
    page = client.get(BOARD + "people&find=P2").get_data(as_text=True)
    assert "xếp thứ" not in page and 'role="alert"' in page


def test_matches_list_then_open(client, world, runner, campaign):
    world.load("people", [{"external_id": "P9", "full_name": "Lò Thị Bảo", "group": "citizen", "unit_code": "BL",
                           "birth_year": 1970}])
    assert runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025", "--as-of",
                               "2025-12-30"]).exit_code == 0
    page = client.get(BOARD + "people&find=lo thi b").get_data(as_text=True)
    links = re.findall(r'<a href="([^"]*n=\d[^"]*)">([^<]*)</a>', page)
    assert [name for _, name in links] == ["Lò T. B.", "Lò T. B."] and "P9" not in page and "P2" not in page
    # Nothing scored: all five share rank 1, listed by their (unshown) key; each link opens its own row.
    opened = [client.get(link.replace("&amp;", "&")).get_data(as_text=True) for link, _ in links]
    assert all("Lò T. B. xếp thứ 1/5" in page for page in opened)
    mine = [[i for i, row in enumerate(re.findall(r"<tr.*?</tr>", page.split("<tbody>")[1], re.S)) if 'id="me"' in row]
            for page in opened]
    assert mine[0] != mine[1] and all(len(m) == 1 for m in mine)
    assert client.get(BOARD + "people&find=lo thi b&n=21").status_code == 400
    assert client.get(BOARD + "people&find=lo thi b&n=x").status_code == 400


def test_around_me_is_five_above_and_five_below(client, world, runner, campaign, monkeypatch):
    people = [{"external_id": f"Q{i:02d}", "full_name": f"Vàng Văn {chr(65 + i)}", "group": "citizen",
               "unit_code": "BL", "birth_year": 1970} for i in range(20)]
    world.load("people", people)
    world.load("completions", [{"person_id": f"Q{i:02d}", "skill_code": "S1", "completed_on": date(2025, 3, 1 + i),
                                "source": "mooc"} for i in range(20)])
    assert runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025", "--as-of",
                               "2025-12-30"]).exit_code == 0
    page = client.get(BOARD + "people&find=vang van k").get_data(as_text=True)  # Q10, 11th of the twenty
    names = table_names(page)
    assert len(names) == 11 and names[5] == "Vàng V. K." and names[0] == "Vàng V. F." and names[-1] == "Vàng V. P."
    assert "Vàng V. K. xếp thứ 11/24" in page
    assert 'rel="prev"' in page and 'rel="next"' in page


def test_households_and_units_by_code_and_name(client, published):
    assert "Hộ Lò V. P. H1 xếp thứ 1/2" in client.get(BOARD + "households&find= h 1").get_data(as_text=True)
    page = client.get(BOARD + "units&bracket=ward&find=tan phong").get_data(as_text=True)
    assert "Phường Tân Phong xếp thứ 1/1" in page
    assert "Phường Tân Phong xếp thứ 1/1" in client.get(BOARD + "units&bracket=ward&find=tp").get_data(as_text=True)


@pytest.mark.parametrize("query, status", [("!!!", 400), ("   ", 200), ("%_", 400), ("x" * 500, 200),
                                           ("\u0301\u0301", 400), ("nobody here", 200)])
def test_bad_queries_say_so_in_vietnamese(client, published, query, status):
    response = client.get("/leaderboards", query_string={"campaign": "bdhvs-2025", "board": "people",
                                                           "find": query})
    assert response.status_code == status
    page = response.get_data(as_text=True)
    if query.strip():
        assert 'role="alert"' in page
        assert ("Hãy gõ" in page) == (status == 400) and ("Không có mục nào" in page) == (status == 200)


def test_the_movement_is_told_in_words(client, published, world, runner):
    world.load("completions", [{"person_id": "P4", "skill_code": "S1", "completed_on": date(2025, 7, 1),
                                "source": "mooc"},
                               {"person_id": "P4", "skill_code": "S2", "completed_on": date(2025, 7, 1),
                                "source": "mooc"}])
    assert runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025", "--as-of",
                               "2026-01-02"]).exit_code == 0
    page = client.get(BOARD + "people&find=tan van dung").get_data(as_text=True)
    moved = re.search(r"Tẩn V\. D\. xếp thứ (\d)/4</strong>,\s*tăng (\d) bậc", page)
    assert moved and int(moved.group(1)) + int(moved.group(2)) == 4  # from 4th


def test_a_communes_board_ranks_within_the_commune(client, world, runner, campaign, app):
    # A second ward with one person who outscores everyone of Tân Phong.
    world.load("units", [{"code": "QT", "name": "Phường Quyết Tiến", "kind": "ward", "parent_code": "LC",
                          "headcount_citizen": 10}])
    world.load("people", [{"external_id": "Q1", "full_name": "Hoàng Văn Nam", "group": "citizen", "unit_code": "QT",
                           "birth_year": 1980}])
    world.load("completions", [
        {"person_id": "Q1", "skill_code": "S1", "completed_on": date(2025, 4, 1), "source": "mooc"},
        {"person_id": "Q1", "skill_code": "S2", "completed_on": date(2025, 4, 2), "source": "mooc"},
        {"person_id": "P2", "skill_code": "S1", "completed_on": date(2025, 5, 5), "source": "session"}])
    assert runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025", "--as-of",
                               "2025-12-31"]).exit_code == 0
    province = client.get(BOARD + "people").get_data(as_text=True)
    assert re.search(r'<td class="num lead">2</td>.*?Lò T\. B\.', province, re.S)  # 2nd behind Q1
    ward = client.get(BOARD + "people&commune=TP").get_data(as_text=True)
    rows = re.findall(r'<td class="num lead">(\d+)(?:<br><small>[^<]*</small>)?</td>', ward.split("<tbody>")[1])
    assert rows == ["1", "2", "2", "2"]  # P2 first in Tân Phong; the three without points tie
    assert "toàn tỉnh: 2" in row_of(ward, "Lò T. B.")
    found = client.get(BOARD + "people&commune=TP&find=lo thi binh").get_data(as_text=True)
    assert "Lò T. B. xếp thứ 1/4" in found
    # The next publication moves within the ward: P4 overtakes P2 there.
    world.load("completions", [
        {"person_id": "P4", "skill_code": "S1", "completed_on": date(2025, 6, 1), "source": "mooc"},
        {"person_id": "P4", "skill_code": "S2", "completed_on": date(2025, 6, 2), "source": "mooc"}])
    assert runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025", "--as-of",
                               "2026-01-01"]).exit_code == 0
    found = client.get(BOARD + "people&commune=TP&find=lo thi binh").get_data(as_text=True)
    assert re.search(r"Lò T\. B\. xếp thứ 2/4</strong>,\s*giảm 1 bậc", found)
