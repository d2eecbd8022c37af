"""Import jobs on disk (issue 13, items 7, 14, 17, 18): jobs are listed without reading
their reports, uploads are deleted once no longer needed, every file is private, a long
workbook keeps its heartbeat while a dead job is seen as dead, and download names are
quoted by Werkzeug."""
import json
import stat
import subprocess
import sys
import threading
import time

from werkzeug.http import parse_options_header

from tests import factories as f

from tests.emulation.test_pages import follow, upload


class _Paths:
    def __init__(self, job):
        self.job, self.folder, self.upload_path = job, job.folder, job.upload_path
        self.stale = job.stale


def _job(app, location: str) -> _Paths:
    from emulation.imports import jobs as import_jobs

    with app.app_context():
        return _Paths(import_jobs.load_job(location.rsplit("/", 1)[1]))


def test_the_list_of_jobs_reads_no_report(signed_in, app):
    web = signed_in("admin")
    r = upload(web, "households", f.NEW["households"], name="lan-1.csv")
    follow(web, r)
    job = _job(app, r.headers["Location"])
    # A report can be large; the list reads the small summary beside it, never the report.
    (job.folder / "job.json").write_text("{not json, and huge" + " " * 1000)
    page = web.get("/imports").get_data(as_text=True)
    assert "lan-1.csv" in page


def test_every_file_of_a_job_is_private(signed_in, app):
    web = signed_in("admin")
    rows = f.NEW["households"][:1] + [{"code": "H9", "unit_code": "NOPE", "head_name": "X"}]
    r = upload(web, "households", rows, dry_run=True)
    follow(web, r)
    job = _job(app, r.headers["Location"])
    assert stat.S_IMODE(job.folder.stat().st_mode) == 0o700
    files = list(job.folder.iterdir())
    assert {p.name for p in files} >= {"job.json", "summary.json"}
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name


def test_a_checked_file_is_deleted_after_its_hours(signed_in, app):
    web = signed_in("admin")
    r = upload(web, "households", f.NEW["households"], dry_run=True)
    page = follow(web, r).get_data(as_text=True)
    job = _job(app, r.headers["Location"])
    assert job.upload_path.exists() and "Nhập tệp này ngay" in page  # kept to be imported as checked
    app.config["IMPORT_CHECKED_FILE_HOURS"] = 0
    web.get("/imports")
    assert not job.upload_path.exists()
    assert "Nhập tệp này ngay" not in web.get(r.headers["Location"]).get_data(as_text=True)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _running_job(app, **changes):
    """A job that a process started and left running (its upload still there)."""
    import io

    from emulation.imports import jobs as import_jobs

    with app.app_context():
        job = import_jobs.create_job("households", io.BytesIO(f.csv_bytes(f.NEW["households"])), "h.csv",
                                     user_id=1, actor="admin@laichau.test", scope_path=None, dry_run=False,
                                     skip_invalid=False)
        job.status, job.heartbeat = "running", import_jobs._now()
        for k, v in changes.items():
            setattr(job, k, v)
        job.save()
        return _Paths(import_jobs.load_job(job.id))


def test_a_job_whose_process_is_gone_is_interrupted_and_its_upload_deleted(app):
    from emulation.imports import jobs as import_jobs

    job = _running_job(app, pid=_dead_pid())
    with app.app_context():
        assert job.stale  # its heartbeat is fresh, but nobody runs it any more
        import_jobs.recent_jobs(None)
    assert not job.upload_path.exists()


def test_a_job_of_a_live_process_with_a_fresh_heartbeat_runs_on(app):
    import os

    job = _running_job(app, pid=os.getpid())
    with app.app_context():
        assert not job.stale
    assert job.upload_path.exists()


def test_the_heartbeat_goes_on_while_a_workbook_is_opened(app, monkeypatch):
    """Opening a workbook reports no progress (openpyxl reads its shared strings first): the
    job's heartbeat must still move, or the job is shown interrupted while it runs."""
    import io

    from emulation.imports import jobs as import_jobs
    from emulation.imports.importers import ImportReport

    monkeypatch.setattr(import_jobs, "HEARTBEAT_EVERY", 0.01)
    seen = []

    def slow_open(kind, path, **kw):
        first = json.loads((path.parent / "summary.json").read_text())["heartbeat"]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if json.loads((path.parent / "summary.json").read_text())["heartbeat"] != first:
                seen.append(True)
                break
            time.sleep(0.01)
        return ImportReport(kind, kw["file_name"], rows_in=1, rows_accepted=1)

    monkeypatch.setattr(import_jobs, "run_import", slow_open)
    with app.app_context():
        job = import_jobs.create_job("households", io.BytesIO(b"code\nH1\n"), "h.xlsx", user_id=1, actor="a",
                                     scope_path=None, dry_run=True, skip_invalid=False)
        done = import_jobs.run_job(job)
    assert seen and done.status == "done"
    assert not [t for t in threading.enumerate() if t.name.startswith("heartbeat-")]


def test_a_hostile_upload_name_cannot_inject_download_headers(signed_in, app):
    web = signed_in("admin")
    name = 'a"; filename=evil.exe; x=".csv'
    rows = f.NEW["households"][:1] + [{"code": "H9", "unit_code": "NOPE", "head_name": "X"}]
    r = upload(web, "households", rows, name="h.csv", skip_invalid=True)
    follow(web, r)
    # The name as a client can send it (browsers escape quotes in a form; other clients need not).
    job = _job(app, r.headers["Location"]).job
    job.file_name = name
    with app.app_context():
        job.save()
    for what in ("report.csv", "rejects.csv"):
        response = web.get(f"{r.headers['Location']}/{what}")
        assert response.status_code == 200
        kind, options = parse_options_header(response.headers["Content-Disposition"])
        assert kind == "attachment" and set(options) <= {"filename", "filename*"}, options
        assert options["filename"] == name.rsplit(".", 1)[0] + "." + what, options
