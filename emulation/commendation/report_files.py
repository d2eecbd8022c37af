"""Reports kept on disk: the scheduler writes each period's report once the period has
ended (``instance/reports/<campaign>/<period>.<fmt>``, or ``REPORTS_DIR``); a period still
running is reported on request, as of today, and not kept."""
from datetime import date
from pathlib import Path

from flask import current_app

from emulation.clock import province_today
from web.drawing import cached_file
from web.storage import safe_path

from .report_exports import FORMATS, export
from .reports import Period, build_report, periods_of


def reports_dir() -> Path:
    return Path(current_app.config.get("REPORTS_DIR") or Path(current_app.instance_path) / "reports")


def report_file(campaign, period: Period, fmt: str) -> bytes:
    """The report's bytes: the kept file of an ended period (written now if missing), or a
    fresh one for a period still running."""
    if period.end >= province_today():
        return export(fmt, build_report(campaign, period))
    path = cached_file(safe_path(reports_dir(), campaign.code), f"{period.code}.{fmt}",
                       lambda: export(fmt, build_report(campaign, period)))
    return path.read_bytes()


def write_ended_periods(campaign, day: date) -> list[str]:
    """The scheduler's job: the reports of every period of ``campaign`` that ended on ``day``."""
    written = []
    for period in periods_of(campaign):
        if period.end == day:
            for fmt in FORMATS:
                report_file(campaign, period, fmt)
            written.append(period.code)
    return written
