"""The province's calendar: "today" is the date in Lai Châu, not on the server's clock."""
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def as_date(value) -> date | None:
    """A date read back from the database: SQLite returns raw SQL's dates as ISO text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def province_today() -> date:
    """Today's date in the configured time zone (``TIMEZONE``, Asia/Ho_Chi_Minh by default).

    A server keeping UTC is still on yesterday's date until 07:00 in Vietnam.
    """
    return datetime.fromtimestamp(time.time(), ZoneInfo(current_app.config["TIMEZONE"])).date()
