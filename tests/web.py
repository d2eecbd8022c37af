"""Helpers for page tests: sign in through the real form, post forms with their CSRF token."""
import re

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery"
# One account per role; the manager runs the school THCS (so TP, BL, LC and the people of
# the ward and the village are outside their scope).
EMAILS = {"admin": "admin@laichau.test", "manager": "manager@laichau.test",
          "home_affairs": "noivu@laichau.test", "viewer": "viewer@laichau.test"}
MANAGER_UNIT = "THCS"


def csrf_token(html: str) -> str:
    m = CSRF.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1) or m.group(2)


class Web:
    """A test client that signs in through /login and sends forms with a valid CSRF token."""

    def __init__(self, client):
        self.client = client
        self._token = None

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def token(self) -> str:
        if self._token is None:
            page = self.client.get("/login")
            if page.status_code == 302:  # signed in: every page carries the sign-out form
                page = self.client.get("/account/password")
            self._token = csrf_token(page.get_data(as_text=True))
        return self._token

    def post(self, url, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token())
        return self.client.post(url, data=data, **kw)

    def login(self, email, password=PASSWORD):
        self._token = None
        r = self.post("/login", {"email": email, "password": password})
        self._token = None  # the session is new after signing in
        return r

    def logout(self):
        r = self.post("/logout")
        self._token = None
        return r
