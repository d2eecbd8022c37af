"""The JSON API: bearer tokens (made and revoked on the tokens page, kept hashed), the roles
and unit scope of the pages, the OpenAPI document kept true, and POST /completions under
the import's rules."""
from datetime import date

import pytest
from jsonschema import Draft202012Validator

from tests.pages import EMAILS, PASSWORD, Web, make_token

ROWS = [{"person_id": "P1", "skill_code": "S1", "completed_on": "2025-03-15", "source": "mooc"},
        {"person_id": "P3", "skill_code": "S2", "completed_on": "01/06/2025", "source": "vneid", "reference": "x"}]


@pytest.fixture
def api(app, staff, campaign):
    tokens = {role: make_token(app, email)[1] for role, email in EMAILS.items()}
    client = app.test_client()

    def call(method, url, role=None, **kw):
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
        return client.open(url, method=method, headers=headers, **kw)

    call.tokens = tokens
    return call


def validate(app, path: str, method: str, response) -> None:
    """The response matches what the OpenAPI document says of it."""
    from api.openapi import document

    doc = document("http://localhost/api/v1")
    spec = doc["paths"][path][method]["responses"][str(response.status_code)]
    if "$ref" in spec:
        spec = doc["components"]["responses"][spec["$ref"].rsplit("/", 1)[-1]]
    schema = spec["content"]["application/json"]["schema"]
    Draft202012Validator({**schema, "components": doc["components"]}).validate(response.get_json())


def test_tokens_are_kept_hashed_and_revocable(app, api, probe):
    token = api.tokens["admin"]
    stored = probe.all("SELECT token_hash, hint FROM api_tokens")
    assert token not in repr(stored) and any(h == token[:10] for _, h in stored)
    assert api("GET", "/api/v1/campaigns", "admin").status_code == 200
    anonymous = api("GET", "/api/v1/campaigns")
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    validate(app, "/campaigns", "get", anonymous)
    # Revoked on the page: the token opens nothing any more.
    web = Web(app.test_client())
    web.login(EMAILS["admin"], PASSWORD)
    token_id = probe.scalar("SELECT id FROM api_tokens WHERE hint = :h", h=token[:10])
    assert web.post(f"/account/tokens/{token_id}/revoke").status_code == 303
    assert api("GET", "/api/v1/campaigns", "admin").status_code == 401
    assert probe.scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('token.create', 'token.revoke')") == 5


def test_a_session_cookie_opens_nothing_on_the_api(app, staff):
    web = Web(app.test_client())
    web.login(EMAILS["admin"], PASSWORD)
    assert web.get("/dashboard").status_code == 200
    assert web.get("/api/v1/campaigns").status_code == 401


def test_a_token_works_whatever_cookies_the_client_holds(app, staff, campaign):
    """A browser (or a script that opened a page first) sends its cookies along: the token
    decides alone, and the API neither reads nor sets a session cookie."""
    _, token = make_token(app, EMAILS["admin"])
    bearer = {"Authorization": f"Bearer {token}"}
    anonymous = app.test_client()
    assert anonymous.get("/badges/verify").status_code == 200  # a form: a session with a CSRF token
    assert anonymous.get_cookie("session") is not None
    r = anonymous.get("/api/v1/campaigns", headers=bearer)
    assert r.status_code == 200 and "Set-Cookie" not in r.headers
    signed_in = Web(app.test_client())
    signed_in.login(EMAILS["viewer"], PASSWORD)
    r = signed_in.client.get("/api/v1/people/P1", headers=bearer)
    assert r.status_code == 200 and "Set-Cookie" not in r.headers  # the admin's token, not the viewer's cookie
    assert signed_in.get("/dashboard").status_code == 200  # and the viewer's sign-in is untouched


