"""The web shell shared by every package: formatting filters, navigation, language choice,
error pages, security headers, cookie flags and rate limits."""
import re
import sqlite3
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from threading import Event, Lock
from time import time
from zoneinfo import ZoneInfo

from babel import Locale
from flask import current_app, has_request_context, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import format_date, get_locale, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import pass_context
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.routing import IntegerConverter

from emulation.i18n import N_
from extensions import database_busy, db

csrf = CSRFProtect()

LANGUAGE_COOKIE = "lang"
# (endpoint, label): shown to whoever the endpoint's own access declaration admits.
NAVIGATION = (
    ("leaderboards.board", _l("Leaderboards")),
    ("badges.progress_lookup", _l("My progress")),
    ("badges.verify", _l("Verify a badge")),
    ("emulation.dashboard", _l("Dashboard")),
    ("emulation.units", _l("Units")),
    ("emulation.imports", _l("Import data")),
    ("emulation.campaigns", _l("Campaigns")),
    ("emulation.nominee_lists", _l("Nominee lists")),
    ("emulation.reports", _l("Progress reports")),
    ("emulation.audit_log", _l("Audit log")),
    ("accounts.users", _l("Accounts")),
    ("accounts.tokens", _l("API tokens")),
)


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are always HttpOnly and SameSite=Lax, and Secure whenever the page
    was served over HTTPS (or ``SESSION_COOKIE_SECURE`` forces it), so a plain-HTTP
    development server still works while production cookies never travel in clear."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)

    # The JSON API knows bearer tokens only: it never reads the session cookie a client
    # sends along (a page's CSRF session would otherwise trip Flask-Login's session
    # protection and hide the token) and never sets one.
    API_PREFIX = "/api/"

    def open_session(self, app, request):
        if request.path.startswith(self.API_PREFIX):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if has_request_context() and request.path.startswith(self.API_PREFIX):
            return
        super().save_session(app, session, response)


