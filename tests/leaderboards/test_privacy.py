"""Privacy on public pages (SPEC §3 as amended): one masking rule on every public surface,
each with its own as-of date (a publication: its date; a badge: its award date; /p: the
day of the visit); pupils only as initials with their class; and a school that switches
its pupils off the public pages (boards, share images, the API's boards, badges, /p),
without any score changing.

The people: P1 an adult cadre; P10 a citizen born 2009 (2025 − 2009 = 16: may still be 15,
so under 16 all of 2025); P11 a citizen born 2008 (17: an adult); P12 a pupil of class 6A
without a birth year; P3 a pupil of the school THCS born 2011. Published and awarded as of
31 December 2025."""
import json
from datetime import date

import pytest
import sqlalchemy as sa

from extensions import db
from tests.emulation.scoring.reference import shown_name
from tests.pages import EMAILS, Web, make_token

AS_OF = date(2025, 12, 31)
EXTRA_PEOPLE = [
    {"external_id": "P10", "full_name": "Lò Văn Mười", "group": "citizen", "unit_code": "BL", "birth_year": 2009},
    {"external_id": "P11", "full_name": "Lò Văn Một", "group": "citizen", "unit_code": "BL", "birth_year": 2008},
    {"external_id": "P12", "full_name": "Vàng Thị Hoa", "group": "student", "unit_code": "U2", "birth_year": None},
]
SHOWN = {"P1": "Nguyễn V. A.", "P10": "L. V. M.", "P11": "Lò V. M.", "P12": "V. T. H.", "P3": "G. A. C."}
PUPILS = ("P3", "P12")


@pytest.fixture
def public(world, staff, campaign, app, runner):
    from badges.awarding import award
    from emulation.models import Campaign

    world.load("units", [{"code": "U2", "name": "Lớp 6A", "kind": "class", "parent_code": "THCS"},
                         {"code": "THPT", "name": "Trường THPT Tân Phong", "kind": "school", "parent_code": "TP"}])
    world.load("people", EXTRA_PEOPLE)
    world.load("completions", [
        {"person_id": p, "skill_code": s, "completed_on": d, "source": "mooc"} for p, s, d in (
            ("P1", "S1", date(2025, 3, 15)), ("P10", "S1", date(2025, 4, 1)), ("P11", "S1", date(2025, 4, 2)),
            ("P12", "S2", date(2025, 4, 3)), ("P3", "S2", date(2025, 4, 4)), ("P2", "S1", date(2025, 4, 5)))])
    with app.app_context():
        award(db.session.scalar(db.select(Campaign)), AS_OF)
    result = runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    return world


