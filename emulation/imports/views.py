"""Import by upload: the form, the job's progress and report, the follow-up import of a
dry run, and the report and rejected rows as CSV downloads."""
import io

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.access import ADMIN, EDITORS, allow, scope_path
from emulation.blueprint import bp
from web.params import page_arg
from web.spreadsheets import csv_writer

from . import jobs as import_jobs
from .forms import ImportForm
from .importers import KINDS, SCOPED_KINDS

ERRORS_PER_PAGE = 200


def _kinds() -> tuple[str, ...]:
    return KINDS if scope_path() is None else SCOPED_KINDS


def _job_or_404(job_id: str) -> import_jobs.ImportJob:
    """The job, if the signed-in person started it (administrators see every job)."""
    job = import_jobs.load_job(job_id)
    if job is None:
        abort(404)
    if job.user_id != current_user.id and current_user.role != ADMIN:
        abort(403)
    return job


@bp.route("/imports", methods=["GET", "POST"])
@allow(*EDITORS)
def imports():
    form = ImportForm(_kinds())
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            job = import_jobs.create_job(
                form.kind.data, upload.stream, upload.filename or "", user_id=current_user.id,
                actor=current_user.email, scope_path=scope_path(), dry_run=form.dry_run.data,
                skip_invalid=form.skip_invalid.data)
        except import_jobs.JobError as exc:
            error = exc.message.render()
        else:
            import_jobs.start(job)
            return redirect(url_for("emulation.import_job", job_id=job.id), 303)
    status = 400 if request.method == "POST" else 200
    jobs = import_jobs.recent_jobs(current_user.id)
    return render_template("emulation/imports/imports.html", form=form, error=error, jobs=jobs), status


@bp.get("/imports/<job_id>")
@allow(*EDITORS)
def import_job(job_id):
    job = _job_or_404(job_id)
    report = job.import_report()
    page = page_arg()
    errors = report.errors[(page - 1) * ERRORS_PER_PAGE: page * ERRORS_PER_PAGE] if report else []
    pages = max((len(report.errors) + ERRORS_PER_PAGE - 1) // ERRORS_PER_PAGE, 1) if report else 1
    return render_template("emulation/imports/import_job.html", job=job, report=report, errors=errors, page=page,
                           pages=pages, first=(page - 1) * ERRORS_PER_PAGE)


@bp.get("/imports/<job_id>/status.json")
@allow(*EDITORS)
def import_job_status(job_id):
    job = _job_or_404(job_id)
    return {"status": job.status, "percent": job.percent, "finished": job.finished or job.stale,
            "bytes_done": job.bytes_done, "bytes_total": job.bytes_total}


@bp.post("/imports/<job_id>/commit")
@allow(*EDITORS)
def import_job_commit(job_id):
    job = _job_or_404(job_id)
    if job.scope_path != scope_path():  # the account's unit changed since the check
        abort(403)
    try:
        follow = import_jobs.follow_up(job, user_id=current_user.id, actor=current_user.email)
    except import_jobs.JobError as exc:
        from flask import flash

        flash(exc.message.render(), "error")
        return redirect(url_for("emulation.import_job", job_id=job.id), 303)
    import_jobs.start(follow)
    return redirect(url_for("emulation.import_job", job_id=follow.id), 303)


@bp.get("/imports/<job_id>/report.csv")
@allow(*EDITORS)
def import_job_report(job_id):
    """Every error of the report, in the reader's language (UTF-8 with BOM, for Excel)."""
    job = _job_or_404(job_id)
    report = job.import_report()
    if report is None:
        abort(404)
    out = io.StringIO()
    out.write("\ufeff")
    w = csv_writer(out)
    w.writerow([_("line"), _("column"), _("value"), _("reason")])
    if report.file_error is not None:
        w.writerow(["", "", "", report.file_error.render()])
    for e in report.errors:
        w.writerow([e.line, e.column, e.value, e.reason.render()])
    # The file name is the user's: Werkzeug builds the header (quoted, with filename*).
    return send_file(io.BytesIO(out.getvalue().encode("utf-8")), mimetype="text/csv", as_attachment=True,
                     download_name=f"{job.file_name.rsplit('.', 1)[0]}.report.csv")


@bp.get("/imports/<job_id>/rejects.csv")
@allow(*EDITORS)
def import_job_rejects(job_id):
    job = _job_or_404(job_id)
    if not job.rejects_path.exists():
        abort(404)
    return send_file(job.rejects_path, mimetype="text/csv", as_attachment=True,
                     download_name=f"{job.file_name.rsplit('.', 1)[0]}.rejects.csv")

