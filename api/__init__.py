"""The JSON API under ``/api/v1`` (SPEC §6): bearer tokens per account (accounts), the
same roles and unit scope as the pages, and an OpenAPI 3.1 document at
``/api/v1/openapi.json``.

At the top with the command line: it may import every package's services, and none
imports it."""


def register(app) -> None:
    from web.forms import csrf

    from .views import bp

    # Only bearer tokens open the API (a session cookie opens nothing there, see
    # accounts.access), so a cross-site form cannot act for anyone: no CSRF token to ask.
    csrf.exempt(bp)
    app.register_blueprint(bp)
