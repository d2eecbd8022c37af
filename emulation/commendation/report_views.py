"""Progress report pages: a campaign's quarters, half-years and years, each downloadable
as XLSX or PDF. A report of a period that has ended is the file the scheduler wrote at its
end (emulation/commendation/report_files.py); one still running is made on request, as of today."""
import io

from flask import abort, render_template, send_file

from accounts.access import ADMIN, allow
from accounts.models import HOME_AFFAIRS, VIEWER
from emulation.models import Campaign
from emulation.blueprint import bp, requested_campaign
from extensions import db

from .report_exports import FORMATS, period_label
from .report_files import report_file
from .reports import ReportError, parse_period, periods_of

READERS = (ADMIN, HOME_AFFAIRS, VIEWER)


@bp.get("/reports")
@allow(*READERS)
def reports():
    campaign, campaigns = requested_campaign()
    periods = [(p, period_label(p.code)) for p in periods_of(campaign)] if campaign else []
    return render_template("emulation/commendation/reports.html", campaign=campaign, campaigns=campaigns, periods=periods,
                           formats=FORMATS)


@bp.get("/reports/<campaign>/<period>.<fmt>")
@allow(*READERS)
def report_download(campaign, period, fmt):
    c = db.session.scalar(db.select(Campaign).where(Campaign.code == campaign))
    if c is None or fmt not in FORMATS:
        abort(404)
    try:
        wanted = parse_period(period)
        data = report_file(c, wanted, fmt)
    except ReportError:
        abort(404)
    name = f"bao-cao-tien-do-{c.code}-{wanted.code}.{fmt}"
    response = send_file(io.BytesIO(data), mimetype=FORMATS[fmt], as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response
