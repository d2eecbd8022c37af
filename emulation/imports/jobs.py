"""Imports started from the web: the upload is kept on disk and imported in a background
thread, so a large file neither times out the request nor leaves the person without
news; the page shows the progress and, at the end, the full report.

A job is a folder under ``instance/imports/<id>/``: the uploaded file, ``job.json``
(what was asked, the progress, the report) and ``summary.json`` (the same without the
report, which is what the list of jobs reads). Files, not a table: while an import runs
on SQLite the database is locked for writing, and the progress must still be recorded;
any web process on the machine can read it. The id is random (the folder holds personal
data), the folder and its files are readable by the server's user only (0700/0600), and
the upload is deleted as soon as it is no longer needed: at the end of an import, or
``IMPORT_CHECKED_FILE_HOURS`` after a dry run (kept until then so that the checked file
itself can be imported), or once its job is found dead. Jobs are removed after
``IMPORT_JOB_DAYS``.

A running job writes a heartbeat every HEARTBEAT_EVERY, from a thread of its own (opening
a large workbook reports no progress for a while), with its process id: it is taken as
interrupted only when that process is gone, or when the heartbeat stops for STALE_AFTER.

The import itself is ``importers.run_import``: the same rules as the command line, with
the manager's unit scope.
"""
import json
import os
import secrets
import shutil
import socket
import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from web.i18n import N_, Message
from web.storage import safe_path

from .importers import MAX_ERRORS_KEPT, ImportReport, RowError, run_import

JOB_FILE = "job.json"
SUMMARY_FILE = "summary.json"
# A running job writes its progress at most this often, its heartbeat at least this
# often, and is taken as dead when its process is gone or it has not written for STALE_AFTER.
PROGRESS_EVERY = 0.5
HEARTBEAT_EVERY = 15.0
STALE_AFTER = timedelta(minutes=2)
UPLOAD_SUFFIXES = (".csv", ".xlsx")
_saving = threading.Lock()  # the heartbeat thread and the import both save a job


class JobError(Exception):
    def __init__(self, msgid: str, **params):
        self.message = Message(msgid, params)
        super().__init__(self.message.render())


@dataclass
class ImportJob:
    id: str
    kind: str
    file_name: str
    upload: str  # the stored file's name inside the job folder
    user_id: int
    actor: str
    scope_path: str | None
    dry_run: bool
    skip_invalid: bool
    created_at: str
    status: str = "queued"  # queued | running | done | failed
    bytes_done: int = 0
    bytes_total: int = 0
    heartbeat: str = ""
    finished_at: str = ""
    report: dict | None = None  # see _report_record
    failure: str = ""
    busy: bool = False  # failed because another process held the database (SQLite) too long
    followed_by: str = ""  # the job that imported this dry run's file
    errors_total: int = 0  # errors found, of which at most MAX_ERRORS_KEPT are in the report
    report_ok: bool | None = None  # the report's verdict, for the list of jobs (which reads no report)
    pid: int = 0  # the process that runs (or will run) the job, on ``host``
    host: str = ""

    # -- state
    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def stale(self) -> bool:
        """A job that will never finish: its process is gone (seen from its own machine),
        or it stopped writing its heartbeat (it writes one every HEARTBEAT_EVERY, also
        while a workbook is being opened)."""
        if self.finished:
            return False
        if self.pid and self.host == socket.gethostname() and not _alive(self.pid):
            return True
        if not self.heartbeat:
            return False
        return datetime.now(timezone.utc) - datetime.fromisoformat(self.heartbeat) > STALE_AFTER

    @property
    def upload_expired(self) -> bool:
        """The uploaded file is no longer needed: the job ended (a dry run's file is kept
        IMPORT_CHECKED_FILE_HOURS, to be imported as checked) or will never end."""
        from flask import current_app

        if self.stale:
            return True
        if not self.finished:
            return False
        if not (self.dry_run and self.status == "done" and self.report_ok and not self.followed_by):
            return True
        hours = current_app.config.get("IMPORT_CHECKED_FILE_HOURS", 2)
        return datetime.now(timezone.utc) - datetime.fromisoformat(self.finished_at) > timedelta(hours=hours)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return int(100 * self.bytes_done / self.bytes_total) if self.bytes_total else 0

    # -- the report, rebuilt so that it renders in the reader's language
    def import_report(self) -> ImportReport | None:
        if self.report is None:
            return None
        r = dict(self.report)
        errors = [RowError(line, column, value, Message(msgid, params))
                  for line, column, value, msgid, params in r.pop("errors")]
        file_error = r.pop("file_error")
        return ImportReport(**r, errors=errors,
                            file_error=Message(file_error[0], file_error[1]) if file_error else None)

    @property
    def can_commit(self) -> bool:
        """A dry run whose file would import: offer to import it for real."""
        return (self.dry_run and self.status == "done" and bool(self.report_ok) and not self.followed_by
                and not self.upload_expired and self.upload_path.exists())

    # -- storage
    @property
    def folder(self) -> Path:
        return safe_path(jobs_root(), self.id)

    @property
    def upload_path(self) -> Path:
        return safe_path(self.folder, self.upload)

    @property
    def rejects_path(self) -> Path:
        return safe_path(self.folder, Path(self.upload).stem + ".rejects.csv")

    def save(self) -> None:
        record = asdict(self)
        with _saving:
            _write_private(self.folder / SUMMARY_FILE, {**record, "report": None})
            _write_private(self.folder / JOB_FILE, record)

    def remove_upload(self) -> None:
        self.upload_path.unlink(missing_ok=True)


