"""What the security review of issue 13 tried and found sound, kept by a test each.

Route access for every role (tests/test_access.py), no open redirect after signing in
(tests/accounts/test_accounts.py::test_sign_in_goes_on_only_to_this_site), the strict CSP
(::test_security_headers), masked public names (tests/leaderboards/test_public.py) and no
national id in the database (tests/emulation/imports/test_import_writes.py::
test_national_ids_are_never_stored_in_clear) have their tests beside the code they guard;
this file holds the rest: CSRF on every form, escaping, data that looks like SQL, XML
external entities in workbooks, and an import killed with SIGKILL.
"""
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from . import factories as f
from .pages import Web
from .routes import ANONYMOUS, SAMPLES
from .test_access import access_world  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parent.parent


# ----------------------------------------------------------------------------- CSRF

def _form_posts():
    """Every POST of the pages (the API takes bearer tokens, never cookies)."""
    return [s for s in SAMPLES if s.method == "POST" and not s.api]


def test_every_form_of_the_app_refuses_a_post_without_its_csrf_token(app, access_world, signed_in, probe):
    posts = _form_posts()
    assert len(posts) >= 15  # every form of tests/routes.py, not a handful
    tables = ("users", "api_tokens", "nominee_lists", "nominee_entries", "nominee_changes", "campaigns", "import_batches")
    not_sign_ins = "SELECT count(*) FROM audit_log WHERE action NOT LIKE 'user.sign_in%'"
    before = {t: probe.count(t) for t in tables}, probe.scalar(not_sign_ins)
    refused = []
    for s in posts:
        allowed = sorted(s.allowed - {ANONYMOUS})
        who = "admin" if "admin" in allowed else allowed[0] if allowed else ANONYMOUS
        # Signing in writes its own audit note; that is done before the forged posts.
        client = signed_in(who).client if who != ANONYMOUS else app.test_client()
        url = s.url.format(**access_world)
        r = client.post(url, data=dict(s.data or {}))  # no csrf_token
        refused.append((s.endpoint, r.status_code))
        r = client.post(url, data={**(s.data or {}), "csrf_token": "forged"})
        refused.append((s.endpoint, r.status_code))
    assert [x for x in refused if x[1] != 400] == []
    assert ({t: probe.count(t) for t in tables}, probe.scalar(not_sign_ins)) == before


# ----------------------------------------------------------------------------- escaping and SQL-looking data

SCRIPT = "<script>alert('x')</script>"
QUOTES = "O'Brien \"; DROP TABLE people; --"


def test_names_from_files_are_shown_as_text_never_as_markup(world, signed_in, probe, runner, campaign):
    world.load("units", [{"code": "XSS", "name": f"Bản {SCRIPT}", "kind": "village", "parent_code": "TP"}])
    world.load("people", [{"external_id": "PX", "full_name": f"Lò {SCRIPT}", "group": "citizen",
                           "unit_code": "XSS", "position": f"<b onmouseover=alert(1)>{QUOTES}"}])
    admin = signed_in("admin")
    for url in ("/units/XSS", "/people/PX", "/units/TP"):
        page = admin.get(url).get_data(as_text=True)
        assert SCRIPT not in page and "<b onmouseover" not in page, url
    assert "&lt;script&gt;" in admin.get("/people/PX").get_data(as_text=True)
    # The public boards name the unit of every entry: published, then read as a visitor.
    assert runner.invoke(args=["leaderboard", "publish", "--campaign", campaign, "--as-of", "2025-10-01"]).exit_code == 0
    page = Web(admin.client.application.test_client()).get("/leaderboards?board=people").get_data(as_text=True)
    assert "&lt;script&gt;" in page and SCRIPT not in page


def test_text_that_looks_like_sql_is_stored_and_searched_as_data(world, signed_in, probe):
    world.load("people", [{"external_id": "PQ", "full_name": QUOTES, "group": "citizen", "unit_code": "BL"}])
    assert probe.scalar("SELECT full_name FROM people WHERE external_id = 'PQ'") == QUOTES
    assert probe.count("people") == len(f.SEED_PEOPLE) + 1
    admin = signed_in("admin")
    for q in ("' OR '1'='1", "%", "_", "\\", "'; DROP TABLE people; --"):
        r = admin.get("/units/BL", query_string={"q": q})
        assert r.status_code in (200, 400), q
        found = r.get_data(as_text=True).split('id="find"', 1)[-1].split('id="headcounts"', 1)[0]  # the results
        # No pattern or clause of the query matches everyone: nobody of the village is found.
        assert "Lò Thị Bình" not in found and "Tẩn Văn Dũng" not in found, q
        r = admin.client.get("/leaderboards", query_string={"board": "households", "find": q})
        assert r.status_code in (200, 400), q
    page = admin.get("/units/BL", query_string={"q": "O'Brien"}).get_data(as_text=True)
    assert "O&#39;Brien" in page or "O&#x27;Brien" in page
    assert probe.count("people") == len(f.SEED_PEOPLE) + 1


