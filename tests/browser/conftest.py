"""End-to-end tests in a real browser: Debian's Chromium driven by Playwright for Python
(no browser download), against the app served on 127.0.0.1 by a thread of this process.

They need ``/usr/bin/chromium`` (``apt-get install chromium``, done by ``.ci/run``), the
``playwright`` package and axe-core: the test extras' ``axe-playwright-python`` ships it, and
``node_modules/axe-core`` (``npm ci``, done by ``.ci/run``) is taken first when present (its
version is pinned by package-lock.json). Without them the tests are skipped, saying what is
missing (and fail when ``REQUIRE_BROWSER`` is set, as in CI).
"""
import logging
import os
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _axe() -> Path:
    """axe-core's script: npm's copy when installed, else the one axe-playwright-python ships."""
    npm = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if npm.exists():
        return npm
    try:
        import axe_playwright_python
    except ImportError:
        return npm
    return Path(axe_playwright_python.__file__).parent / "axe.min.js"


AXE = _axe()
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# The flags that keep Chromium from reaching out to the network on a closed machine.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if not AXE.exists():
        return "axe-core is not installed (pip install -e '.[test]', or npm ci)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get("REQUIRE_BROWSER"):  # CI: the tools must be there
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def site(tmp_path, browser):
    """The seeded province (tests/factories.py) with one account per role and the 2025
    campaign with its boards published, served on a free port; imports run in background
    threads, as in production."""
    from werkzeug.serving import make_server

    from app import create_app
    from extensions import db
    from tests.conftest import Files, Imports
    from tests.pages import EMAILS, MANAGER_UNIT, PASSWORD

    app = create_app({"TESTING": False, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'site.sqlite3'}",
                      "SECRET_KEY": "browser-test", "NATIONAL_ID_KEY": "browser-test",
                      "IMPORT_JOBS_DIR": str(tmp_path / "jobs"),
                      "SHARE_IMAGES_DIR": str(tmp_path / "share"), "BADGE_IMAGES_DIR": str(tmp_path / "badges"),
                      "REPORTS_DIR": str(tmp_path / "reports")})
    with app.app_context():
        db.create_all()
        from accounts.services import create_user
        from emulation.campaigns import load_campaign

        Imports(app, Files(tmp_path)).seed()
        for role, email in EMAILS.items():
            create_user(email, role, unit_code=MANAGER_UNIT if role == "manager" else None, password=PASSWORD,
                        actor="test", must_change_password=False)
        campaign = load_campaign((ROOT / "campaigns" / "bdhvs-2025.toml").read_text(encoding="utf-8"),
                                 actor="test")[0]
        # A published board, so that the public pages show their tables.
        from datetime import date

        from leaderboards.publishing import publish

        publish(campaign, date(2025, 12, 31), actor="test")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    thread.join()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def context(browser):
    """A fresh browser profile (no cookies); axe-core is injected, so the page's CSP is bypassed."""
    ctx = browser.new_context(locale="vi-VN", bypass_csp=True)
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
