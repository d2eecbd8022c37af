"""Every route of the app with a sample request and who may open it, for the seeded test
world of tests/factories.py (units LC > TP > {BL, THCS}; the manager runs THCS) with the
campaign bdhvs-2025 loaded.

tests/test_access.py walks this list with every role (and anonymously) and asserts who
gets in; tests/browser/test_accessibility.py runs axe-core on every GET page in it. A new
route must be added here: a test fails while a route of the app has no sample.
"""
from dataclasses import dataclass

ANONYMOUS = "anonymous"
ROLES = ("admin", "manager", "home_affairs", "viewer")
EVERYONE = frozenset((ANONYMOUS, *ROLES))
SIGNED_IN = frozenset(ROLES)
STAFF = frozenset(("admin", "manager", "home_affairs"))
ADMIN = frozenset(("admin",))
EDITORS = frozenset(("admin", "manager"))
PROVINCE_STAFF = frozenset(("admin", "home_affairs"))  # staff minus the THCS manager


@dataclass(frozen=True)
class Sample:
    endpoint: str
    method: str
    url: str
    allowed: frozenset
    data: dict | None = None  # form fields for a POST (a CSRF token is added)
    note: str = ""


SAMPLES = [
    Sample("emulation.home", "GET", "/", EVERYONE),
    Sample("accounts.login", "GET", "/login", EVERYONE),
    Sample("accounts.logout", "POST", "/logout", SIGNED_IN),
    Sample("accounts.change_password", "GET", "/account/password", SIGNED_IN),
    Sample("accounts.users", "GET", "/admin/users", ADMIN),
    Sample("accounts.reset_password", "POST", "/admin/users/4/reset", ADMIN, note="the viewer's account"),
    Sample("accounts.set_active", "POST", "/admin/users/4/active", ADMIN, data={"active": "1"}),
    Sample("emulation.dashboard", "GET", "/dashboard", SIGNED_IN),
]