def init_web(app) -> None:
    csrf.init_app(app)
    # Before any blueprint registers its routes: every <int:…> of the app is an id, at most
    # the largest INTEGER of PostgreSQL (a larger one overflows SQLite and PostgreSQL alike).
    app.url_map.converters["int"] = IdConverter
    app.session_interface = SessionInterface()
    app.jinja_env.filters.update(num=_num_filter, pct=_pct_filter, day=_day_filter, moment=format_moment)
    _install_gettext(app.jinja_env)
    app.context_processor(lambda: {"navigation": navigation, "current_language": str(get_locale())})
    app.jinja_env.globals.update(external_url=external_url)
    app.before_request(refuse_nul)
    app.after_request(_after_request)
    for code in (400, 403, 404, 405, 413, 429, 500, 503):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(CSRFError, _csrf_error)
    init_rate_limits(app)
    for error in (OperationalError, sqlite3.OperationalError):  # the ORM's, and the bulk writers' raw one
        app.register_error_handler(error, _database_error)
    if app.config.get("TRUST_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # X-Forwarded-Host only when told: absolute URLs come from SITE_URL (external_url), and a
        # client-chosen host must not reach request.host unless the proxy is known to set it.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1 if app.config.get("TRUST_PROXY_HOST") else 0)


def site_url() -> str:
    """This site's address (``SITE_URL``: scheme, host and port), with no trailing slash."""
    return current_app.config["SITE_URL"].rstrip("/")


def external_url(endpoint: str, **values) -> str:
    """An absolute URL of this site built from ``SITE_URL``, never from the request's ``Host``
    or ``X-Forwarded-Host``: such URLs end up in cached pages (``og:image``), in badges that
    outlive the request (Open Badges ids) and in documents others keep, so a visitor's
    header must not decide them."""
    return site_url() + url_for(endpoint, **values)


# ----------------------------------------------------------------------------- parameters
# Every value a view takes from the URL is checked here, at the edge: out of bounds it is a
# 400 naming the parameter, never a number that overflows the database (a 500).

MAX_ID = 2**31 - 1  # ids and ranks: PostgreSQL's INTEGER
MAX_PAGE = 100_000  # page numbers (a page of 50 rows: 5,000,000 rows)
MAX_KEY = 64  # codes in cursors (units, households, people)


class IdConverter(IntegerConverter):
    """``<int:…>`` from 0 to ``MAX_ID`` (a larger number is a 404, as a missing id)."""

    def __init__(self, map, fixed_digits=0, min=0, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value):
        if len(value) > 12:  # int() of thousands of digits is slow, and refused past 4,300
            from werkzeug.routing import ValidationError

            raise ValidationError()
        return super().to_python(value)


def int_arg(name: str, default: int, *, minimum: int = 1, maximum: int = MAX_PAGE) -> int:
    """The query parameter ``name`` as a whole number from ``minimum`` to ``maximum``
    (``default`` when absent or empty); anything else is a 400."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    digits = raw[1:] if raw[:1] == "-" else raw
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 12 and minimum <= int(raw) <= maximum):
        raise BadRequest(f"{name}: a whole number from {minimum} to {maximum}")
    return int(raw)


def page_arg(name: str = "page") -> int:
    """A page number (1 when absent)."""
    return int_arg(name, 1, minimum=1, maximum=MAX_PAGE)


def cursor_arg(name: str) -> tuple[int, str] | None:
    """A board's ``after``/``before`` cursor ``RANK:KEY`` (None when absent or empty)."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    rank, _, key = raw.partition(":")
    if not (rank.isascii() and rank.isdigit() and len(rank) <= 10 and 1 <= int(rank) <= MAX_ID
            and key and len(key) <= MAX_KEY):
        raise BadRequest(f"{name}: a cursor RANK:KEY, as given by the previous page")
    return int(rank), key


# A NUL or a lone surrogate written as a JSON escape: no text of the app holds one (PostgreSQL
# refuses NUL in text, and no encoding can write a lone surrogate).
_JSON_UNWRITABLE = re.compile(rb"\\u(?:0000|[dD][89abAB][0-9a-fA-F]{2}|[dD][c-fC-F][0-9a-fA-F]{2})")


def json_body():
    """The request's JSON body, or None when it is not JSON, nested too deep for Python's
    parser (a RecursionError, which ``get_json(silent=True)`` lets through), or carries a
    NUL or a lone surrogate."""
    if _JSON_UNWRITABLE.search(request.get_data(cache=True)):
        return None
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def refuse_nul() -> None:
    """Before every request: a NUL in the path, the query or a (non-file) form field is a 400.
    No value of the app holds one, and PostgreSQL refuses it in text (a 500 otherwise)."""
    values = [request.path, *request.args.values()]
    if request.mimetype == "application/x-www-form-urlencoded":
        values += request.form.values()
    if any("\0" in v for v in values):
        raise BadRequest("a NUL character in the request")


# ----------------------------------------------------------------------------- forms

# WTForms' own messages that our forms can show. WTForms ships no Vietnamese catalog, so
# they are translated in ours (forms give their other validators explicit messages).
WTFORMS_MESSAGES = (N_("Not a valid choice."), N_("Invalid Choice: could not coerce."),
                    N_("This field is required."))


class _CatalogTranslations:
    """WTForms' translations object, answered from the application's catalog."""

    def gettext(self, string):
        from flask_babel import get_translations

        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        from flask_babel import get_translations

        return get_translations().ungettext(singular, plural, n)


class Form(FlaskForm):
    """Every form of the app: Flask-WTF (a CSRF token) with messages in the UI language."""

    class Meta:
        def get_translations(self, form):
            return _CatalogTranslations()


# ----------------------------------------------------------------------------- formatting

# A page's language does not change while it is drawn, so templates ask Flask-Babel for it
# (and for its catalog) once per rendering and keep the answer on the Jinja context. Each
# question costs several context-local look-ups, and a board page asks some 300 of them.

def _context_locale(context) -> str:
    try:
        return context.tds_locale
    except AttributeError:
        context.tds_locale = str(get_locale())
        return context.tds_locale


def _context_translations(context):
    try:
        return context.tds_translations
    except AttributeError:
        context.tds_translations = get_translations()
        return context.tds_translations


@pass_context
def _num_filter(context, value, digits: int = 0) -> str:
    return format_num(value, digits, _context_locale(context))


@pass_context
def _pct_filter(context, value, digits: int = 1) -> str:
    return format_pct(value, digits, _context_locale(context))


@pass_context
def _day_filter(context, value) -> str:
    return format_day(value, _context_locale(context))


def _install_gettext(env) -> None:
    """Flask-Babel's gettext callables for templates, reading the catalog once per page."""
    env.install_gettext_callables(
        gettext=pass_context(lambda c, s: _context_translations(c).ugettext(s)),
        ngettext=pass_context(lambda c, s, p, n: _context_translations(c).ungettext(s, p, n)),
        pgettext=pass_context(lambda c, ctx, s: _context_translations(c).upgettext(ctx, s)),
        npgettext=pass_context(lambda c, ctx, s, p, n: _context_translations(c).unpgettext(ctx, s, p, n)),
        newstyle=True)


def format_num(value, digits: int = 0, locale: str | None = None) -> str:
    """1.234,5 in Vietnamese, 1,234.5 in English; empty for None."""
    return "" if value is None else _decimal_text(value, digits, 0, locale or str(get_locale()))


def format_pct(value, digits: int = 1, locale: str | None = None) -> str:
    """A fraction as a percentage: 0.853 → 85,3%; empty for None."""
    if value is None:
        return ""
    locale = locale or str(get_locale())
    return _decimal_text(value, digits, 2, locale) + _symbols(locale)[2]


def _decimal_text(value, digits: int, scale: int, locale: str) -> str:
    """``value`` × 10^scale with ``digits`` decimals and the locale's separators: what Babel's
    ``format_decimal``/``format_percent`` give for the patterns "#,##0.0…" (the number's
    decimal text, rounded half to even; tests/test_app.py compares the two), about twenty
    times faster. The public boards format a hundred numbers a page."""
    if type(value) is int and not scale:
        text = f"{value:,.{digits}f}" if digits else f"{value:,}"
    else:
        text = f"{Decimal(str(value)).scaleb(scale):,.{digits}f}"
    group, decimal, _percent, minus = _symbols(locale)
    return text.translate({44: group, 46: decimal, 45: minus})


@cache
def _symbols(locale: str) -> tuple[str, str, str, str]:
    """The locale's group and decimal separators, percent and minus signs."""
    symbols = Locale.parse(locale).number_symbols["latn"]
    return symbols["group"], symbols["decimal"], symbols["percentSign"], symbols["minusSign"]


def format_day(value, locale: str | None = None) -> str:
    """dd/mm/yyyy in Vietnamese; the locale's medium date elsewhere."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if (locale or str(get_locale())) == "vi":
        return value.strftime("%d/%m/%Y")
    return format_date(value, "medium")


def format_moment(value: datetime | str | None) -> str:
    """A timestamp in the province's time zone: dd/mm/yyyy HH:MM."""
    if value is None:
        return ""
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite hands back naive UTC
        from datetime import timezone

        value = value.replace(tzinfo=timezone.utc)
    local = value.astimezone(tz)
    return local.strftime("%d/%m/%Y %H:%M") if str(get_locale()) == "vi" else local.strftime("%Y-%m-%d %H:%M")


# ----------------------------------------------------------------------------- navigation

def navigation() -> list[tuple[str, str, bool]]:
    """(url, label, is_current) of the pages the signed-in person may open."""
    from accounts.access import allowed_roles

    items = []
    for endpoint, label in NAVIGATION:
        view = current_app.view_functions.get(endpoint)
        roles = allowed_roles(view) if view else None
        if roles is None or (roles != "public" and (not current_user.is_authenticated
                                                    or current_user.role not in roles)):
            continue
        items.append((url_for(endpoint), str(label), request.endpoint == endpoint))
    return items


# ----------------------------------------------------------------------------- responses

CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                           "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# No page uses a device or a powerful browser feature: deny them all, to the page and to anything it embeds.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "ambient-light-sensor", "autoplay", "battery", "bluetooth", "camera", "display-capture",
    "document-domain", "encrypted-media", "fullscreen", "gamepad", "geolocation", "gyroscope", "hid",
    "idle-detection", "interest-cohort", "local-fonts", "magnetometer", "microphone", "midi", "payment",
    "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial", "sync-xhr", "usb",
    "web-share", "xr-spatial-tracking"))


