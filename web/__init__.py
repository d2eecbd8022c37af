"""The shell every package shares, at the bottom of the dependency order: it imports no
other package of the app (only ``extensions`` and ``config``), and every package may import it.

- pages: ``session`` (the cookie), ``params`` (URL and body values checked at the edge),
  ``forms`` (the base form, CSRF), ``formatting`` (numbers and dates in the UI language),
  ``navigation``, ``headers``, ``errors``, ``limits`` (rate limits), ``cache`` (page cache),
  ``urls`` (absolute URLs from ``SITE_URL``), ``i18n`` (messages made away from a request);
- files and commands: ``spreadsheets`` (the one CSV and XLSX writer), ``drawing`` (text in
  images and PDFs, Be Vietnam Pro), ``storage`` (safe paths on disk), ``commands`` (what
  every command line shares), ``backup`` (the SQLite backup and restore commands).

``init_web(app)`` wires the page shell into an app.
"""
from flask_babel import get_locale


def init_web(app) -> None:
    """The page shell of ``app``: CSRF, ids in URLs, the session cookie, formatting,
    navigation, headers, error pages, rate limits, and a trusted proxy when configured."""
    from .errors import init_errors
    from .formatting import init_formatting
    from .forms import csrf
    from .headers import init_headers
    from .limits import init_rate_limits
    from .navigation import language_url, navigation
    from .params import IdConverter, refuse_nul
    from .session import SessionInterface
    from .urls import external_url

    csrf.init_app(app)
    # Before any blueprint registers its routes: every <int:…> of the app is an id, at most
    # the largest INTEGER of PostgreSQL (a larger one overflows SQLite and PostgreSQL alike).
    app.url_map.converters["int"] = IdConverter
    app.session_interface = SessionInterface()
    init_formatting(app)
    app.context_processor(lambda: {"navigation": navigation, "language_url": language_url,
                                   "current_language": str(get_locale())})
    app.jinja_env.globals.update(external_url=external_url)
    app.before_request(refuse_nul)
    init_headers(app)
    init_errors(app)
    init_rate_limits(app)
    if app.config.get("TRUST_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # X-Forwarded-Host only when told: absolute URLs come from SITE_URL (external_url), and a
        # client-chosen host must not reach request.host unless the proxy is known to set it.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1 if app.config.get("TRUST_PROXY_HOST") else 0)
