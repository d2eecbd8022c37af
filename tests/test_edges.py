"""The edges of the app (issue 13): absolute URLs from SITE_URL, never from a request's Host;
security headers on every response; parameters checked at the edge (4xx, never 5xx);
paths built from data stay in their folders; reads never fail on their audit note."""
import re
from datetime import date

import pytest

from .pages import Web
from .routes import ANONYMOUS, ROLES, SAMPLES
from .test_access import access_world  # noqa: F401  (the fixture)

SITE = "https://thiduaso.laichau.gov.vn"


# ----------------------------------------------------------------------------- 3: Host headers

def _publish(app):
    from emulation.campaigns import load_campaign
    from emulation.models import Campaign
    from extensions import db
    from leaderboards.publishing import publish

    from .conftest import ROOT

    with app.app_context():
        load_campaign((ROOT / "campaigns" / "bdhvs-2025.toml").read_text(encoding="utf-8"), actor="test")
        publish(db.session.scalar(db.select(Campaign).where(Campaign.code == "bdhvs-2025")), date(2025, 12, 31),
                actor="test")


def test_the_cached_board_never_carries_a_visitors_host(make_app, tmp_path):
    from .conftest import Files, Imports

    app = make_app(SITE_URL=SITE)
    from app import warm_up

    Imports(app, Files(tmp_path)).seed()
    _publish(app)
    warm_up(app)  # as gunicorn's master does: the front pages are drawn and cached before any visitor
    client = app.test_client()
    evil = client.get("/leaderboards?board=people", headers={"Host": "evil.example",
                                                             "X-Forwarded-Host": "evil.example"})
    plain = client.get("/leaderboards?board=people")
    front = client.get("/leaderboards", headers={"Host": "evil.example"})  # drawn by the warm-up
    for page in (evil.get_data(as_text=True), plain.get_data(as_text=True), front.get_data(as_text=True)):
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
    from web.headers import PERMISSIONS_POLICY

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


# ----------------------------------------------------------------------------- 10: 4xx, not 5xx

HUGE = "99999999999999999999"


@pytest.fixture
def hostile_world(app, access_world, signed_in):  # noqa: F811
    from emulation.models import Campaign
    from extensions import db
    from leaderboards.publishing import publish

    with app.app_context():
        publish(db.session.scalar(db.select(Campaign).where(Campaign.code == "bdhvs-2025")), date(2025, 12, 31),
                actor="test")
    return access_world


@pytest.mark.parametrize("url", [
    f"/leaderboards?board=people&after={HUGE}:P1", f"/leaderboards?board=people&before={HUGE}:P1",
    f"/leaderboards?board=households&after=-1:H1", f"/units/THCS?page={HUGE}", f"/units/THCS?hpage={HUGE}", f"/units/THCS?ppage={HUGE}",
    "/units/THCS?page=-5", f"/admin/audit?page={HUGE}", "/admin/audit?page=" + "9" * 5000,
    "/reports/bdhvs-2025/0000.xlsx", "/reports/bdhvs-2025/9999-Q4.xlsx", "/reports/bdhvs-2025/1900.pdf",
    f"/nominees/{HUGE}", f"/nominees/{HUGE}.csv", f"/imports/{{job}}?page={HUGE}",
])
def test_hostile_parameters_of_pages_are_4xx(app, hostile_world, signed_in, url):
    r = signed_in("admin").get(url.format(**hostile_world))
    assert 400 <= r.status_code < 500, (url, r.status_code)


@pytest.mark.parametrize("query", [f"after={HUGE}:P1", f"before={HUGE}:P1", "after=0:P1", f"limit={HUGE}",
                                   "limit=" + "9" * 5000])
