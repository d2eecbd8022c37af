"""SQLite lets one connection write at a time. A request that must write while a long
import holds the lock (longer than SQLITE_BUSY_TIMEOUT_MS) gets a clear "busy, try again"
answer with Retry-After, nothing it did is kept, and it works once the import is done."""
import sqlite3
from datetime import datetime, timezone

import pytest

from tests.pages import Web, make_token


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
    from emulation.imports import jobs as import_jobs
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


def test_a_writer_takes_its_turn_from_the_start(app, probe):
    """Imports, recomputes, awards, publications and sign-ins begin with BEGIN IMMEDIATE on
    SQLite: from then on no other writer gets in, so none can commit between their reads
    and their first write (which SQLite would then refuse at once, whatever the timeout)."""
    from extensions import db, for_writing, session_for_writing

    def another_writer_gets_in() -> bool:
        other = sqlite3.connect(probe.sqlite_file(), timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()

    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # a reading transaction: others may still write
        assert another_writer_gets_in()
        session_for_writing()
        assert not another_writer_gets_in()
        db.session.rollback()
        with for_writing(db.engine.connect()) as conn, conn.begin():
            assert not another_writer_gets_in()
        with db.engine.connect() as conn, conn.begin():
            conn.exec_driver_sql("SELECT 1")
            assert another_writer_gets_in()


def test_a_sign_in_during_an_import_does_not_spoil_it(app, staff, world, files, probe):
    """A sign-in while an import is being written waits its turn, is told to try again,
    and the import goes through whole."""
    from emulation.imports.importers import run_import

    rows = [{"person_id": p, "skill_code": s, "completed_on": "2025-04-01", "source": "mooc"}
            for p in ("P1", "P2", "P3", "P4") for s in ("S1", "S2", "S3")]
    path = files.csv(rows, ["person_id", "skill_code", "completed_on", "source"])
    answers = []

    def progress(done, total):
        if not answers:  # while the import is under way
            answers.append(Web(app.test_client()).login(staff["viewer"]).status_code)

    with app.app_context():
        report = run_import("completions", path, actor="test", progress=progress)
    assert report.ok and report.committed, report.summary()
    assert answers == [503]  # the sign-in waited its turn (200 ms here), then was told to try again
    assert probe.count("completions") == len(rows)


def test_the_dashboard_does_not_wait_for_an_imports_scores(app, staff, campaign, world, signed_in, request):
    """Scores out of date because an import has just committed (its process is scoring),
    or because another process holds the database: the dashboard shows the stored figures
    at once and says so, instead of recomputing them in the request (or waiting, then
    failing). Later, it brings them up to date itself."""
    from datetime import timedelta

    from emulation.models import ImportBatch
    from extensions import db

    page = signed_in("admin")
    first = page.get("/dashboard")
    assert first.status_code == 200 and "đang được cập nhật" not in first.get_data(as_text=True)

    def newer_import(finished_at):
        with app.app_context():
            db.session.add(ImportBatch(kind="completions", file_name="x.csv", sha256="0" * 64, actor="test",
                                       started_at=finished_at, finished_at=finished_at, rows_in=0,
                                       rows_accepted=0, rows_rejected=0, rows_changed=0, skip_invalid=False))
            db.session.commit()

    now = datetime.now(timezone.utc)
    newer_import(now)  # just committed: its process is scoring
    assert "đang được cập nhật" in page.get("/dashboard").get_data(as_text=True)
    newer_import(now - timedelta(minutes=20))  # long done, but another process holds the database
    lock = request.getfixturevalue("import_in_progress")
    r = page.get("/dashboard")
    assert r.status_code == 200 and "đang được cập nhật" in r.get_data(as_text=True)
    lock.execute("ROLLBACK")
    lock.execute("BEGIN")
    assert "đang được cập nhật" not in page.get("/dashboard").get_data(as_text=True)  # recomputed now
