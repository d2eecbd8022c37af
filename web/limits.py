"""Rate limits declared on views or blueprints, counted by Flask-Limiter (in Redis when
``REDIS_URL`` is set)."""
from collections.abc import Callable
from dataclasses import dataclass
from time import time

from flask import current_app, request


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
