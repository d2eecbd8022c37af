"""Every route of the app with a sample request and who may open it, for the seeded test
world of tests/factories.py (units LC > TP > {BL, THCS}; the manager runs THCS) with the
campaign bdhvs-2025 loaded and the fixtures of tests/test_access.py (``{extra}``: an
account to reset and enable; ``{job}``, ``{dry_job}``: import jobs the admin started).

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
READERS = frozenset(("admin", "home_affairs", "viewer"))  # the province's reports


@dataclass(frozen=True)
class Sample:
    endpoint: str
    method: str
    url: str
    allowed: frozenset
    data: dict | None = None  # form fields for a POST (a CSRF token is added)
    note: str = ""
    html: bool = True  # False: a document or a file (JSON-LD, PNG, CSV), not a page
    api: bool = False  # the JSON API: opened with a bearer token (data sent as JSON), never a cookie

    @property
    def page(self) -> bool:
        """An HTML page (for the accessibility check)."""
        return (self.method == "GET" and self.html and not self.api
                and not self.url.partition("?")[0].endswith((".csv", ".json", ".png", ".xlsx", ".pdf")))


SAMPLES = [
    Sample("leaderboards.home", "GET", "/", EVERYONE),
    Sample("leaderboards.board", "GET", "/leaderboards", EVERYONE),
    Sample("leaderboards.board", "GET", "/leaderboards?board=people&commune=TP", EVERYONE),
    Sample("leaderboards.board", "GET", "/leaderboards?board=households&find=H1", EVERYONE),
    Sample("leaderboards.board", "GET", "/leaderboards?board=people&print=1", EVERYONE, note="the A4 print"),
    Sample("leaderboards.board", "GET", "/leaderboards?board=people&find=lo+thi+binh", EVERYONE,
           note="a person found: the summary and the five above and below"),
    Sample("leaderboards.board", "GET", "/leaderboards?board=people&find=l", EVERYONE, note="matches listed"),
    Sample("leaderboards.unit", "GET", "/leaderboards/units/TP", EVERYONE,
           note="a unit's public page; 404 until a publication exists"),
    Sample("leaderboards.share_image", "GET", "/leaderboards/share.png?board=people", EVERYONE,
           note="404 until a publication exists"),
    Sample("leaderboards.improved_board", "GET", "/leaderboards/improved", EVERYONE),
    Sample("leaderboards.improved_board", "GET", "/leaderboards/improved?period=month&board=people", EVERYONE),
    Sample("leaderboards.improved_share_image", "GET", "/leaderboards/improved.png?board=people", EVERYONE,
           note="404 until a publication exists"),
    Sample("badges.issuer", "GET", "/badges/issuer", EVERYONE, html=False),
    Sample("badges.badge_class", "GET", "/badges/classes/bdhvs-2025/citizen", EVERYONE, html=False),
    Sample("badges.class_image", "GET", "/badges/classes/bdhvs-2025/unit_gold.png", EVERYONE),
    Sample("badges.assertion", "GET", "/badges/assertions/{award}", EVERYONE, html=False),
    Sample("badges.assertion_image", "GET", "/badges/assertions/{award}.png", EVERYONE),
    Sample("badges.verify", "GET", "/badges/verify", EVERYONE),
    Sample("badges.verify", "GET", "/badges/verify?id={award}", EVERYONE, note="a valid badge"),
    Sample("badges.verify", "POST", "/badges/verify", EVERYONE, {}, note="no file: form errors"),
    Sample("badges.progress", "GET", "/p/{code}", EVERYONE),
    Sample("badges.progress_lookup", "GET", "/p", EVERYONE),
    Sample("accounts.tokens", "GET", "/account/tokens", SIGNED_IN),
    Sample("accounts.tokens", "POST", "/account/tokens", SIGNED_IN, {"name": ""}, note="no name: form errors"),
    Sample("api.openapi", "GET", "/api/v1/openapi.json", EVERYONE, api=True),
    Sample("api.campaigns", "GET", "/api/v1/campaigns", SIGNED_IN, api=True),
    Sample("api.leaderboard", "GET", "/api/v1/campaigns/bdhvs-2025/leaderboards/people", SIGNED_IN, api=True,
           note="404 until published"),
    Sample("api.person", "GET", "/api/v1/people/P3", STAFF, api=True),
    Sample("api.person", "GET", "/api/v1/people/P1", PROVINCE_STAFF, api=True, note="above the manager's unit"),
    Sample("api.household", "GET", "/api/v1/households/H1", PROVINCE_STAFF, api=True),
    Sample("api.badge", "GET", "/api/v1/badges/{award}", SIGNED_IN, api=True),
    Sample("api.completions", "POST", "/api/v1/completions", EDITORS, {"rows": []}, api=True,
           note="no rows: 400"),
    Sample("accounts.login", "GET", "/login", EVERYONE),
    Sample("accounts.login", "POST", "/login", EVERYONE, {"email": "nobody@laichau.test", "password": "wrong"},
           note="a failed sign-in (signed-in people are sent on)"),
    Sample("accounts.change_password", "GET", "/account/password", SIGNED_IN),
    Sample("accounts.change_password", "POST", "/account/password", SIGNED_IN,
           {"current": "wrong", "new": "x", "confirm": "y"}, note="refused by the form"),
    Sample("accounts.users", "GET", "/admin/users", ADMIN),
    Sample("accounts.users", "POST", "/admin/users", ADMIN, {"email": "not an email", "role": "viewer"}),
    Sample("accounts.reset_password", "POST", "/admin/users/{extra}/reset", ADMIN),
    Sample("accounts.set_active", "POST", "/admin/users/{extra}/active", ADMIN, {"active": "1"}),
    Sample("accounts.revoke_tokens", "POST", "/admin/users/{extra}/tokens/revoke", ADMIN),
    Sample("emulation.dashboard", "GET", "/dashboard", SIGNED_IN),
    Sample("emulation.dashboard", "GET", "/dashboard?campaign=bdhvs-2025", SIGNED_IN),
    Sample("emulation.campaigns", "GET", "/campaigns", SIGNED_IN),
    Sample("emulation.campaigns", "POST", "/campaigns", ADMIN, {"toml": "code = 1"}, note="an invalid file"),
    Sample("emulation.campaign", "GET", "/campaigns/bdhvs-2025", SIGNED_IN),
    Sample("emulation.campaign", "POST", "/campaigns/bdhvs-2025", ADMIN, {"toml": "code = 1"}),
    Sample("emulation.campaign_rules", "POST", "/campaigns/bdhvs-2025/rules", ADMIN, {"mentee_points": "x"},
           note="a rule of the wrong kind: shown at its field"),
    Sample("accounts.audit_log", "GET", "/admin/audit", ADMIN),
    Sample("emulation.imports", "GET", "/imports", EDITORS),
    Sample("emulation.imports", "POST", "/imports", EDITORS, {"kind": "units"}, note="no file: form errors"),
    Sample("emulation.import_job", "GET", "/imports/{job}", ADMIN, note="the admin's job"),
    Sample("emulation.import_job_status", "GET", "/imports/{job}/status.json", ADMIN),
    Sample("emulation.import_job_report", "GET", "/imports/{job}/report.csv", ADMIN),
    Sample("emulation.import_job_rejects", "GET", "/imports/{job}/rejects.csv", ADMIN),
    Sample("emulation.import_job_commit", "POST", "/imports/{dry_job}/commit", ADMIN),
    Sample("emulation.nominee_lists", "GET", "/nominees", PROVINCE_STAFF),
    Sample("emulation.nominee_lists", "POST", "/nominees", PROVINCE_STAFF, {"as_of": "31.12"},
           note="not a date: form errors"),
    Sample("emulation.nominee_list", "GET", "/nominees/{nominees}", PROVINCE_STAFF),
    Sample("emulation.nominee_list", "POST", "/nominees/{nominees}", PROVINCE_STAFF, {"action": "add"},
           note="no code, no reason: form errors"),
    Sample("emulation.nominee_rederive", "POST", "/nominees/{nominees}/rederive", PROVINCE_STAFF),
    Sample("emulation.nominee_download", "GET", "/nominees/{nominees}.csv", PROVINCE_STAFF),
    Sample("emulation.nominee_freeze", "POST", "/nominees/{nominees}/freeze", PROVINCE_STAFF,
           note="freezes the list: after the other samples of it"),
    Sample("emulation.reports", "GET", "/reports", READERS),
    Sample("emulation.report_download", "GET", "/reports/bdhvs-2025/2025-Q2.xlsx", READERS),
    Sample("emulation.units", "GET", "/units", STAFF),
    Sample("emulation.unit", "GET", "/units/THCS", STAFF),
    Sample("emulation.unit", "GET", "/units/TP", PROVINCE_STAFF, note="above the manager's unit"),
    Sample("emulation.unit", "GET", "/units/BL?page=1&q=L%C3%B2", PROVINCE_STAFF, note="a sibling, searched"),
    Sample("emulation.unit_pupils", "POST", "/units/THCS/pupils", EDITORS, {"hide": "0"},
           note="the school's pupils stay shown: nothing changes"),
    Sample("emulation.unit_pupils", "POST", "/units/TP/pupils", ADMIN, {"hide": "0"},
           note="above the manager's unit (and not a school: 400 for the admin)"),
    Sample("emulation.person", "GET", "/people/P3", STAFF),
    Sample("emulation.person", "GET", "/people/P1", PROVINCE_STAFF),
    Sample("emulation.household", "GET", "/households/H1", PROVINCE_STAFF),
    # The admin's own token (another's answers 404); after the API samples, which use it.
    Sample("accounts.revoke_token", "POST", "/account/tokens/{token}/revoke", SIGNED_IN),
    # Last: it ends the session.
    Sample("accounts.logout", "POST", "/logout", SIGNED_IN),
]
