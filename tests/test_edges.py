"""The edges of the app (issue 13): absolute URLs from SITE_URL, never from a request's Host;
security headers on every response; parameters checked at the edge (4xx, never 5xx);
paths built from data stay in their folders; reads never fail on their audit note."""
import re
from datetime import date

import pytest

from tests.routes import ANONYMOUS, ROLES, SAMPLES
from tests.test_access import access_world  # noqa: F401  (the fixture)
from tests.web import Web

SITE = "https://thiduaso.laichau.gov.vn"


# ----------------------------------------------------------------------------- 3: Host headers

def _publish(app):
    from emulation.campaigns import load_campaign
    from emulation.models import Campaign
    from extensions import db
    from leaderboards.publishing import publish
    from tests.conftest import ROOT

    with app.app_context():
        load_campaign((ROOT / "campaigns" / "bdhvs-2025.toml").read_text(encoding="utf-8"), actor="test")
        publish(db.session.scalar(db.select(Campaign).where(Campaign.code == "bdhvs-2025")), date(2025, 12, 31),
                actor="test")


def test_the_cached_board_never_carries_a_visitors_host(make_app, tmp_path):
    from tests.conftest import Files, Imports

    app = make_app(SITE_URL=SITE)
    Imports(app, Files(tmp_path)).seed()
    _publish(app)
    client = app.test_client()
    evil = client.get("/leaderboards?board=people", headers={"Host": "evil.example",
                                                             "X-Forwarded-Host": "evil.example"})
    plain = client.get("/leaderboards?board=people")
    for page in (evil.get_data(as_text=True), plain.get_data(as_text=True)):
        og = re.search(r'property="og:image" content="([^"]+)"', page).group(1)
        assert og.startswith(SITE + "/leaderboards/share.png?"), og
        assert "evil.example" not in page


def test_open_badges_documents_name_the_configured_site_whatever_the_host(make_app):
    app = make_app(SITE_URL=SITE, TRUST_PROXY=True)
    client = app.test_client()
    docs = [client.get("/badges/issuer", headers=h).get_json(force=True) for h in (
        {"Host": "evil.example"}, {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}, {})]
    assert docs[0] == docs[1] == docs[2]
    assert docs[0]["id"] == SITE + "/badges/issuer" and docs[0]["url"] == SITE + "/"
    assert docs[0]["email"] == "no-reply@thiduaso.laichau.gov.vn"
    api = [client.get("/api/v1/openapi.json", headers={"Host": h}).get_json() for h in ("evil.example", "localhost")]
    assert api[0] == api[1] and api[0]["servers"][0]["url"] == SITE + "/api/v1"


def test_x_forwarded_host_is_trusted_only_when_configured(make_app):
    from flask import request

    seen = {}
    for trusted in (False, True):
        app = make_app(create_schema=not trusted, TRUST_PROXY=True, TRUST_PROXY_HOST=trusted)

        @app.get("/host-probe")
        def probe():
            seen[trusted] = request.host
            return ""

        from accounts.access import public
        public(probe)
        app.test_client().get("/host-probe", headers={"X-Forwarded-Host": "proxy.example"})
    assert seen == {False: "localhost", True: "proxy.example"}


def test_the_default_site_url_is_fixed_not_taken_from_the_request(tmp_path, monkeypatch):
    from config import load_config

    monkeypatch.delenv("SITE_URL", raising=False)
    assert load_config(tmp_path)["SITE_URL"] == "http://127.0.0.1:5000"


# ----------------------------------------------------------------------------- 22: headers

def test_every_response_carries_permissions_policy_and_coop(app, access_world, signed_in):  # noqa: F811
    from web import PERMISSIONS_POLICY

    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in PERMISSIONS_POLICY
    clients = {ANONYMOUS: Web(app.test_client()), **{r: signed_in(r) for r in ROLES}}
    bearer = {r: {"Authorization": f"Bearer {t}"} for r, t in access_world["tokens"].items()}
    missing = []
    for who, web in clients.items():
        for s in [s for s in SAMPLES if s.endpoint != "accounts.logout"]:
            url = s.url.format(**access_world)
            if s.api:
                r = app.test_client().open(url, method=s.method, headers=bearer.get(who, {}), json=s.data)
            else:
                r = web.get(url) if s.method == "GET" else web.post(url, s.data)
            if (r.headers.get("Permissions-Policy") != PERMISSIONS_POLICY
                    or r.headers.get("Cross-Origin-Opener-Policy") != "same-origin"):
                missing.append(f"{who} {s.method} {url} {r.status_code}")
    for extra in ("/no-such-page", "/static/app.css", "/api/v1/nothing"):
        r = app.test_client().get(extra)
        if "Permissions-Policy" not in r.headers or "Cross-Origin-Opener-Policy" not in r.headers:
            missing.append(extra)
    assert missing == []