def test_campaigns_and_a_person_within_scope(app, api, world):
    world.load("completions", [{"person_id": "P3", "skill_code": "S2", "completed_on": date(2025, 6, 1),
                                "source": "vneid"}])
    r = api("GET", "/api/v1/campaigns", "viewer")
    validate(app, "/campaigns", "get", r)
    assert [c["code"] for c in r.get_json()["campaigns"]] == ["bdhvs-2025"]
    p3 = api("GET", "/api/v1/people/P3?campaign=bdhvs-2025", "manager")  # P3 is in THCS, the manager's unit
    assert p3.status_code == 200
    validate(app, "/people/{external_id}", "get", p3)
    assert (p3.get_json()["universalized_on"], p3.get_json()["points"]) == ("2025-06-01", 20)
    outside = api("GET", "/api/v1/people/P1", "manager")  # P1 is above the manager's unit
    assert outside.status_code == 403
    validate(app, "/people/{external_id}", "get", outside)
    assert api("GET", "/api/v1/people/P1", "viewer").status_code == 403  # viewers see no one's records
    missing = api("GET", "/api/v1/people/NOPE", "admin")
    assert missing.status_code == 404
    validate(app, "/people/{external_id}", "get", missing)
    h1 = api("GET", "/api/v1/households/H1?campaign=bdhvs-2025", "admin")
    validate(app, "/households/{code}", "get", h1)


def test_a_published_board_paged_and_around_an_entry(app, api, world, runner):
    world.load("completions", [{"person_id": p, "skill_code": "S1", "completed_on": date(2025, 4, d),
                                "source": "mooc"} for p, d in (("P1", 1), ("P2", 2), ("P4", 3))])
    assert api("GET", "/api/v1/campaigns/bdhvs-2025/leaderboards/people", "viewer").status_code == 404
    runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025", "--as-of", "2025-12-31"])
    first = api("GET", "/api/v1/campaigns/bdhvs-2025/leaderboards/people?limit=2", "viewer")
    validate(app, "/campaigns/{code}/leaderboards/{board}", "get", first)
    body = first.get_json()
    assert [e["rank"] for e in body["entries"]] == [1, 2] and body["after"] and body["before"] is None
    assert "Nguyễn Văn An" not in first.get_data(as_text=True)  # names masked, as on the public pages
    second = api("GET", f"/api/v1/campaigns/bdhvs-2025/leaderboards/people?limit=2&after={body['after']}", "viewer")
    assert [e["rank"] for e in second.get_json()["entries"]] == [3, 4]
    around = api("GET", "/api/v1/campaigns/bdhvs-2025/leaderboards/households?around=H2", "viewer")
    validate(app, "/campaigns/{code}/leaderboards/{board}", "get", around)
    assert "H2" in [e["key"] for e in around.get_json()["entries"]]
    bad = api("GET", "/api/v1/campaigns/bdhvs-2025/leaderboards/people?limit=0", "viewer")
    assert bad.status_code == 400
    validate(app, "/campaigns/{code}/leaderboards/{board}", "get", bad)


def test_post_completions_follows_the_import_rules(app, api, probe):
    # Viewers may not; a malformed body is a clear 400.
    assert api("POST", "/api/v1/completions", "viewer", json={"rows": ROWS}).status_code == 403
    malformed = api("POST", "/api/v1/completions", "admin", json={"rows": "nope"})
    assert malformed.status_code == 400
    validate(app, "/completions", "post", malformed)
    # One bad row rejects them all: nothing written, every bad row named.
    before = probe.count("completions")
    bad = api("POST", "/api/v1/completions", "admin",
              json={"rows": ROWS + [{"person_id": "P2", "skill_code": "S1", "completed_on": "2025-02-31",
                                     "source": "mooc"}]})
    assert bad.status_code == 422
    validate(app, "/completions", "post", bad)
    assert bad.get_json()["errors"][0]["row"] == 2 and bad.get_json()["errors"][0]["field"] == "completed_on"
    assert probe.count("completions") == before
    # All good: imported; sent again: nothing changes.
    ok = api("POST", "/api/v1/completions", "admin", json={"rows": ROWS})
    assert ok.status_code == 200 and ok.get_json()["changed"] == 2
    validate(app, "/completions", "post", ok)
    again = api("POST", "/api/v1/completions", "admin", json={"rows": ROWS})
    assert again.get_json()["changed"] == 0 and probe.count("completions") == before + 2
    # A unit manager: rows of people outside their units are refused.
    scoped = api("POST", "/api/v1/completions", "manager", json={"rows": ROWS})
    assert scoped.status_code == 422 and scoped.get_json()["errors"][0]["row"] == 0


