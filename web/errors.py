"""Error pages (and the JSON errors of prefixes that ask for them), the database-busy 503,
the expired-form page."""
import sqlite3

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from extensions import database_busy, db

from .limits import retry_after_limit

ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    413: _l("The file is too large"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on our side"),
    503: _l("The system is busy"),
}
ERROR_HINTS = {
    403: _l("Your account's role or unit does not include this page. Ask an administrator if you need it."),
    404: _l("Check the address, or go back to the dashboard."),
}
# A visitor who is not signed in has no dashboard: the page offers the public pages instead.
PUBLIC_HINTS = {
    403: _l("This page is for the campaign's staff. The public pages are open to everyone:"),
    404: _l("Check the address, or open one of the public pages:"),
    413: _l("The largest file accepted is %(mb)d MB."),
    500: _l("The problem has been logged. Please try again in a moment."),
    503: _l("A large import is being saved. Nothing you sent was saved: please try again in a minute."),
}


def _error_page(error):
    """The error page, or for a path under a prefix that answers in JSON (the API's, which
    registers itself in ``app.extensions["json_errors"]``) that prefix's JSON error. Routing
    errors (404, 405) reach here even under the API: no blueprint has matched yet."""
    for prefix, handler in current_app.extensions.get("json_errors", {}).items():
        if request.path.startswith(prefix):
            return handler(error)
    code = getattr(error, "code", 500) or 500
    hint = ERROR_HINTS.get(code)
    if not _signed_in() and code in PUBLIC_HINTS:
        hint = PUBLIC_HINTS[code]
    if code == 413:
        hint = _("The largest file accepted is %(mb)d MB.", mb=current_app.config["MAX_CONTENT_LENGTH"] // 2**20)
    headers = error_headers(error)
    return render_template("errors.html", code=code, title=ERROR_TITLES.get(code, ERROR_TITLES[500]),
                           hint=hint), code, headers


def _signed_in() -> bool:
    from flask_login import current_user

    return bool(current_user and current_user.is_authenticated)


def error_headers(error) -> dict[str, str]:
    """The headers an HTTP error carries besides its body's type: ``Allow`` on a 405 (RFC 9110
    requires it), ``Retry-After`` on a 429 or a 503."""
    headers = {}
    if isinstance(error, HTTPException):
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    if getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    elif isinstance(error, RateLimitExceeded):
        headers["Retry-After"] = str(retry_after_limit())
    return headers


BUSY_RETRY_SECONDS = 30


def _database_error(error):
    """A database that is busy is a 503 with Retry-After, not a crash page; any other
    database failure is logged and answered as a 500."""
    db.session.rollback()
    if database_busy(error):  # nothing the request did is kept
        current_app.logger.warning("database busy: %s %s answered 503", request.method, request.path)
        return _error_page(ServiceUnavailable("the database is busy saving a large import: nothing was done; "
                                              "try again later", retry_after=BUSY_RETRY_SECONDS))
    current_app.logger.error("database error on %s %s", request.method, request.path, exc_info=error)
    return _error_page(InternalServerError(original_exception=error))


def _csrf_error(error):
    return render_template("errors.html", code=400, title=_("The form has expired"),
                           hint=_("For your safety, forms expire. Go back, reload the page and send it again.")), 400


def init_errors(app) -> None:
    """The error pages of every HTTP error the app answers, of an expired form and of the
    database's errors."""
    for code in (400, 403, 404, 405, 413, 429, 500, 503):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(CSRFError, _csrf_error)
    for error in (OperationalError, sqlite3.OperationalError):  # the ORM's, and the bulk writers' raw one
        app.register_error_handler(error, _database_error)
