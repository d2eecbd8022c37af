"""Who gets in where: every route of tests/routes.py, with every role and anonymously."""
import pytest

from .pages import EMAILS, Web, admin_import_jobs, awarded_badge, make_token, nominee_list
from .routes import ANONYMOUS, ROLES, SAMPLES


@pytest.fixture
def access_world(app, staff, campaign):
    """The seeded province, one account per role, the campaign, an extra account, the
    admin's import jobs, a badge and a nominee list (tests/pages.py)."""
    from accounts.services import create_user

    with app.app_context():
        extra = create_user("extra@laichau.test", "viewer", actor="test")[0].id
    jobs = admin_import_jobs(app, staff["admin"])
    tokens = {role: make_token(app, EMAILS[role]) for role in ROLES}
    return {"extra": extra, **jobs, **awarded_badge(app), **nominee_list(app), "token": tokens["admin"][0],
            "tokens": {role: token for role, (_, token) in tokens.items()}}


def _got_in(response, api: bool = False) -> bool:
    if response.status_code == 403 or (api and response.status_code == 401):
        return False
    if response.status_code in (301, 302, 303) and "/login?next=" in response.headers["Location"]:
        return False  # sent to sign in first (signing out also ends on /login, without "next")
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    return True


@pytest.mark.parametrize("who", (ANONYMOUS, *ROLES))
def test_every_route_admits_exactly_its_audience(app, access_world, signed_in, who):
    client = Web(app.test_client()) if who == ANONYMOUS else signed_in(who)
    api = app.test_client()
    bearer = {} if who == ANONYMOUS else {"Authorization": f"Bearer {access_world['tokens'][who]}"}
    wrong = []
    for s in SAMPLES:
        url = s.url.format(**access_world)
        if s.api:  # a bearer token, never the session cookie
            r = api.open(url, method=s.method, headers=bearer, json=s.data)
        else:
            r = client.get(url) if s.method == "GET" else client.post(url, s.data)
        if _got_in(r, s.api) != (who in s.allowed):
            wrong.append(f"{s.method} {url}: {r.status_code} {r.headers.get('Location', '')}")
    assert wrong == []


def test_every_route_of_the_app_has_a_sample(app):
    covered = {(s.endpoint, s.method) for s in SAMPLES}
    routes = {(rule.endpoint, m) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
              for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - covered == set()


def test_a_view_that_declares_no_audience_is_refused_to_everyone(app, signed_in):
    @app.get("/forgotten")
    def forgotten():
        return "personal data"

    assert signed_in("admin").get("/forgotten").status_code == 403
    assert app.test_client().get("/forgotten").status_code == 403


def test_another_managers_job_is_refused(app, access_world, signed_in):
    manager = signed_in("manager")
    assert manager.get(f"/imports/{access_world['job']}").status_code == 403
    assert manager.get("/imports/no-such-job").status_code == 404
