"""Absolute URLs of this site, from ``SITE_URL`` only."""
from flask import current_app, url_for


def site_url() -> str:
    """This site's address (``SITE_URL``: scheme, host and port), with no trailing slash."""
    return current_app.config["SITE_URL"].rstrip("/")


def external_url(endpoint: str, **values) -> str:
    """An absolute URL of this site built from ``SITE_URL``, never from the request's ``Host``
    or ``X-Forwarded-Host``: such URLs end up in cached pages (``og:image``), in badges that
    outlive the request (Open Badges ids) and in documents others keep, so a visitor's
    header must not decide them."""
    return site_url() + url_for(endpoint, **values)
