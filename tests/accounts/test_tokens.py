"""API tokens (issue 13, item 15): a password reset and disabling an account revoke them,
each expires (API_TOKEN_DAYS at most, chosen when made, shown on the page), and
administrators revoke any account's tokens from the Accounts page; all audited."""
import re
from datetime import timedelta

import pytest

from tests.pages import Web, make_token


def _api(app, token):
    return app.test_client().get("/api/v1/campaigns", headers={"Authorization": f"Bearer {token}"})


def _user_id(probe, email):
    return probe.scalar("SELECT id FROM users WHERE email = :e", e=email)


def test_a_password_reset_revokes_the_accounts_tokens(app, staff, signed_in, probe):
    _, token = make_token(app, staff["viewer"])
    assert _api(app, token).status_code == 200
    admin = signed_in("admin")
    assert admin.post(f"/admin/users/{_user_id(probe, staff['viewer'])}/reset").status_code == 200
    assert _api(app, token).status_code == 401
    assert probe.all("SELECT actor, target, action FROM audit_log WHERE action = 'token.revoke_all'") == [
        (staff["admin"], staff["viewer"], "token.revoke_all")]


def test_disabling_an_account_revokes_its_tokens_for_good(app, staff, signed_in, probe):
    _, token = make_token(app, staff["viewer"])
    admin = signed_in("admin")
    user_id = _user_id(probe, staff["viewer"])
    admin.post(f"/admin/users/{user_id}/active", {"active": "0"})
    assert _api(app, token).status_code == 401
    admin.post(f"/admin/users/{user_id}/active", {"active": "1"})
    assert _api(app, token).status_code == 401  # enabling the account again does not bring them back


def test_administrators_revoke_any_accounts_tokens_from_the_accounts_page(app, staff, signed_in, probe):
    _, first = make_token(app, staff["manager"])
    _, second = make_token(app, staff["manager"])
    _, own = make_token(app, staff["viewer"])
    admin = signed_in("admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    user_id = _user_id(probe, staff["manager"])
    assert f'/admin/users/{user_id}/tokens/revoke' in page
    r = admin.post(f"/admin/users/{user_id}/tokens/revoke", follow_redirects=True)
    assert r.status_code == 200 and "2" in r.get_data(as_text=True)
    assert _api(app, first).status_code == 401 and _api(app, second).status_code == 401
    assert _api(app, own).status_code == 200  # another account's are untouched
    assert f'/admin/users/{user_id}/tokens/revoke' not in admin.get("/admin/users").get_data(as_text=True)
    details = probe.scalar("SELECT details FROM audit_log WHERE action = 'token.revoke_all'")
    assert '"tokens": 2' in str(details).replace("'", '"') and "admin" in str(details)
    # Nobody else may.
    manager = signed_in("manager")
    assert manager.post(f"/admin/users/{_user_id(probe, staff['viewer'])}/tokens/revoke").status_code == 403
    assert _api(app, own).status_code == 200


def _life(app) -> timedelta:
    """How long the one token made lives."""
    import sqlalchemy as sa

    from accounts.models import ApiToken
    from extensions import db

    with app.app_context():
        record = db.session.scalar(sa.select(ApiToken))
        return record.expires_at - record.created_at


def _make(web, **fields):
    return web.post("/account/tokens", {"name": "sheet", **fields})


def test_a_token_expires_after_the_days_chosen(app, staff, signed_in, probe):
    web = signed_in("viewer")
    page = web.get("/account/tokens").get_data(as_text=True)
    assert 'value="90"' in page  # API_TOKEN_DAYS, the default
    made = _make(web, days="7").get_data(as_text=True)
    token = re.search(r"(tds_[A-Za-z0-9_-]{20,})", made).group(1)
    assert _life(app) == timedelta(days=7)
    assert _api(app, token).status_code == 200
    with app.app_context():
        import sqlalchemy as sa

        from accounts.models import ApiToken
        from extensions import db, utcnow

        db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert _api(app, token).status_code == 401
    page = web.get("/account/tokens").get_data(as_text=True)
    assert "hết hạn" in page  # "expired", in the page's language


def test_a_token_without_a_chosen_life_gets_the_default(app, staff, signed_in, probe):
    _make(signed_in("viewer"))
    assert _life(app) == timedelta(days=90)


@pytest.mark.parametrize("days", ["0", "-3", "91", "100000000000000000000", "seven"])
def test_a_life_outside_one_to_api_token_days_is_refused(app, staff, signed_in, probe, days):
    r = _make(signed_in("viewer"), days=days)
    assert r.status_code == 200 and 'class="field-error"' in r.get_data(as_text=True)
    assert "tds_" not in r.get_data(as_text=True)
    assert probe.count("api_tokens") == 0


def test_the_longest_life_is_configurable(make_app, staff, monkeypatch, probe):
    monkeypatch.setenv("API_TOKEN_DAYS", "30")
    app = make_app(create_schema=False)
    web = Web(app.test_client())
    web.login(staff["viewer"])
    assert 'value="30"' in web.get("/account/tokens").get_data(as_text=True)
    assert 'class="field-error"' in _make(web, days="31").get_data(as_text=True)
    _make(web, days="30")
    assert probe.count("api_tokens") == 1
