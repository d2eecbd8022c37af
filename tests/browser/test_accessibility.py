"""WCAG 2.1 AA: axe-core finds no violation on any page (every GET page of tests/routes.py,
as someone allowed to open it), in Vietnamese and in English."""
import json

import pytest

from tests.browser.conftest import AXE, sign_in
from tests.routes import ADMIN, ANONYMOUS, SAMPLES, Sample
from tests.web import EMAILS, PASSWORD

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _job_ids(app) -> dict:
    """Two import jobs of the admin, for the job pages (as tests/test_access.py makes them)."""
    import io
    from datetime import date

    from accounts.models import User
    from emulation import import_jobs
    from extensions import db
    from tests import factories as f

    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.email == EMAILS["admin"]))
        rows = [{"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 4, 1), "source": "mooc"},
                {"person_id": "NOPE", "skill_code": "S1", "completed_on": date(2025, 4, 1), "source": "mooc"}]
        ids = {}
        for name, dry_run, data in (("job", False, rows), ("dry_job", True, rows[:1])):
            job = import_jobs.create_job("completions", io.BytesIO(f.csv_bytes(data)), "c.csv", user_id=admin.id,
                                         actor=admin.email, scope_path=None, dry_run=dry_run, skip_invalid=not dry_run)
            ids[name] = import_jobs.run_job(job).id
        ids["queued"] = import_jobs.create_job("completions", io.BytesIO(f.csv_bytes(rows)), "c.csv", user_id=admin.id,
                                               actor=admin.email, scope_path=None, dry_run=True, skip_invalid=False).id
        return {"extra": 0, **ids}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_axe_violation_on_any_page(site, browser, language):
    base, app = site
    ids = _job_ids(app)
    axe = AXE.read_text(encoding="utf-8")
    found, weights = {}, {}
    for who in (ANONYMOUS, "admin", "manager"):
        ctx = browser.new_context(bypass_csp=True, locale="vi-VN")
        page = ctx.new_page()
        if who != ANONYMOUS:
            sign_in(page, base, EMAILS[who], PASSWORD)
        page.goto(f"{base}/login?lang={language}" if who == ANONYMOUS else f"{base}/dashboard?lang={language}")
        samples = SAMPLES + ([Sample("emulation.import_job", "GET", "/imports/{queued}", ADMIN,
                                     note="an import still running: the progress bar")] if who == "admin" else [])
        for s in samples:
            if not s.page or who not in s.allowed:
                continue
            url = base + s.url.format(**ids)
            response = page.goto(url)
            assert response.status < 400, (url, response.status)
            weights[s.url] = len(response.body())
            if "queued" in s.url:
                page.wait_for_selector("progress")
            page.add_script_tag(content=axe)
            result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
            found[f"{who} {s.url}"] = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                                       for v in result["violations"]]
        ctx.close()
    print(f"\naxe ({language}): {len(found)} pages, violations per page: "
          + json.dumps({k: len(v) for k, v in found.items()}, ensure_ascii=False))
    print(f"largest HTML page: {max(weights.values())} bytes ({max(weights, key=weights.get)})")
    assert {k: v for k, v in found.items() if v} == {}