def test_hostile_cursors_of_the_api_are_400(app, hostile_world, query):
    token = hostile_world["tokens"]["admin"]
    r = app.test_client().get(f"/api/v1/campaigns/bdhvs-2025/leaderboards/people?{query}",
                              headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 400 and r.is_json


def test_deeply_nested_json_to_the_api_is_400(app, hostile_world):
    token = hostile_world["tokens"]["admin"]
    body = '{"rows": ' + "[" * 5000 + "]" * 5000 + "}"
    r = app.test_client().post("/api/v1/completions", data=body, content_type="application/json",
                               headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 400 and r.is_json


def _png_with_chunk(text: bytes, compressed: int) -> bytes:
    import io
    import struct
    import zlib

    from PIL import Image

    plain = io.BytesIO()
    Image.new("RGB", (4, 4)).save(plain, format="PNG")
    data = plain.getvalue()
    payload = b"openbadges\0" + bytes([compressed, 0]) + b"\0\0" + text
    chunk = struct.pack(">I", len(payload)) + b"iTXt" + payload + struct.pack(">I", zlib.crc32(b"iTXt" + payload))
    return data[:33] + chunk + data[33:]  # after the IHDR chunk


def _bomb() -> bytes:
    import zlib

    squeeze = zlib.compressobj(9)
    out = [squeeze.compress(b"\0" * 2**20) for _ in range(50)]
    return b"".join(out) + squeeze.flush()


@pytest.mark.parametrize("chunk, compressed", [
    (b"\xff\xfe\x80 not utf-8", 0),  # invalid UTF-8
    (b'{"id": "x"}', 1),  # flagged compressed, but plain text
    (None, 1),  # a 50 MB zlib string (the bomb)
    (b"[" * 200_000, 0),  # nested brackets
    (b'{"id": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", 0),
])
def test_a_hostile_badge_png_is_a_clear_400(app, chunk, compressed):
    import io

    web = Web(app.test_client())
    png = _png_with_chunk(_bomb() if chunk is None else chunk, compressed)
    r = web.post("/badges/verify", {"file": (io.BytesIO(png), "badge.png")})
    assert r.status_code == 400 and 'role="alert"' in r.get_data(as_text=True)


def test_reading_a_baked_badge_never_inflates_more_than_its_bound():
    from badges.images import MAX_BAKED, UnreadableBadge, read_baked

    with pytest.raises(UnreadableBadge):
        read_baked(_png_with_chunk(_bomb(), 1))
    assert MAX_BAKED <= 2**20


def test_a_campaign_file_nested_40000_deep_is_refused_clearly(app, signed_in, staff):
    from emulation.campaigns import CampaignError, parse_campaign

    toml = 'code = "x"\nname = "x"\nx = ' + "[" * 40_000 + "]" * 40_000 + "\n"
    with app.app_context(), pytest.raises(CampaignError) as caught:
        parse_campaign(toml)
    assert "TOML" in str(caught.value)
    r = signed_in("admin").post("/campaigns", {"toml": toml})
    assert r.status_code == 400


# ----------------------------------------------------------------------------- 21: paths from data

@pytest.mark.parametrize("code", ["../../../../tmp/x", "BDHVS-2025", "a/b", "bdhvs 2025", "..", "a.b", "x" * 33,
                                  "bdhvs-2025\n", "bđhvs"])
def test_a_campaign_code_is_lower_case_letters_digits_and_hyphens(app, code):
    from emulation.campaigns import CampaignError, parse_campaign

    toml = (f'code = "{code}"\n'.replace("\n\"", '\\n"') + 'name = "Thử"\nstarts_on = 2025-03-01\nends_on = '
            '2025-12-31\ngroups = ["cadre"]\n[targets]\ncadre = 0.8\n')
    with app.app_context(), pytest.raises(CampaignError) as caught:
        parse_campaign(toml)
    assert any("lower-case letters a-z" in m.msgid for m in caught.value.messages)


def test_the_shipped_campaigns_and_the_demo_codes_load(app):
    from emulation.campaigns import parse_campaign

    from .conftest import ROOT

    with app.app_context():
        for path in sorted((ROOT / "campaigns").glob("*.toml")):
            assert parse_campaign(path.read_text(encoding="utf-8"))["code"] == path.stem


def test_safe_path_keeps_every_path_in_its_folder(tmp_path):
    from web.storage import UnsafePath, safe_path

    base = tmp_path / "reports"
    assert safe_path(base, "bdhvs-2025", "2025-Q2.xlsx") == (base / "bdhvs-2025" / "2025-Q2.xlsx").resolve()
    (tmp_path / "elsewhere").mkdir()
    base.mkdir()
    (base / "link").symlink_to(tmp_path / "elsewhere")
    for parts in (("../../../../tmp/x",), ("..",), ("/etc/passwd",), ("a", "../../b"), ("link", "x"), ("a\0b",),
                  ("",)):
        with pytest.raises(UnsafePath):
            safe_path(base, *parts)


def test_a_stored_campaign_code_with_a_traversal_writes_nothing_outside_reports_dir(app, tmp_path, campaign):
    """A row written before codes were checked (or by hand): the scheduler's report path
    is refused, nothing lands outside REPORTS_DIR."""
    import sqlalchemy as sa

    from emulation.commendation.report_files import write_ended_periods
    from emulation.models import Campaign
    from extensions import db
    from web.storage import UnsafePath

    outside = tmp_path / "escaped"  # REPORTS_DIR is tmp_path / "reports" (tests/conftest.py)
    code = "../escaped"
    with app.app_context():
        db.session.execute(sa.update(Campaign).values(code=code))
        db.session.commit()
        c = db.session.scalar(sa.select(Campaign))
        with pytest.raises(UnsafePath):
            write_ended_periods(c, date(2025, 6, 30))
    assert not outside.exists()


@pytest.mark.parametrize("job_id", ["..", "../..", "a/../../x", "%2e%2e"])
def test_an_import_job_id_never_leaves_the_jobs_folder(app, job_id):
    from emulation.imports.jobs import load_job

    with app.app_context():
        assert load_job(job_id) is None


# ----------------------------------------------------------------------------- 11: reads and their audit notes

def test_concurrent_downloads_all_succeed_and_are_all_audited(app, staff, campaign, signed_in, probe):
    """Many Home Affairs downloads of a nominee list at once, on a real database file (and
    on PostgreSQL): every one is served and every one is in the audit log."""
    import threading

    from .pages import nominee_list

    list_id = nominee_list(app)["nominees"]
    threads_n, each = 12, 3
    webs = [signed_in("home_affairs") for _ in range(threads_n)]
    before = probe.scalar("SELECT count(*) FROM audit_log WHERE action = 'nominees.download'")
    start = threading.Barrier(threads_n)
    codes, lock = [], threading.Lock()

    def download(web):
        start.wait()
        for i in range(each):
            r = web.get(f"/nominees/{list_id}.{('csv', 'xlsx', 'csv')[i]}")
            with lock:
                codes.append(r.status_code)

    workers = [threading.Thread(target=download, args=(w,)) for w in webs]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert codes == [200] * (threads_n * each)
    after = probe.scalar("SELECT count(*) FROM audit_log WHERE action = 'nominees.download'")
    assert after - before == threads_n * each


def test_a_download_while_an_import_holds_the_database_is_served_and_audited_later(make_app, dialect, staff,
                                                                                   campaign, probe, monkeypatch):
    """SQLite: another writer holds the lock past every attempt of the request; the download is
    served all the same, and its note is written once the lock is released."""
    import sqlite3
    import time

    from accounts import audit

    from .pages import nominee_list

    if dialect != "sqlite":
        pytest.skip("PostgreSQL has no single writer lock")
    app = make_app(create_schema=False, SQLITE_BUSY_TIMEOUT_MS=50)
    monkeypatch.setattr(audit, "LATER_PAUSE_MAX", 0.2)
    list_id = nominee_list(app)["nominees"]
    from .pages import Web

    web = Web(app.test_client())
    assert web.login(staff["home_affairs"]).status_code == 302
    lock = sqlite3.connect(probe.sqlite_file(), isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        r = web.get(f"/nominees/{list_id}.csv")
        assert r.status_code == 200 and r.data
        assert probe.scalar("SELECT count(*) FROM audit_log WHERE action = 'nominees.download'") == 0
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    for _ in range(200):  # the thread's next attempt (spaced at most 0.2 s here) writes it
        if probe.scalar("SELECT count(*) FROM audit_log WHERE action = 'nominees.download'") == 1:
            break
        time.sleep(0.05)
    assert probe.scalar("SELECT count(*) FROM audit_log WHERE action = 'nominees.download'") == 1


def test_creating_an_account_without_a_role_is_a_form_error(signed_in):
    """Found by tests/test_hostile_params.py: the role's own check raised a plain ValueError."""
    r = signed_in("admin").post("/admin/users", {"email": "new@laichau.test"})
    assert r.status_code == 200
    assert "Vai trò không hợp lệ" in r.get_data(as_text=True) or "Not a valid choice" in r.get_data(as_text=True) \
        or "Lựa chọn không hợp lệ" in r.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/campaigns/1:%00", "/leaderboards?campaign=%00", "/units/%00", "/p/%00",
                                 "/badges/verify?id=%00"])
def test_a_nul_anywhere_in_the_url_is_400_on_every_database(app, hostile_world, signed_in, url):
    """Found by tests/test_hostile_params.py on PostgreSQL, which refuses NUL in text."""
    assert signed_in("admin").get(url).status_code == 400
    assert signed_in("admin").post("/campaigns", {"toml": "code = \"a\0b\""}).status_code == 400


@pytest.mark.parametrize("value", ["\\u0000", "\\ud800", "P1\\udfff"])
def test_json_with_a_nul_or_a_lone_surrogate_is_400(app, hostile_world, value):
    token = hostile_world["tokens"]["admin"]
    body = '{"rows": [{"person_id": "%s", "skill_code": "S1", "completed_on": "2025-04-01", "source": "mooc"}]}' % value
    r = app.test_client().post("/api/v1/completions", data=body, content_type="application/json",
                               headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 400 and r.is_json
