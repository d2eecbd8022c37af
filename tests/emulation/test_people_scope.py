"""One scope rule for every staff page and API answer that shows a person: a manager sees
a person only when the person's own unit is in their subtree (accounts.access.sees_person),
whatever leads to them: a household of their units, a mentorship, a unit's list. Others are
counted, never named.

The manager runs the school THCS. The household HS is registered with THCS; its member P9
is registered with the village BL (outside). P1 (ward TP, outside) mentors P3 (THCS), who
mentors P2 (BL, outside). P8 (THCS) belongs to the household H2 of BL (outside)."""
import re
from datetime import date

import pytest

from tests.pages import EMAILS, make_token

OUTSIDER = {"external_id": "P9", "full_name": "Vàng Văn Ngoại", "group": "citizen", "unit_code": "BL",
            "household_code": "HS", "birth_year": 1961}


@pytest.fixture
def mixed(world, staff, campaign):
    world.load("households", [{"code": "HS", "unit_code": "THCS", "head_name": "Giàng A Chứ"}])
    world.load("people", [{"external_id": "P3", "full_name": "Giàng A Chứ", "group": "student", "unit_code": "THCS",
                           "household_code": "HS", "birth_year": 2011}, OUTSIDER])
    world.load("people", [{"external_id": "P8", "full_name": "Giàng Thị Mỷ", "group": "student",
                           "unit_code": "THCS", "household_code": "H2", "birth_year": 2012}])
    world.load("mentorships", [{"mentor_id": "P1", "mentee_id": "P3", "started_on": date(2025, 3, 11)},
                               {"mentor_id": "P3", "mentee_id": "P2", "started_on": date(2025, 4, 1)}])
    world.load("completions", [{"person_id": "P9", "skill_code": "S1", "completed_on": date(2025, 3, 15),
                                "source": "mooc"}])
    return world


def test_a_household_page_names_only_the_members_in_scope(signed_in, mixed):
    page = signed_in("manager").get("/households/HS").get_data(as_text=True)
    assert "/people/P3" in page and "Giàng A Chứ" in page
    # The member registered in the village: not named, not linked, no group or birth year.
    assert "P9" not in page and "Vàng Văn Ngoại" not in page and "1961" not in page
    assert "đăng ký ở đơn vị ngoài phạm vi của bạn (không hiển thị): 1." in page
    assert re.search(r"<dt>Thành viên</dt><dd>2</dd>", page)  # the household's size stays true
    admin = signed_in("admin").get("/households/HS").get_data(as_text=True)
    assert "/people/P9" in admin and "Vàng Văn Ngoại" in admin and "1961" in admin
    assert "ngoài phạm vi" not in admin


def test_a_person_page_names_only_the_mentors_and_mentees_in_scope(signed_in, mixed):
    page = signed_in("manager").get("/people/P3").get_data(as_text=True)
    assert "Nguyễn Văn An" not in page and "/people/P1" not in page  # the mentor, in the ward
    assert "Lò Thị Bình" not in page and "/people/P2" not in page  # the mentee, in the village
    assert "Người kèm cặp đăng ký ở đơn vị ngoài phạm vi của bạn (không hiển thị): 1." in page
    assert "Người được kèm cặp đăng ký ở đơn vị ngoài phạm vi của bạn (không hiển thị): 1." in page
    admin = signed_in("home_affairs").get("/people/P3").get_data(as_text=True)
    assert "/people/P1" in admin and "/people/P2" in admin and "ngoài phạm vi" not in admin


def test_a_household_outside_the_scope_is_not_linked(signed_in, mixed):
    manager = signed_in("manager")
    page = manager.get("/people/P8").get_data(as_text=True)
    assert "Hộ H2" in page and 'href="/households/H2"' not in page
    unit = manager.get("/units/THCS").get_data(as_text=True)
    assert "/people/P8" in unit and 'href="/households/H2"' not in unit and 'href="/households/HS"' in unit
    assert manager.get("/households/H2").status_code == 403
    assert 'href="/households/H2"' in signed_in("admin").get("/people/P8").get_data(as_text=True)


def test_people_outside_the_scope_stay_closed_everywhere(signed_in, mixed, app):
    manager = signed_in("manager")
    assert manager.get("/people/P9").status_code == 403
    assert manager.get("/units/BL").status_code == 403
    token = make_token(app, EMAILS["manager"])[1]
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/people/P9", headers=bearer).status_code == 403
    assert client.get("/api/v1/people/P3", headers=bearer).status_code == 200
    household = client.get("/api/v1/households/HS", headers=bearer)
    assert household.status_code == 200 and "P9" not in household.get_data(as_text=True)
    # The dashboard counts the manager's own people only (P3 and P8, not P9 of household HS).
    dashboard = manager.get("/dashboard").get_data(as_text=True)
    assert "Vàng Văn Ngoại" not in dashboard and "Giàng A Chứ" not in dashboard


def test_the_rule_is_one_function(app, mixed):
    """accounts.access.sees_person and its SQL form agree on every person."""
    import sqlalchemy as sa

    from accounts import access
    from emulation.models import Person, Unit
    from extensions import db

    with app.test_request_context():
        thcs = db.session.scalar(sa.select(Unit).where(Unit.code == "THCS"))
        rows = db.session.execute(sa.select(Person, access.people_within(Unit.path, thcs.path).label("v"))
                                  .join(Unit, Unit.id == Person.unit_id)).all()
        seen = {p.external_id for p, v in rows if v}
        assert seen == {p.external_id for p, _v in rows if p.unit.path.startswith(thcs.path)} == {"P3", "P8"}
