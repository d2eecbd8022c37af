"""Staff sessions (issue 13, item 4): signing out ends the session on the server, so a
copy of its cookie opens nothing; a session ends after SESSION_IDLE_MINUTES without a
request and SESSION_HOURS after signing in whatever the activity (ASVS 3.3.1, 3.3.2)."""
import itsdangerous
import pytest

from tests.pages import Web


def _copy(app, client):
    """Another browser holding a copy of ``client``'s session cookie (a captured cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


@pytest.fixture
def later(monkeypatch):
    """``later(minutes)``: the cookie's clock (itsdangerous' timestamps, which Flask signs the
    session with and checks its age against) reads that many minutes from now."""
    real = itsdangerous.timed.TimestampSigner.get_timestamp

    def move(minutes: float):
        monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                            lambda self: int(real(self) + minutes * 60))
    return move


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(app, signed_in):
    viewer = signed_in("viewer")
    thief = _copy(app, viewer.client)
    assert thief.get("/dashboard").status_code == 200  # the copy works while the session lasts
    viewer.logout()
    assert viewer.get("/dashboard").status_code == 302
    r = thief.get("/dashboard")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_signing_out_on_one_device_keeps_the_others(app, staff):
    laptop, phone = Web(app.test_client()), Web(app.test_client())
    assert laptop.login(staff["viewer"]).status_code == 302
    assert phone.login(staff["viewer"]).status_code == 302
    laptop.logout()
    assert laptop.get("/dashboard").status_code == 302
    assert phone.get("/dashboard").status_code == 200


def test_a_session_ends_after_the_idle_limit_and_each_request_rearms_it(app, signed_in, later):
    assert app.config["SESSION_IDLE_MINUTES"] == 30
    viewer = signed_in("viewer")
    later(20)
    assert viewer.get("/dashboard").status_code == 200
    later(40)  # 20 minutes after that request: still in
    assert viewer.get("/dashboard").status_code == 200
    later(71)  # 31 minutes without a request
    r = viewer.get("/dashboard")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_a_copy_of_the_cookie_has_its_own_idle_clock(app, signed_in, later):
    """The owner's activity does not keep a cookie captured earlier alive."""
    viewer = signed_in("viewer")
    thief = _copy(app, viewer.client)
    for minutes in (20, 40, 60):
        later(minutes)
        assert viewer.get("/dashboard").status_code == 200
    assert thief.get("/dashboard").status_code == 302


def test_the_limits_are_configurable(make_app, staff, later, monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "60")
    monkeypatch.setenv("SESSION_HOURS", "12")
    app = make_app(create_schema=False)
    assert app.config["SESSION_HOURS"] == 12
    web = Web(app.test_client())
    assert web.login(staff["viewer"]).status_code == 302
    later(45)
    assert web.get("/dashboard").status_code == 200
    later(106)
    assert web.get("/dashboard").status_code == 302


def test_a_session_ends_after_the_absolute_limit_whatever_the_activity(app, signed_in, probe):
    assert app.config["SESSION_HOURS"] == 8
    viewer = signed_in("viewer")
    assert viewer.get("/dashboard").status_code == 200
    # The session began 7 h 59 min ago, then 8 h 1 min ago (its cookie is fresh: it was just used).
    with app.app_context():
        from datetime import timedelta

        import sqlalchemy as sa

        from accounts.models import StaffSession
        from extensions import db, utcnow

        def began(ago):
            db.session.execute(sa.update(StaffSession).values(created_at=utcnow() - ago))
            db.session.commit()

        began(timedelta(hours=7, minutes=59))
        assert viewer.get("/dashboard").status_code == 200
        began(timedelta(hours=8, minutes=1))
    r = viewer.get("/dashboard")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one(app, staff, signed_in):
    here, elsewhere = signed_in("viewer"), signed_in("viewer")
    old_cookie = _copy(app, here.client)
    new = "a long new password"
    r = here.post("/account/password", {"current": "correct horse battery", "new": new, "confirm": new})
    assert r.status_code == 302
    assert here.get("/dashboard").status_code == 200
    assert elsewhere.get("/dashboard").status_code == 302
    assert old_cookie.get("/dashboard").status_code == 302  # this one goes on under a new id


def test_the_session_cookie_holds_no_account_id_and_the_database_no_session_id(app, signed_in, probe):
    viewer = signed_in("viewer")
    cookie = viewer.client.get_cookie("session").value
    data = app.session_interface.get_signing_serializer(app).loads(cookie)
    session_id = data["_user_id"]
    stored = probe.all("SELECT token_hash FROM staff_sessions")
    assert len(stored) == 1 and session_id not in repr(stored) and len(stored[0][0]) == 64


def test_reading_pages_writes_nothing_for_the_session(app, signed_in, probe):
    """The idle clock is the cookie's: pages read by a signed-in person write nothing (on
    SQLite, a write per request would queue behind a long import)."""
    viewer = signed_in("viewer")
    before = probe.dump()
    for _ in range(3):
        assert viewer.get("/dashboard").status_code == 200
    assert probe.dump() == before
