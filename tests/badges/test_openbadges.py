"""Open Badges 2.0: the issuer, badge classes and assertions at their public URLs; the
baked PNG read back with Pillow and byte by byte; revocation; the verification page; the
public progress page; a unit's badges on the public board."""
import hashlib
import io
import json
import re
import struct
import zlib
from datetime import date

import pytest
from PIL import Image

from extensions import db
from tests.conftest import ROOT as _ROOT

ROOT_CAMPAIGNS = _ROOT / "campaigns"

# What Open Badges 2.0 requires of each document (IMS Global, Open Badges v2.0, "Assertion",
# "BadgeClass", "Profile"), written down here apart from the application's own list.
REQUIRED = {
    "Issuer": ("@context", "type", "id", "name", "url", "email"),
    "BadgeClass": ("@context", "type", "id", "name", "description", "image", "criteria", "issuer"),
    "Assertion": ("@context", "type", "id", "recipient", "badge", "verification", "issuedOn"),
}

ASSERTION_ID = re.compile(r"/badges/assertions/([0-9a-f]{32})$")


@pytest.fixture
def awarded(world, app, campaign):
    """P1 (cadre, party member) and P2 (citizen) universalized and awarded as of 31 December."""
    from badges.awarding import award
    from emulation.models import Campaign

    world.load("completions", [
        {"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 3, 15), "source": "mooc"},
        {"person_id": "P2", "skill_code": "S1", "completed_on": date(2025, 5, 5), "source": "session"}])
    with app.app_context():
        award(db.session.scalar(db.select(Campaign)), date(2025, 12, 31))
    return world


def award_of(app, badge, external_id):
    import sqlalchemy as sa

    with app.app_context():
        return db.session.execute(sa.text(
            "SELECT a.id, a.salt, c.code FROM awards a JOIN people p ON p.id = a.recipient_id "
            "LEFT JOIN progress_codes c ON c.recipient_type = 'person' AND c.recipient_id = p.id "
            "WHERE a.badge = :b AND a.recipient_type = 'person' AND p.external_id = :e AND a.revoked_on IS NULL"),
            {"b": badge, "e": external_id}).one()


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The test's own reading of a PNG: (type, payload) of every chunk, CRCs checked."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        payload = data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert crc == zlib.crc32(kind + payload)
        out.append((kind, payload))
        at += 12 + length
    return out


def test_issuer_and_badge_class_documents(client, awarded):
    issuer = client.get("/badges/issuer")
    assert issuer.status_code == 200 and issuer.mimetype == "application/ld+json"
    doc = issuer.get_json(force=True)
    assert set(REQUIRED["Issuer"]) <= set(doc) and doc["type"] == "Issuer"
    assert doc["id"] == "http://localhost/badges/issuer" and "Lai Châu" in doc["name"]

    badge = client.get("/badges/classes/bdhvs-2025/citizen").get_json(force=True)
    assert set(REQUIRED["BadgeClass"]) <= set(badge)
    assert (badge["type"], badge["name"], badge["issuer"]) == ("BadgeClass", "Công dân số", doc["id"])
    assert badge["criteria"]["narrative"] and badge["description"]
    image = client.get(badge["image"].removeprefix("http://localhost"))
    assert image.status_code == 200 and Image.open(io.BytesIO(image.data)).size == (600, 600)
    assert client.get("/badges/classes/bdhvs-2025/unit_gold").get_json(force=True)["name"] == "Đơn vị số (vàng)"
    assert client.get("/badges/classes/bdhvs-2025/nope").status_code == 404
    assert client.get("/badges/classes/nope/citizen").status_code == 404


def test_an_assertion_and_its_baked_png(client, app, awarded):
    award_id, salt, code = award_of(app, "citizen", "P1")
    response = client.get(f"/badges/assertions/{award_id}")
    assert response.status_code == 200
    doc = response.get_json(force=True)
    assert set(REQUIRED["Assertion"]) <= set(doc)
    assert doc["@context"] == "https://w3id.org/openbadges/v2"
    assert doc["type"] == "Assertion" and doc["verification"] == {"type": "hosted"}
    assert doc["id"] == f"http://localhost/badges/assertions/{award_id}"
    assert doc["badge"] == "http://localhost/badges/classes/bdhvs-2025/citizen"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", doc["issuedOn"])
    # The recipient: their progress page's URL, hashed with the award's salt.
    identity = f"http://localhost/p/{code}"
    assert doc["recipient"] == {"type": "url", "hashed": True, "salt": salt,
                                "identity": "sha256$" + hashlib.sha256((identity + salt).encode()).hexdigest()}
    assert "Nguyễn Văn An" not in response.get_data(as_text=True)  # names masked everywhere public

    png = client.get(f"/badges/assertions/{award_id}.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    # Read back with Pillow ...
    image = Image.open(io.BytesIO(png.data))
    assert image.size == (600, 600) and json.loads(image.text["openbadges"]) == doc
    # ... and byte by byte: exactly one iTXt chunk, keyword "openbadges", not compressed.
    itxt = [payload for kind, payload in png_chunks(png.data) if kind == b"iTXt"]
    assert len(itxt) == 1
    keyword, rest = itxt[0].split(b"\0", 1)
    assert keyword == b"openbadges" and rest[0] == 0  # compression flag
    language, rest = rest[2:].split(b"\0", 1)
    translated, text = rest.split(b"\0", 1)
    assert json.loads(text.decode("utf-8")) == doc
    assert client.get("/badges/assertions/" + "0" * 32).status_code == 404


def test_a_revoked_assertion_says_so(client, app, awarded):
    award_id, _, _ = award_of(app, "citizen", "P2")
    # P2 becomes a student: S1 no longer universalizes her; the import revokes the badge.
    awarded.load("people", [{"external_id": "P2", "full_name": "Lò Thị Bình", "group": "student",
                             "unit_code": "BL", "household_code": "H1"}])
    response = client.get(f"/badges/assertions/{award_id}")
    assert response.status_code == 410
    doc = response.get_json(force=True)
    # The reason in words of the UI language, with the day as it writes days.
    with app.app_context():
        from badges.models import Award
        from extensions import db
        today = db.session.get(Award, award_id).revoked_on.strftime("%d/%m/%Y")
    assert doc["revoked"] is True
    assert doc["revocationReason"] == f"Dữ liệu của đợt thi đua không còn đáp ứng điều kiện tính đến ngày {today}."
    assert client.get(f"/badges/assertions/{award_id}.png").status_code == 410
    page = client.get(f"/badges/verify?id={award_id}").get_data(as_text=True)
    assert "thu hồi" in page  # "revoked"
    assert f"Dữ liệu của đợt thi đua không còn đáp ứng điều kiện tính đến ngày {today}." in page
    english = client.get(f"/badges/assertions/{award_id}?lang=en").get_json(force=True)["revocationReason"]
    assert english.startswith("No longer supported by the campaign's data as of")


def test_verify_by_id_and_by_uploaded_image(client, app, awarded):
    from tests.pages import Web

    award_id, _, _ = award_of(app, "pioneer", "P1")
    page = client.get(f"/badges/verify?id=http://localhost/badges/assertions/{award_id}").get_data(as_text=True)
    assert "Đảng viên tiên phong" in page and "Nguyễn V. A." in page and "15/03/2025" in page
    assert "Nguyễn Văn An" not in page

    png = client.get(f"/badges/assertions/{award_id}.png").data
    web = Web(app.test_client())
    web.get("/badges/verify")
    result = web.post("/badges/verify", {"file": (io.BytesIO(png), "badge.png")})
    assert result.status_code == 200 and "Nguyễn V. A." in result.get_data(as_text=True)
    # A PNG that carries no badge, and a file that is no PNG: a clear answer, never an error page.
    plain = io.BytesIO()
    Image.new("RGB", (10, 10)).save(plain, format="PNG")
    result = web.post("/badges/verify", {"file": (io.BytesIO(plain.getvalue()), "photo.png")})
    assert result.status_code == 400 and 'role="alert"' in result.get_data(as_text=True)
    result = web.post("/badges/verify", {"file": (io.BytesIO(b"GIF89a..."), "photo.gif")})
    assert result.status_code == 400 and "PNG" in result.get_data(as_text=True)
    assert "Không có huy hiệu" in client.get("/badges/verify?id=" + "0" * 32).get_data(as_text=True)


def test_the_progress_page_opened_by_the_personal_code(client, app, awarded, runner):
    runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025", "--as-of", "2025-12-31"])
    _, _, code = award_of(app, "citizen", "P1")
    typed = "-".join(code[i:i + 4] for i in range(0, len(code), 4)).lower()
    page = client.get(f"/p/{typed}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Nguyễn V. A." in text and "Nguyễn Văn An" not in text
    assert "Công dân số" in text and "Đảng viên tiên phong" in text  # the badges
    assert "Sử dụng điện thoại thông minh" in text  # the skill completed
    assert re.search(r"Hạng</dt><dd>1\b", text)  # first on the published people board
    assert client.get("/p/AAAA-BBBB-CCCC").status_code == 404


def test_a_units_badges_on_its_board_entry(client, world, app, runner):
    from emulation.campaigns import load_campaign

    toml = ('code = "t"\nname = "Thử"\nstarts_on = 2025-03-01\nends_on = 2025-12-31\ngroups = ["cadre"]\n'
            "[targets]\ncadre = 0.8\n[badges.unit_tiers]\nbronze = 0.02\n")
    world.load("completions", [{"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 3, 15),
                                "source": "mooc"}])
    with app.app_context():
        load_campaign(toml, actor="test")
    assert runner.invoke(args=["badges", "award", "--campaign", "t", "--as-of", "2025-12-31"]).exit_code == 0
    assert runner.invoke(args=["leaderboard", "publish", "--campaign", "t", "--as-of", "2025-12-31"]).exit_code == 0
    page = client.get("/leaderboards?campaign=t&board=units&bracket=ward").get_data(as_text=True)
    assert 'class="badge-tag"' in page and "Đơn vị số (đồng)" in page


def test_a_household_progress_page_and_the_code_form(client, app, awarded, staff):
    import sqlalchemy as sa

    from tests.pages import EMAILS, PASSWORD, Web

    with app.app_context():
        code = db.session.scalar(sa.text(
            "SELECT c.code FROM progress_codes c JOIN households h ON h.id = c.recipient_id "
            "WHERE c.recipient_type = 'household' AND h.code = 'H1'"))
    # Typed with dashes and in lower case, from the form: sent on to the page.
    response = client.get(f"/p?code={code[:4].lower()}-{code[4:8]}-{code[8:]}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/p/{code}")
    page = client.get(f"/p/{code}").get_data(as_text=True)
    assert "Gia đình Lò V. P." in page and "Gia đình số" in page  # H1: Lò Văn Páo (a head: an adult), masked
    assert "Lò Văn Páo" not in page
    wrong = client.get("/p?code=NOPE")
    assert wrong.status_code == 404 and 'role="alert"' in wrong.get_data(as_text=True)
    # Staff see the code to print on the household's page.
    admin = Web(app.test_client())
    admin.login(EMAILS["admin"], PASSWORD)
    assert f"{code[:4]}-{code[4:8]}-{code[8:]}" in admin.get("/households/H1").get_data(as_text=True)


def test_the_progress_page_says_per_campaign_what_counts_and_which_required_skills_are_missing(
        client, app, awarded, monkeypatch):
    import badges.progress
    from emulation.campaigns import load_campaign

    with app.app_context():
        load_campaign((ROOT_CAMPAIGNS / "bdhvs-2026.toml").read_text(encoding="utf-8"), actor="test")
    monkeypatch.setattr(badges.progress, "province_today", lambda: date(2026, 3, 2))
    _, _, code = award_of(app, "citizen", "P1")
    text = client.get(f"/p/{code}").get_data(as_text=True)
    # Both campaigns, the running one first, each with its window said plainly.
    first, second = text.index('id="c-bdhvs-2026"'), text.index('id="c-bdhvs-2025"')
    assert first < second
    assert "Tính các kỹ năng hoàn thành từ 01/01/2026 đến 31/12/2026." in text
    assert "Tính các kỹ năng hoàn thành từ 01/03/2025 đến 31/12/2025." in text
    in_2026, in_2025 = text[first:second], text[second:]
    # 2025: the one skill a cadre must complete (S1) is done, named with its date; its badges are there.
    assert "Kỹ năng bắt buộc: đã xong 1/1" in in_2025
    assert "Sử dụng điện thoại thông minh <small>(15/03/2025)</small>" in in_2025
    assert "Công dân số" in in_2025 and "Đảng viên tiên phong" in in_2025
    # 2026: done in 2025, it does not count: still to do, and why; no badge of 2026 yet.
    assert "Kỹ năng bắt buộc: đã xong 0/1" in in_2026 and "Còn phải hoàn thành" in in_2026
    assert "ngoài thời gian tính của đợt thi đua này" in in_2026
    assert "Công dân số" not in in_2026.split("Huy hiệu của đợt thi đua này")[1]
    # Tìm kiếm thông tin (S2) is required of pupils only: not on a cadre's list.
    assert "Tìm kiếm thông tin" not in in_2026.split("Huy hiệu")[0]
    assert "Nguyễn V. A." in text and "Nguyễn Văn An" not in text


def test_a_shared_badge_or_progress_page_previews_with_its_badge_and_masked_name(client, app, awarded):
    """Zalo and Facebook draw a shared link's preview from its Open Graph tags: a verified badge
    and a personal page show the badge's image, the masked name and what was earned, with
    absolute addresses from SITE_URL; a revoked badge is not previewed as one."""
    from html import unescape

    site = app.config["SITE_URL"].rstrip("/")
    award_id, _, code = award_of(app, "citizen", "P1")

    def og(url):
        html = client.get(url).get_data(as_text=True)
        return {k: unescape(v) for k, v in re.findall(r'<meta property="og:([\w:]+)" content="([^"]*)"', html)}

    badge = og(f"/badges/verify?id={award_id}")
    assert badge["title"] == "Huy hiệu “Công dân số” — Nguyễn V. A."
    assert badge["description"].endswith("đã xác thực trên Thi Đua Số.") and "Nguyễn Văn An" not in str(badge)
    assert badge["image"] == f"{site}/badges/assertions/{award_id}.png"
    assert (badge["image:width"], badge["image:height"]) == ("600", "600")
    assert badge["url"] == f"{site}/badges/verify?id={award_id}"
    assert client.get(f"/badges/assertions/{award_id}.png").mimetype == "image/png"

    page = og(f"/p/{code}")
    assert page["title"] == "Nguyễn V. A." and page["url"] == f"{site}/p/{code}"
    assert "điểm" in page["description"] and "Công dân số" in page["description"]
    assert page["image"].startswith(f"{site}/badges/assertions/") and page["image"].endswith(".png")
    assert "Nguyễn Văn An" not in str(page)

    with app.app_context():
        from badges.models import Award

        db.session.get(Award, award_id).revoked_on = date(2025, 12, 1)
        db.session.commit()
    assert og(f"/badges/verify?id={award_id}") == {}
    assert og("/badges/verify") == {}
