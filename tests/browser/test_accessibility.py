"""WCAG 2.1 AA: axe-core finds no violation on any page (every GET page of tests/routes.py,
as someone allowed to open it), in Vietnamese and in English."""
import json

import pytest

from tests.pages import EMAILS, PASSWORD, admin_import_jobs, awarded_badge, nominee_list
from tests.routes import ADMIN, ANONYMOUS, SAMPLES, Sample

from .conftest import AXE, sign_in

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_axe_violation_on_any_page(site, browser, language):
    base, app = site
    ids = {"extra": 0, **admin_import_jobs(app, EMAILS["admin"])}
    ids.update(awarded_badge(app))
    ids.update(nominee_list(app))
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