def _after_request(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:  # over HTTPS (directly, or behind a proxy trusted with TRUST_PROXY)
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user.is_authenticated:
        # Staff pages hold personal data: never keep them in a shared cache.
        response.headers.setdefault("Cache-Control", "no-store")
    wanted = request.args.get("lang")
    if wanted in current_app.config["LANGUAGES"] and request.cookies.get(LANGUAGE_COOKIE) != wanted:
        response.set_cookie(LANGUAGE_COOKIE, wanted, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=request.is_secure, httponly=True)
    return response


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
    if code == 413:
        hint = _("The largest file accepted is %(mb)d MB.", mb=current_app.config["MAX_CONTENT_LENGTH"] // 2**20)
    headers = error_headers(error)
    return render_template("errors.html", code=code, title=ERROR_TITLES.get(code, ERROR_TITLES[500]),
                           hint=hint), code, headers


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


# ----------------------------------------------------------------------------- rate limits

def client_address() -> str:
    """The client's address (the proxy's X-Forwarded-For with TRUST_PROXY=1)."""
    return request.remote_addr or "?"


@dataclass(frozen=True)
class RateLimit:
    """A declared limit: ``app.config[config_key]`` requests a minute per ``key()``, counted
    together for everything that declares the same ``scope``; ``key()`` None: no limit."""
    scope: str
    config_key: str
    key: Callable[[], str | None] = client_address
    methods: tuple[str, ...] | None = None


def rate_limited(scope: str, config_key: str, *, key: Callable[[], str | None] = client_address,
                 methods: tuple[str, ...] | None = None):
    """Declare a rate limit on a view (a decorator) or on a whole blueprint
    (``rate_limited(...)(bp)``): at most ``app.config[config_key]`` requests a minute per
    client address (or per ``key()``), for ``methods`` only when given; 429 with Retry-After
    beyond. Every app counts with its own Flask-Limiter (see :func:`init_rate_limits`), in
    Redis when ``REDIS_URL`` is set (shared by every worker process and server), else in
    the process's memory."""
    declared = RateLimit(scope, config_key, key, methods)

    def decorate(target):
        target.rate_limit = declared
        return target
    return decorate


def _declared_limit() -> RateLimit | None:
    """The limit the request's view (or else its blueprint) declares, if it applies."""
    view = current_app.view_functions.get(request.endpoint or "")
    declared = getattr(view, "rate_limit", None)
    if declared is None and request.blueprint:
        declared = getattr(current_app.blueprints.get(request.blueprint), "rate_limit", None)
    if declared is None or (declared.methods and request.method not in declared.methods):
        return None
    return declared


def _limit_text() -> str:
    declared = _declared_limit()
    if declared is None or not declared.key():
        return ""  # Flask-Limiter: no limit for this request
    return f"{int(current_app.config[declared.config_key])}/minute"


def init_rate_limits(app) -> None:
    """The app's own limiter (tests make many apps: none shares another's counts). One
    default limit whose value, key and scope are read from the view's declaration, so that
    the declarations stay plain attributes, as access declarations are (accounts.access).
    The moving window counts the requests of the last 60 seconds. If Redis cannot be
    reached, each process counts in memory until it can again."""
    from flask_limiter import Limit, Limiter

    declared = Limit(_limit_text, key_function=lambda: _declared_limit().key(),
                     scope=lambda _endpoint: _declared_limit().scope, shared=True,
                     error_message="too many requests: wait and try again")
    options = {"socket_connect_timeout": 1, "socket_timeout": 1} if app.config.get("REDIS_URL") else {}
    limiter = Limiter(client_address, default_limits=[declared], strategy="moving-window",
                      storage_uri=app.config.get("REDIS_URL") or "memory://", storage_options=options,
                      key_prefix=app.config.get("RATELIMIT_KEY_PREFIX") or "thiduaso",
                      in_memory_fallback_enabled=True)
    limiter.init_app(app)
    app.extensions["rate_limits"] = limiter


def retry_after_limit() -> int:
    """Seconds until the limit this request broke lets a request through again."""
    limiter = current_app.extensions.get("rate_limits")
    breached = limiter.current_limit if limiter is not None else None
    if breached is None:
        return 60
    return max(1, int(breached.reset_at - time()))


# ----------------------------------------------------------------------------- page cache

class PageCache:
    """Rendered public pages by key (least recently used out first), per process. For pages
    whose content is frozen, such as a publication's boards: the key must hold everything
    the page depends on. A page asked for again while it is being drawn is drawn once: the
    later requests wait for the first (a popular page just published, or a server just
    started, would otherwise be drawn by every thread at once)."""

    def __init__(self, size: int = 1024):
        self.size = size
        self._pages: "OrderedDict[tuple, str]" = OrderedDict()
        self._drawing: dict[tuple, Event] = {}
        self._lock = Lock()

    def get_or_render(self, key: tuple, render) -> str:
        while True:
            with self._lock:
                html = self._pages.get(key)
                if html is not None:
                    self._pages.move_to_end(key)
                    return html
                drawing = self._drawing.get(key)
                if drawing is None:
                    self._drawing[key] = Event()
                    break  # this thread draws it
            # Another thread is drawing it: wait, then take its page (or, if that drawing
            # failed, draw it here).
            if not drawing.wait(timeout=60):
                return render()
        try:
            html = render()
            with self._lock:
                self._pages[key] = html
                while len(self._pages) > self.size:
                    self._pages.popitem(last=False)
        finally:
            with self._lock:
                self._drawing.pop(key).set()
        return html


def page_cache() -> PageCache:
    """The application's page cache (one per app)."""
    return current_app.extensions.setdefault("page_cache", PageCache())