def board_names(client, **params) -> dict[str, str]:
    """Key → name of the people board, as the API gives it (the page shows the same rows)."""
    token = public_token(client)
    body = client.application.test_client().get("/api/v1/campaigns/bdhvs-2025/leaderboards/people", query_string=params,
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    assert "entries" in body, body
    return {e["key"]: (e["name"], e["unit"], e["rank"]) for e in body["entries"]}


_tokens = {}


def public_token(client):
    app = client.application
    if id(app) not in _tokens:
        _tokens[id(app)] = make_token(app, EMAILS["viewer"])[1]
    return _tokens[id(app)]


def award_id(app, external_id: str, badge: str = "citizen") -> tuple[str, str]:
    with app.app_context():
        return tuple(db.session.execute(sa.text(
            "SELECT a.id, c.code FROM awards a JOIN people p ON p.id = a.recipient_id "
            "LEFT JOIN progress_codes c ON c.recipient_type = 'person' AND c.recipient_id = p.id "
            "WHERE a.badge = :b AND a.recipient_type = 'person' AND p.external_id = :e"),
            {"b": badge, "e": external_id}).one())


def shown_on_board(page: str) -> set[str]:
    return {name for name in SHOWN.values() if f">{name}<" in page}


def test_every_public_surface_masks_by_the_spec(client, public, app, monkeypatch):
    from leaderboards import share

    names = board_names(client)
    assert {k: v[0] for k, v in names.items() if k in SHOWN} == SHOWN
    assert SHOWN == {p: shown_name(n, y, g, AS_OF) for p, n, y, g in (
        ("P1", "Nguyễn Văn An", 1980, "cadre"), ("P3", "Giàng A Chứ", 2011, "student"),
        *((r["external_id"], r["full_name"], r["birth_year"], r["group"]) for r in EXTRA_PEOPLE))}
    assert names["P12"][1] == "Lớp 6A" and names["P3"][1] == "Trường THCS Tân Phong"  # with their class
    page = client.get("/leaderboards?campaign=bdhvs-2025&board=people").get_data(as_text=True)
    assert shown_on_board(page) == set(SHOWN.values()) and "Lò Văn Mười" not in page
    drawn = []
    monkeypatch.setattr(share, "draw", lambda content, real=share.draw: drawn.append(content) or real(content))
    assert client.get("/leaderboards/share.png?campaign=bdhvs-2025&board=people").status_code == 200
    assert set(SHOWN.values()) <= {row[1] for row in drawn[0].rows}


def test_a_badge_masks_as_of_its_award_date(client, public, app, monkeypatch):
    """P10 turned 16 in 2025 (may still be 15): the badge earned then keeps a child's
    initials, in the assertion, the baked image and the verification page alike; /p, which
    shows today's progress, masks as of the day of the visit."""
    from badges import views
    from emulation.clock import province_today

    award, code = award_id(app, "P10")
    doc = client.get(f"/badges/assertions/{award}").get_json(force=True)
    text = json.dumps(doc, ensure_ascii=False)
    assert "L. V. M." in text and "Lò V. M." not in text
    arts = []
    monkeypatch.setattr(views, "baked_file", lambda art, d, folder, real=views.baked_file: arts.append(art) or real(art, d, folder))
    assert client.get(f"/badges/assertions/{award}.png").status_code == 200
    assert arts[0].recipient == "L. V. M."
    page = client.get(f"/badges/verify?id={award}").get_data(as_text=True)
    assert "L. V. M." in page and "Lò V. M." not in page
    with app.app_context():
        today = province_today()
    personal = client.get(f"/p/{code}").get_data(as_text=True)
    assert shown_name("Lò Văn Mười", 2009, "citizen", today) in personal


def switch(web, code: str, hide: bool):
    return web.post(f"/units/{code}/pupils", {"hide": "1" if hide else "0"})


def test_a_school_switches_its_pupils_off_the_public_pages(client, public, app, signed_in, probe, monkeypatch):
    from badges import views
    from leaderboards import share

    before = board_names(client)
    units_before = client.get("/api/v1/campaigns/bdhvs-2025/leaderboards/units?bracket=school",
                              headers={"Authorization": f"Bearer {public_token(client)}"}).get_json()
    households_before = client.get("/leaderboards?campaign=bdhvs-2025&board=households").get_data(as_text=True)
    assert client.get("/leaderboards?campaign=bdhvs-2025&board=people").status_code == 200  # cached for visitors
    scores_before = probe.rows("person_scores")

    manager = signed_in("manager")
    assert "Không công khai học sinh của trường này" in manager.get("/units/THCS").get_data(as_text=True)
    response = switch(manager, "THCS", True)
    assert response.status_code == 303
    audit = probe.rows("audit_log")[-1]
    assert (audit["action"], audit["actor"], audit["target"]) == ("unit.hide_pupils", EMAILS["manager"], "THCS")

    # The boards: the school's pupils (of the school and of its class) are gone at once,
    # from a publication made before the switch; the others keep their published ranks.
    after = board_names(client)
    assert set(before) - set(after) == set(PUPILS)
    assert all(after[k] == before[k] for k in after)
    page = client.get("/leaderboards?campaign=bdhvs-2025&board=people").get_data(as_text=True)
    assert shown_on_board(page) == {SHOWN[p] for p in SHOWN if p not in PUPILS}
    drawn = []
    monkeypatch.setattr(share, "draw", lambda content, real=share.draw: drawn.append(content) or real(content))
    client.get("/leaderboards/share.png?campaign=bdhvs-2025&board=people")
    assert not {SHOWN[p] for p in PUPILS} & {row[1] for row in drawn[0].rows}
    # Households and units are unchanged, and so is every score.
    assert client.get("/leaderboards?campaign=bdhvs-2025&board=households").get_data(as_text=True) == households_before
    assert client.get("/api/v1/campaigns/bdhvs-2025/leaderboards/units?bracket=school",
                      headers={"Authorization": f"Bearer {public_token(client)}"}).get_json() == units_before
    assert probe.rows("person_scores") == scores_before

    # Their badges are verified without a name, everywhere.
    award, code = award_id(app, "P12")
    doc = json.dumps(client.get(f"/badges/assertions/{award}").get_json(force=True), ensure_ascii=False)
    assert "V. T. H." not in doc and "Lớp 6A" in doc
    arts = []
    monkeypatch.setattr(views, "baked_file", lambda art, d, folder, real=views.baked_file: arts.append(art) or real(art, d, folder))
    png = client.get(f"/badges/assertions/{award}.png")
    assert png.status_code == 200 and arts[0].recipient == "" and "V. T. H.".encode() not in png.data
    page = client.get(f"/badges/verify?id={award}").get_data(as_text=True)
    assert "V. T. H." not in page and "một học sinh" in page
    # Their own page still opens with their code (it is theirs), without a name or a rank.
    personal = client.get(f"/p/{code}")
    text = personal.get_data(as_text=True)
    assert personal.status_code == 200 and "V. T. H." not in text and "Hạng</dt>" not in text
    # An adult's badge is untouched.
    assert "Nguyễn V. A." in client.get(f"/badges/verify?id={award_id(app, 'P1')[0]}").get_data(as_text=True)

    # Switched back on: shown again, as initials with their class.
    assert switch(manager, "THCS", False).status_code == 303
    assert probe.rows("audit_log")[-1]["action"] == "unit.show_pupils"
    assert board_names(client) == before


def test_who_may_switch_a_school(public, signed_in, probe, app):
    manager = signed_in("manager")
    assert switch(manager, "THPT", True).status_code == 403  # a school outside their subtree
    assert switch(manager, "U2", True).status_code == 400  # a class: its school decides
    for role in ("viewer", "home_affairs"):
        assert switch(signed_in(role), "THCS", True).status_code == 403
    assert "Không công khai học sinh" not in signed_in("home_affairs").get("/units/THCS").get_data(as_text=True)
    # No CSRF token: refused.
    raw = Web(app.test_client())
    raw.login(EMAILS["admin"])
    assert raw.client.post("/units/THPT/pupils", data={"hide": "1"}).status_code == 400
    assert not probe.scalar("SELECT COUNT(*) FROM units WHERE hide_pupils_publicly")
    assert switch(signed_in("admin"), "THPT", True).status_code == 303
    assert probe.scalar("SELECT COUNT(*) FROM units WHERE hide_pupils_publicly") == 1


def test_the_masking_rule_by_hand():
    """SPEC §3: adults as family name + initials, under 16 (unless as_of.year − birth_year ≥ 17)
    and pupils of any age as initials only; no name, nothing shown."""
    from emulation.privacy import public_name

    day = date(2025, 12, 31)
    assert public_name("Nguyễn Văn An", 1980, "cadre", day) == "Nguyễn V. A."
    assert public_name("Nguyễn Văn An", 2008, "citizen", day) == "Nguyễn V. A."  # 17 this year
    assert public_name("Nguyễn Văn An", 2009, "citizen", day) == "N. V. A."  # 16 this year: may be 15
    assert public_name("Nguyễn Văn An", None, "citizen", day) == "Nguyễn V. A."
    assert public_name("Nguyễn Văn An", None, "student", day) == "N. V. A."
    assert public_name("Nguyễn Văn An", 2000, "student", day) == "N. V. A."  # a student of 25: still a pupil
    assert public_name("", 1980, "cadre", day) == "" and public_name(None, 1980, "cadre", day) == ""


def test_only_the_pupils_of_a_school_that_hides_them_are_hidden(public, app):
    """is_hidden_pupil: a pupil (of the school or of its classes) while their school hides
    them; never an adult of that school, nor a pupil of another school, nor anyone while
    no school hides."""
    from emulation.models import Person, Unit
    from emulation.privacy import NotASchool, is_hidden_pupil, set_pupils_hidden

    public.load("people", [
        {"external_id": "P13", "full_name": "Lò Văn Giáo", "group": "cadre", "unit_code": "THCS"},
        {"external_id": "P14", "full_name": "Vàng Thị Mai", "group": "student", "unit_code": "THPT"}])
    with app.app_context():
        def hidden():
            people = db.session.scalars(sa.select(Person).order_by(Person.external_id)).all()
            return {p.external_id for p in people if is_hidden_pupil(p)}

        thcs = db.session.scalar(sa.select(Unit).where(Unit.code == "THCS"))
        assert hidden() == set()
        assert set_pupils_hidden(thcs, True, actor="test") is True
        assert set_pupils_hidden(thcs, True, actor="test") is False  # no change
        assert hidden() == {"P3", "P12"}
        with pytest.raises(NotASchool, match="^U2$"):
            set_pupils_hidden(db.session.scalar(sa.select(Unit).where(Unit.code == "U2")), True, actor="test")


def test_the_public_pages_filter_names_the_hidden_pupils_and_schools_exactly(public, app):
    """hidden_pupils (the filter every public board and badge page applies), hidden_schools
    (the public pages' cache key) and any_hidden follow which schools hide, school by school:
    a pupil of another school, and the adults of the hiding one, stay public."""
    from emulation.models import Unit
    from emulation.privacy import any_hidden, hidden_pupils, hidden_schools, set_pupils_hidden

    public.load("people", [
        {"external_id": "P13", "full_name": "Lò Văn Giáo", "group": "cadre", "unit_code": "THCS"},
        {"external_id": "P14", "full_name": "Vàng Thị Mai", "group": "student", "unit_code": "THPT"}])
    with app.app_context():
        thcs, thpt = (db.session.scalar(sa.select(Unit).where(Unit.code == c)) for c in ("THCS", "THPT"))

        def state():
            return set(db.session.scalars(hidden_pupils())), hidden_schools(), any_hidden()

        assert state() == (set(), (), False)
        set_pupils_hidden(thcs, True, actor="test")
        assert state() == ({"P3", "P12"}, (thcs.id,), True)
        set_pupils_hidden(thpt, True, actor="test")
        assert state() == ({"P3", "P12", "P14"}, tuple(sorted((thcs.id, thpt.id))), True)
        set_pupils_hidden(thcs, False, actor="test")
        assert state() == ({"P14"}, (thpt.id,), True)  # as many schools hide as before: another key
        set_pupils_hidden(thpt, False, actor="test")
        assert state() == (set(), (), False)
