"""SQLite lets one connection write at a time. A request that must write while a long
import holds the lock (longer than SQLITE_BUSY_TIMEOUT_MS) gets a clear "busy, try again"
answer with Retry-After, nothing it did is kept, and it works once the import is done."""
import sqlite3

import pytest

from tests.web import Web, make_token


@pytest.fixture
def app(make_app, dialect):
    if dialect != "sqlite":
        pytest.skip("PostgreSQL has no single writer lock")
    return make_app(SQLITE_BUSY_TIMEOUT_MS=200)


@pytest.fixture
def import_in_progress(probe):
    """Another connection holding the write lock, as a long import does."""
    conn = sqlite3.connect(probe.sqlite_file(), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    yield conn
    conn.execute("ROLLBACK")
    conn.close()


def test_signing_in_while_an_import_holds_the_database(app, staff, probe, request):
    token = make_token(app, staff["admin"])[1]
    audits, completions = probe.count("audit_log"), probe.count("completions")
    lock = request.getfixturevalue("import_in_progress")
    web = Web(app.test_client())
    r = web.login(staff["viewer"])
    assert r.status_code == 503 and r.headers["Retry-After"] == "30"
    page = r.get_data(as_text=True)
    assert "Hệ thống đang bận" in page and "thử lại" in page
    assert web.get("/dashboard").status_code == 302  # not signed in
    api = app.test_client().post("/api/v1/completions", headers={"Authorization": f"Bearer {token}"},
                                 json={"rows": [{"person_id": "P1", "skill_code": "S1",
                                                 "completed_on": "2025-03-15", "source": "mooc"}]})
    assert api.status_code == 503 and api.headers["Retry-After"] == "30"
    assert api.get_json()["status"] == 503
    lock.execute("ROLLBACK")
    lock.execute("BEGIN")  # the fixture's teardown rolls back
    assert probe.count("audit_log") == audits  # neither the sign-in nor the import happened
    assert probe.count("completions") == completions
    assert web.login(staff["viewer"]).status_code == 302
    assert web.get("/dashboard").status_code == 200


def test_an_import_from_the_command_line_while_another_writes(app, world, files, probe, runner, request):
    request.getfixturevalue("import_in_progress")
    before = probe.count("completions")
    path = files.csv([{"person_id": "P1", "skill_code": "S1", "completed_on": "2025-03-15", "source": "mooc"}],
                     ["person_id", "skill_code", "completed_on", "source"])
    result = runner.invoke(args=["import", "completions", str(path)])
    assert result.exit_code == 1
    assert "Cơ sở dữ liệu đang bận" in result.output and "Traceback" not in result.output
    assert probe.count("completions") == before


def test_an_uploaded_import_while_another_writes(app, staff, probe, signed_in, request):
    """The upload's job fails cleanly and its page says why and what to do."""
    import io

    from accounts.models import User
    from emulation import import_jobs
    from extensions import db
    from tests import factories as f

    request.getfixturevalue("import_in_progress")
    before = probe.count("completions")
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.email == staff["admin"]))
        rows = [{"person_id": "P1", "skill_code": "S1", "completed_on": "2025-04-01", "source": "mooc"}]
        job = import_jobs.run_job(import_jobs.create_job(
            "completions", io.BytesIO(f.csv_bytes(rows)), "c.csv", user_id=admin.id, actor=admin.email,
            scope_path=None, dry_run=False, skip_invalid=False))
    assert (job.status, job.busy) == ("failed", True)
    assert probe.count("completions") == before
    request.getfixturevalue("import_in_progress").execute("ROLLBACK")
    request.getfixturevalue("import_in_progress").execute("BEGIN")
    page = signed_in("admin").get(f"/imports/{job.id}").get_data(as_text=True)
    assert "Cơ sở dữ liệu đang bận" in page and "gửi lại tệp" in page
