"""The session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS; never read or set under the API."""
from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface


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