def _write_private(path: Path, record: dict) -> None:
    """``record`` as JSON in ``path``, atomically, readable by the server's user only."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8") as f:
        json.dump(record, f, ensure_ascii=False)
    tmp.replace(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def jobs_root() -> Path:
    from flask import current_app

    root = Path(current_app.config.get("IMPORT_JOBS_DIR") or Path(current_app.instance_path) / "imports")
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    if root.stat().st_mode & 0o077:
        root.chmod(0o700)
    return root


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _report_record(report: ImportReport) -> dict:
    return dict(
        kind=report.kind, file_name=report.file_name, sha256=report.sha256, rows_in=report.rows_in,
        rows_accepted=report.rows_accepted, rows_rejected=report.rows_rejected, rows_changed=report.rows_changed,
        dry_run=report.dry_run, skip_invalid=report.skip_invalid, committed=report.committed,
        errors=[(e.line, e.column, e.value, e.reason.msgid, e.reason.params)
                for e in report.errors[:MAX_ERRORS_KEPT]],
        file_error=(report.file_error.msgid, report.file_error.params) if report.file_error else None)


def load_job(job_id: str, *, summary: bool = False) -> ImportJob | None:
    """The job of that id, or None (also for an id that is not one of ours). With
    ``summary``, without its report (a small file, whatever the report's size)."""
    if not (job_id.isascii() and job_id.replace("-", "").replace("_", "").isalnum() and len(job_id) <= 64):
        return None
    try:
        folder = safe_path(jobs_root(), job_id)
    except ValueError:  # UnsafePath: an id that would leave the jobs folder
        return None
    for name in (SUMMARY_FILE, JOB_FILE) if summary else (JOB_FILE,):
        try:
            job = ImportJob(**json.loads((folder / name).read_text(encoding="utf-8")))
            if job.report_ok is None and job.report is not None:  # a job saved before report_ok
                job.report_ok = job.import_report().ok
            return job
        except FileNotFoundError:
            continue
        except (ValueError, TypeError):
            return None
    return None


def recent_jobs(user_id: int | None, limit: int = 20) -> list[ImportJob]:
    """The latest jobs, newest first: one person's, or everyone's (``user_id`` None),
    without their reports. Uploads no longer needed are deleted on the way."""
    jobs = []
    for folder in jobs_root().iterdir():
        job = load_job(folder.name, summary=True)
        if job is None:
            continue
        if job.upload_expired:
            job.remove_upload()
        if user_id is None or job.user_id == user_id:
            jobs.append(job)
    jobs.sort(key=lambda j: j.created_at, reverse=True)
    return jobs[:limit]


def remove_old_jobs(max_age: timedelta) -> int:
    """Delete the folders (uploads, reports) of finished jobs older than ``max_age``, and
    the uploads that are no longer needed."""
    limit = datetime.now(timezone.utc) - max_age
    removed = 0
    for folder in jobs_root().iterdir():
        job = load_job(folder.name, summary=True)
        created = datetime.fromisoformat(job.created_at) if job else datetime.fromtimestamp(
            folder.stat().st_mtime, timezone.utc)
        if created < limit and (job is None or job.finished or job.stale):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
        elif job is not None and job.upload_expired:
            job.remove_upload()
    return removed


def create_job(kind: str, stream, file_name: str, *, user_id: int, actor: str, scope_path: str | None,
               dry_run: bool, skip_invalid: bool) -> ImportJob:
    """Store an upload as a new job (not started yet; see ``start``)."""
    from flask import current_app

    suffix = Path(file_name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise JobError(N_("Only .csv and .xlsx files can be imported (this file is \"%(name)s\")."), name=file_name)
    remove_old_jobs(timedelta(days=current_app.config.get("IMPORT_JOB_DAYS", 7)))
    job = ImportJob(id=secrets.token_urlsafe(16), kind=kind, file_name=Path(file_name).name or "upload" + suffix,
                    upload="upload" + suffix, user_id=user_id, actor=actor, scope_path=scope_path,
                    dry_run=dry_run, skip_invalid=skip_invalid, created_at=_now(),
                    pid=os.getpid(), host=socket.gethostname())
    job.folder.mkdir(mode=0o700)
    with open(os.open(job.upload_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        shutil.copyfileobj(stream, out, 1 << 20)
    job.bytes_total = job.upload_path.stat().st_size
    if job.bytes_total == 0:
        shutil.rmtree(job.folder, ignore_errors=True)
        raise JobError(N_("The file is empty."))
    job.save()
    return job


def follow_up(dry_run_job: ImportJob, *, user_id: int, actor: str) -> ImportJob:
    """Import for real the file that ``dry_run_job`` checked (the file moves to the new job)."""
    if not dry_run_job.can_commit:
        raise JobError(N_("This check can no longer be imported; upload the file again."))
    job = ImportJob(id=secrets.token_urlsafe(16), kind=dry_run_job.kind, file_name=dry_run_job.file_name,
                    upload=dry_run_job.upload, user_id=user_id, actor=actor, scope_path=dry_run_job.scope_path,
                    dry_run=False, skip_invalid=dry_run_job.skip_invalid, created_at=_now(),
                    bytes_total=dry_run_job.bytes_total, pid=os.getpid(), host=socket.gethostname())
    job.folder.mkdir(mode=0o700)
    dry_run_job.upload_path.replace(job.upload_path)
    job.save()
    dry_run_job.followed_by = job.id
    dry_run_job.save()
    return job


def run_job(job: ImportJob) -> ImportJob:
    """Run ``job`` here and now (inside an app context); returns it finished."""
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            job.bytes_done, job.bytes_total, job.heartbeat = done, total, _now()
            job.save()

    job.status, job.heartbeat, job.pid, job.host = "running", _now(), os.getpid(), socket.gethostname()
    job.save()
    ended = threading.Event()
    from flask import current_app

    app = current_app._get_current_object()

    def beat():
        # Progress comes only as rows are read; opening a workbook can take minutes.
        with app.app_context():
            while not ended.wait(HEARTBEAT_EVERY):
                job.heartbeat = _now()
                job.save()

    beating = threading.Thread(target=beat, name=f"heartbeat-{job.id[:8]}", daemon=True)
    beating.start()
    try:
        report = run_import(job.kind, job.upload_path, file_name=job.file_name, dry_run=job.dry_run,
                            skip_invalid=job.skip_invalid, actor=job.actor, progress=progress,
                            scope_path=job.scope_path)
    except Exception as exc:  # recorded for the page; the log has the traceback
        from flask import current_app

        from extensions import database_busy

        current_app.logger.exception("import job %s failed", job.id)
        failure = f"{type(exc).__name__}: {exc}".replace(str(job.folder), "…")
        job.status, job.failure = "failed", failure[:500]
        job.busy = database_busy(exc)
    else:
        job.status, job.report, job.errors_total = "done", _report_record(report), report.errors_total
        job.report_ok = report.ok
    finally:
        ended.set()
        beating.join()
    job.finished_at = job.heartbeat = _now()
    if job.upload_expired:
        job.remove_upload()  # nothing more to do with it
    job.save()
    return job


_one_at_a_time = threading.Lock()


def start(job: ImportJob) -> None:
    """Run ``job`` in a background thread of this process (or at once when the app is
    configured with ``IMPORT_JOBS_INLINE``, as the tests are)."""
    from flask import current_app

    app = current_app._get_current_object()
    if app.config.get("IMPORT_JOBS_INLINE"):
        run_job(job)
        return

    def work():
        # One import at a time per process: on SQLite a second writer would wait for the
        # first one's lock and fail after the busy timeout; queued jobs show as such.
        with _one_at_a_time, app.app_context():
            run_job(job)

    threading.Thread(target=work, name=f"import-{job.id[:8]}", daemon=True).start()
