"""The province's calendar: "today" is the date in Lai Châu, not on the server's clock."""
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def province_today() -> date:
    """Today's date in the configured time zone (``TIMEZONE``, Asia/Ho_Chi_Minh by default).

    A server keeping UTC is still on yesterday's date until 07:00 in Vietnam.
    """
    return datetime.fromtimestamp(time.time(), ZoneInfo(current_app.config["TIMEZONE"])).date()
