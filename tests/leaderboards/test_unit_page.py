"""A unit's public page: its place, coverage by target group against the targets, badges,
its sub-units' board; reached from the unit's name on the board."""
import re


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_units_name_on_the_board_opens_its_page(client, published):
    board = client.get("/leaderboards?campaign=bdhvs-2025&board=units&bracket=ward").get_data(as_text=True)
    link = re.search(r'<a href="(/leaderboards/units/TP[^"]*)">Phường Tân Phong</a>', board).group(1)
    page = client.get(link.replace("&amp;", "&"))
    assert page.status_code == 200
    body = text(page.get_data(as_text=True).split("<main", 1)[1])
    assert "Phường Tân Phong xếp thứ 1/1 (khối: phường), mới có mặt trên bảng." in body
    # TP and its subtree: cadre P1 universalized of 40 declared; citizens P2 of 900 declared
    # (P4 registered too), pupils P3 of 300 (THCS, under TP).
    # Each group against its target: universalized of the head count (declared, or those registered when more).
    assert "Cán bộ, công chức, viên chức 2,5% 1/40 80%" in body
    assert "Học sinh, sinh viên 0,3% 1/300 100%" in body
    assert "Người dân 0,1% 1/902 80%" in body  # TP's 900 declared, and BL's 2 registered
    # Its sub-units, best coverage first, each with its rank in its own bracket.
    subs = text(page.get_data(as_text=True).split("Các đơn vị trực thuộc</h2>", 1)[1].split("</table>")[0])
    assert "Bản Làng 50,0% 1/2 1 trong khối: thôn, bản Trường THCS Tân Phong 0,3% 1/300 1 trong khối" in subs
    assert "Nguyễn" not in body and "Lò" not in body  # no person is named


def test_a_unit_not_on_the_boards_is_a_404(client, published):
    assert client.get("/leaderboards/units/NOPE?campaign=bdhvs-2025").status_code == 404
    assert client.get("/leaderboards/units/TP?campaign=nope").status_code == 404
    assert client.get("/leaderboards/units/" + "x" * 5000).status_code == 404


def test_nothing_published_is_a_404(client, world, campaign):
    assert client.get("/leaderboards/units/TP?campaign=bdhvs-2025").status_code == 404