def test_the_openapi_document_describes_every_route(app):
    from api.openapi import document

    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc == document("http://localhost/api/v1")
    Draft202012Validator.check_schema({"$defs": doc["components"]["schemas"]})
    described = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule.removeprefix("/api/v1")
            for name in rule.arguments:
                path = path.replace(f"<{name}>", f"{{{name}}}")
            routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == described


def test_rate_limits(make_app, staff):
    """An account's API requests, and an address's look-ups of codes and badges, are capped
    a minute (429 with Retry-After beyond), each app counting apart."""
    app = make_app(create_schema=False, API_RATE_PER_MINUTE=3, LOOKUPS_PER_MINUTE=2)
    _, token = make_token(app, EMAILS["viewer"])
    client = app.test_client()
    answers = [client.get("/api/v1/campaigns", headers={"Authorization": f"Bearer {token}"}) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) >= 1 and answers[-1].get_json()["status"] == 429
    lookups = [client.get("/p?code=ABCD") for _ in range(3)]
    assert [r.status_code for r in lookups] == [404, 404, 429] and "Retry-After" in lookups[-1].headers


def test_a_body_over_the_limit_is_refused_before_it_is_read(app, api, probe):
    """A JSON body is parsed whole (a 99 MB one took a worker to 4.8 GB): over
    API_MAX_BODY_MB, 413 with a JSON error, and nothing is read or written."""
    import json

    app.config["API_MAX_BODY_MB"] = 1
    rows = [dict(ROWS[0], reference=f"r{i}-" + "x" * 90) for i in range(12_000)]  # about 1.5 MB, 12,000 rows
    body = json.dumps({"rows": rows})
    assert 2**20 < len(body)
    before = probe.count("completions")
    r = api("POST", "/api/v1/completions", "admin", data=body, content_type="application/json")
    assert r.status_code == 413 and r.is_json and "1 MB" in r.get_json()["error"]
    validate(app, "/completions", "post", r)
    assert probe.count("completions") == before
    # Under the limit, the same rows go through as before.
    app.config["API_MAX_BODY_MB"] = 10
    r = api("POST", "/api/v1/completions", "admin", json={"rows": rows[:2], "dry_run": True})
    assert r.status_code in (200, 422), r.get_json()


def test_error_bodies_are_in_the_ui_language(app, api):
    """The access check's 403 and 401 and routing's 404 say why in Vietnamese (English with
    ?lang=en), not Werkzeug's English text; an error's own description stays."""
    forbidden = api("GET", "/api/v1/people/P1", "viewer")
    assert forbidden.status_code == 403
    assert forbidden.get_json()["error"] == "Vai trò hoặc đơn vị của tài khoản không cho phép yêu cầu này."
    assert "permission" not in forbidden.get_data(as_text=True)
    assert "Authorization: Bearer" in app.test_client().get("/api/v1/campaigns").get_json()["error"]
    assert api("GET", "/api/v1/nothing-here", "admin").get_json()["error"] == "Không tìm thấy gì ở địa chỉ này."
    assert "NOPE" in api("GET", "/api/v1/campaigns/NOPE/leaderboards/people", "admin").get_json()["error"]
    english = api("GET", "/api/v1/people/P1?lang=en", "viewer").get_json()["error"]
    assert english == "Your account's role or unit does not allow this request."
