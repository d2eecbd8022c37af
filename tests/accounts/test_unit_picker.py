"""The Accounts page picks a manager's unit from the unit tree (issue 16): a list of the
units of the signed-in person's subtree, grouped by branch, narrowed by a search that
works without JavaScript; a code outside it is refused."""
import re

import pytest

from accounts import services
from extensions import db


def options(page: str) -> list[str]:
    select = page.split('id="unit_code"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option[^>]*value="([^"]*)"', select)


def test_the_unit_is_chosen_from_the_tree(app, staff, signed_in, world):
    page = signed_in("admin").get("/admin/users").get_data(as_text=True)
    assert '<select id="unit_code" name="unit_code"' in page or re.search(r'<select[^>]*name="unit_code"', page)
    assert 'name="unit_code" type="text"' not in page
    # The tree's order: each unit before its branch; grouped by commune or ward.
    assert options(page) == ["", "LC", "TP", "BL", "THCS"]
    assert re.search(r'<optgroup label="Phường Tân Phong">\s*<option value="TP">Phường Tân Phong \(TP\)</option>', page)
    # A search narrows the list, without JavaScript (a GET form).
    found = signed_in("admin").get("/admin/users?unit_q=tân phong").get_data(as_text=True)
    assert options(found) == ["", "TP", "THCS"] and "2 đơn vị khớp" in found
    none = signed_in("admin").get("/admin/users?unit_q=%25").get_data(as_text=True)  # a % is a letter here
    assert options(none) == [""]


def test_an_account_takes_a_unit_of_the_list_and_nothing_else(app, staff, signed_in, world):
    admin = signed_in("admin")
    r = admin.post("/admin/users", {"email": "ban@laichau.test", "role": "manager", "unit_code": "BL"})
    assert r.status_code == 200 and "ban@laichau.test" in r.get_data(as_text=True)
    r = admin.post("/admin/users", {"email": "khac@laichau.test", "role": "manager", "unit_code": "NOPE"})
    page = __import__("html").unescape(r.get_data(as_text=True))
    # The refusal is shown at the unit's field (tied to it for screen readers), not at the e-mail's.
    assert re.search(r'<p class="field-error" id="unit_code-error">[^<]*Không tìm thấy đơn vị "NOPE"', page)
    assert 'id="email-error"' not in page and re.search(r'aria-describedby="[^"]*unit_code-error', page)
    duplicate = admin.post("/admin/users", {"email": "ban@laichau.test", "role": "viewer"}).get_data(as_text=True)
    assert 'id="email-error"' in duplicate and 'id="unit_code-error"' not in duplicate
    with app.app_context():
        assert db.session.scalar(db.select(services.User).where(services.User.email == "khac@laichau.test")) is None


def test_the_list_is_limited_to_a_managers_subtree(app, world):
    with app.app_context():
        unit = services.User.unit.property.mapper.class_
        ward = db.session.scalar(db.select(unit).where(unit.code == "TP"))
        school = db.session.scalar(db.select(unit).where(unit.code == "THCS"))
        choices, total = services.unit_choices(ward.path)
        assert [c.code for c in choices] == ["TP", "BL", "THCS"] and total == 3
        assert [c.depth for c in choices] == [0, 1, 1]
        choices, total = services.unit_choices(school.path)
        assert [c.code for c in choices] == ["THCS"]
        with pytest.raises(services.AccountError):
            services.create_user("ngoai@laichau.test", "manager", unit_code="BL", actor="test", within=school.path)
        choices, total = services.unit_choices(None, limit=2)
        assert len(choices) == 2 and total == 4
