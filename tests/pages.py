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


def admin_import_jobs(app, admin_email: str) -> dict[str, str]:
    """Import jobs started by the admin, for the job pages: ``job`` imported a completions
    file with one rejected row set aside (so it has rejects), ``dry_job`` checked a good one
    (so it can be imported), ``queued`` has not started (its page shows the progress bar)."""
    import io
    from datetime import date

    from accounts.models import User
    from emulation.imports import jobs as import_jobs
    from extensions import db

    from . import factories as f

    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.email == admin_email))
        rows = [{"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 4, 1), "source": "mooc"},
                {"person_id": "NOPE", "skill_code": "S1", "completed_on": date(2025, 4, 1), "source": "mooc"}]

        def job(data, dry_run, skip_invalid):
            return import_jobs.create_job("completions", io.BytesIO(f.csv_bytes(data)), "c.csv", user_id=admin.id,
                                          actor=admin.email, scope_path=None, dry_run=dry_run,
                                          skip_invalid=skip_invalid)

        return {"job": import_jobs.run_job(job(rows, False, True)).id,
                "dry_job": import_jobs.run_job(job(rows[:1], True, False)).id,
                "queued": job(rows, True, False).id}


def awarded_badge(app) -> dict[str, str]:
    """The 2025 campaign's badges awarded as of 31 December (the world must have P1
    universalized, as admin_import_jobs leaves it): P1's citizen award and progress code,
    for the badge pages."""
    from datetime import date

    import sqlalchemy as sa

    from badges.awarding import award
    from emulation.models import Campaign
    from extensions import db

    with app.app_context():
        award(db.session.scalar(sa.select(Campaign).where(Campaign.code == "bdhvs-2025")), date(2025, 12, 31))
        award_id, code = db.session.execute(sa.text(
            "SELECT a.id, c.code FROM awards a JOIN people p ON p.id = a.recipient_id "
            "JOIN progress_codes c ON c.recipient_type = 'person' AND c.recipient_id = p.id "
            "WHERE a.badge = 'citizen' AND a.recipient_type = 'person' AND p.external_id = 'P1'")).one()
    return {"award": award_id, "code": code}


def nominee_list(app) -> dict[str, int]:
    """A draft nominee list of the 2025 campaign as of 31 December, for its pages."""
    from datetime import date

    import sqlalchemy as sa

    from emulation.commendation.nominees import generate
    from emulation.models import Campaign
    from extensions import db

    with app.app_context():
        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == "bdhvs-2025"))
        return {"nominees": generate(campaign, date(2025, 12, 31), actor="test").id}


def make_token(app, email: str) -> tuple[int, str]:
    """An API token made on the tokens page by the account ``email``: its id and the token."""
    import re

    import sqlalchemy as sa

    from accounts.models import ApiToken
    from extensions import db

    web = Web(app.test_client())
    web.login(email, PASSWORD)
    page = web.post("/account/tokens", {"name": "tests"}).get_data(as_text=True)
    token = re.search(r"(tds_[A-Za-z0-9_-]{20,})", page).group(1)
    with app.app_context():
        return db.session.scalar(sa.select(ApiToken.id).where(ApiToken.hint == token[:10])), token
