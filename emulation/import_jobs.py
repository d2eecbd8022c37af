"""Imports started from the web: the upload is kept on disk and imported in a background
thread, so a large file neither times out the request nor leaves the person without
news; the page shows the progress and, at the end, the full report.

A job is a folder under ``instance/imports/<id>/``: the uploaded file and ``job.json``
(what was asked, the progress, the report). Files, not a table: while an import runs on
SQLite the database is locked for writing, and the progress must still be recorded; any
web process on the machine can read it. The id is random (the folder holds personal
data), the folder is readable by the server's user only, and the upload is deleted as
soon as it is no longer needed (kept after a dry run, so that the checked file itself
can then be imported). Jobs are removed after ``IMPORT_JOB_DAYS``.

The import itself is ``importing.run_import``: the same rules as the command line, with
the manager's unit scope.
"""
import json
import os
import secrets
import shutil
import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from storage import safe_path

from .i18n import N_, Message
from .importing import ImportReport, RowError, run_import

JOB_FILE = "job.json"
# A running job writes its progress at most this often, and is taken as dead (the web
# process stopped) when it has not written for STALE_AFTER.
PROGRESS_EVERY = 0.5
STALE_AFTER = timedelta(minutes=2)
UPLOAD_SUFFIXES = (".csv", ".xlsx")
# A report keeps at most this many errors (a file with a wrong column can have one per
# row, millions); the counts of the report stay exact and the page says what was left out.
MAX_ERRORS_KEPT = 100_000


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

    # -- state
    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def stale(self) -> bool:
        """A job that stopped reporting (its web process ended mid-import)."""
        if self.finished or not self.heartbeat:
            return False
        return datetime.now(timezone.utc) - datetime.fromisoformat(self.heartbeat) > STALE_AFTER

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
        report = self.import_report()
        return (self.dry_run and self.status == "done" and report is not None and report.ok
                and not self.followed_by and self.upload_path.exists())

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
        tmp = self.folder / (JOB_FILE + ".tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(self.folder / JOB_FILE)


def jobs_root() -> Path:
    from flask import current_app

    root = Path(current_app.config.get("IMPORT_JOBS_DIR") or Path(current_app.instance_path) / "imports")
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
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


def load_job(job_id: str) -> ImportJob | None:
    """The job of that id, or None (also for an id that is not one of ours)."""
    if not (job_id.isascii() and job_id.replace("-", "").replace("_", "").isalnum() and len(job_id) <= 64):
        return None
    try:
        path = safe_path(jobs_root(), job_id, JOB_FILE)
        return ImportJob(**json.loads(path.read_text(encoding="utf-8")))
    except (FileNotFoundError, ValueError, TypeError):  # UnsafePath is a ValueError
        return None


def recent_jobs(user_id: int | None, limit: int = 20) -> list[ImportJob]:
    """The latest jobs, newest first: one person's, or everyone's (``user_id`` None)."""
    jobs = []
    for folder in jobs_root().iterdir():
        job = load_job(folder.name)
        if job is not None and (user_id is None or job.user_id == user_id):
            jobs.append(job)
    jobs.sort(key=lambda j: j.created_at, reverse=True)
    return jobs[:limit]


def remove_old_jobs(max_age: timedelta) -> int:
    """Delete the folders (uploads, reports) of finished jobs older than ``max_age``."""
    limit = datetime.now(timezone.utc) - max_age
    removed = 0
    for folder in jobs_root().iterdir():
        job = load_job(folder.name)
        created = datetime.fromisoformat(job.created_at) if job else datetime.fromtimestamp(
            folder.stat().st_mtime, timezone.utc)
        if created < limit and (job is None or job.finished or job.stale):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
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
                    dry_run=dry_run, skip_invalid=skip_invalid, created_at=_now())
    job.folder.mkdir(mode=0o700)
    with open(job.upload_path, "wb") as out:
        os.chmod(job.upload_path, 0o600)
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
                    bytes_total=dry_run_job.bytes_total)
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

    job.status, job.heartbeat = "running", _now()
    job.save()
    try:
        report = run_import(job.kind, job.upload_path, file_name=job.file_name, dry_run=job.dry_run,
                            skip_invalid=job.skip_invalid, actor=job.actor, progress=progress,
                            scope_path=job.scope_path)
    except Exception as exc:  # recorded for the page; the log has the traceback
        from flask import current_app

        from extensions import database_busy

        current_app.logger.exception("import job %s failed", job.id)
        job.status, job.failure = "failed", f"{type(exc).__name__}: {exc}"[:500]
        job.busy = database_busy(exc)
    else:
        job.status, job.report, job.errors_total = "done", _report_record(report), len(report.errors)
    job.finished_at = job.heartbeat = _now()
    if not job.dry_run or job.status != "done" or not report.ok:
        job.upload_path.unlink(missing_ok=True)  # nothing more to do with it
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