# ----------------------------------------------------------------------------- XML external entities

def _with_entities(xlsx: Path, secret: Path) -> bytes:
    """The workbook with its first sheet declaring an external entity (the secret file)
    and a nested one (billion laughs), and using both in a cell."""
    out = io.BytesIO()
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                doctype = (f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{secret}">'
                           '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
                assert "Bản Ent" in text
                data = (doctype + text.replace("Bản Ent", "Bản &xxe;&c;", 1)).encode("utf-8")
            dst.writestr(item, data)
    return out.getvalue()


def test_a_workbook_with_xml_entities_is_refused_and_reads_no_file(world, files, probe, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    plain = files.xlsx([{"code": "ENT", "name": "Bản Ent", "kind": "village", "parent_code": "TP"}])
    hostile = tmp_path / "entities.xlsx"
    hostile.write_bytes(_with_entities(plain, secret))
    assert b"<!ENTITY xxe" in zipfile.ZipFile(hostile).read("xl/worksheets/sheet1.xml")
    before = probe.snapshot()
    report = world.run("units", hostile)
    assert not report.ok and report.file_error is not None
    assert "TOP-SECRET" not in report.file_error.render()
    assert probe.snapshot() == before
    assert "TOP-SECRET" not in probe.text()


# ----------------------------------------------------------------------------- SIGKILL

def _completions_file(path: Path, people: int, skills: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write("person_id,skill_code,completed_on,source\n")
        for p in range(people):
            for s in range(skills):
                out.write(f"K{p:06d},KS{s:02d},2025-{1 + (p + s) % 9:02d}-{1 + s % 28:02d},mooc\n")
    return path


def test_an_import_killed_halfway_leaves_nothing_and_runs_again(tmp_path):
    """``flask import`` in its own process, killed with SIGKILL once its writes reach the
    write-ahead log: nothing of it is kept, the database is sound, and the same command
    then imports every row."""
    db_file = tmp_path / "killed.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_file}", "SECRET_KEY": "t", "NATIONAL_ID_KEY": "t",
           "IMPORT_CHUNK_ROWS": "2000",
           # A small page cache spills the open transaction into the WAL: the kill then lands
           # while rows are being written, before the commit.
           "SQLITE_CACHE_MB": "1"}
    env.pop("TEST_DATABASE_URL", None)

    def flask(*args, **kw):
        return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, **kw)

    assert flask("db", "upgrade").returncode == 0
    people = 4000
    files = {
        "units": f.write_csv(tmp_path / "u.csv", [{"code": "K", "name": "Xã K", "kind": "commune"}]),
        "people": f.write_csv(tmp_path / "p.csv", [{"external_id": f"K{p:06d}", "full_name": "Lò Văn A",
                                                     "group": "citizen", "unit_code": "K"} for p in range(people)]),
        "skills": f.write_csv(tmp_path / "s.csv", [{"code": f"KS{s:02d}", "name": f"Kỹ năng {s}", "domain": "d",
                                                     "level": 1, "points": 1} for s in range(40)]),
    }
    for kind, path in files.items():
        assert flask("import", kind, str(path)).returncode == 0, kind
    big = _completions_file(tmp_path / "c.csv", people, 40)  # 160,000 rows

    wal = db_file.with_name(db_file.name + "-wal")
    wal_before = wal.stat().st_size if wal.exists() else 0
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "import", "completions", str(big)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > wal_before + 256 * 1024:  # its rows are being written
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the import ended before it could be killed: make the file larger"
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL

    conn = sqlite3.connect(db_file)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM completions").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM import_batches WHERE kind = 'completions'").fetchone() == (0,)
    finally:
        conn.close()
    done = flask("import", "completions", str(big))
    assert done.returncode == 0, done.stderr[-2000:]
    conn = sqlite3.connect(db_file)
    try:
        assert conn.execute("SELECT count(*) FROM completions").fetchone() == (people * 40,)
    finally:
        conn.close()
