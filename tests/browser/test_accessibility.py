"""WCAG 2.1 AA and small phones: on every page (every GET page of tests/routes.py, as someone
allowed to open it) axe-core finds no violation, and nothing is wider than the screen: in
Vietnamese on a 360 px phone, in English on a 1280 px screen.

"Nothing wider": the page's ``scrollWidth`` and every table's stay within ``innerWidth`` (a
table in a scrolling box would keep the page narrow while hiding its columns); at 360 px
the page's header (the menu folded) is at most 160 px tall."""
import json

import pytest

from tests.pages import EMAILS, PASSWORD, admin_import_jobs, awarded_badge, nominee_list
from tests.routes import ADMIN, ANONYMOUS, SAMPLES, Sample

from .conftest import AXE, sign_in

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
HEADER_MAX_PX = 160  # at 360 px
MEASURE = """() => ({page: document.documentElement.scrollWidth, screen: window.innerWidth,
  header: document.querySelector('body > header') ? document.querySelector('body > header').offsetHeight : 0,
  tables: [...document.querySelectorAll('table')].map(t => t.scrollWidth)})"""


@pytest.mark.parametrize("language,width", [("vi", 360), ("en", 1280)])
def test_no_axe_violation_and_nothing_too_wide_on_any_page(site, browser, language, width):
    base, app = site
    ids = {"extra": 0, **admin_import_jobs(app, EMAILS["admin"])}
    ids.update(awarded_badge(app))
    ids.update(nominee_list(app))
    axe = AXE.read_text(encoding="utf-8")
    found, weights, too_wide, too_tall, tables = {}, {}, {}, {}, 0
    for who in (ANONYMOUS, "admin", "manager"):
        ctx = browser.new_context(bypass_csp=True, locale="vi-VN", viewport={"width": width, "height": 740})
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
            sizes = page.evaluate(MEASURE)
            tables += len(sizes["tables"])
            wide = [w for w in (sizes["page"], *sizes["tables"]) if w > sizes["screen"]]
            if wide:
                too_wide[f"{who} {s.url}"] = wide
            if width <= 360 and sizes["header"] > HEADER_MAX_PX:
                too_tall[f"{who} {s.url}"] = sizes["header"]
            page.add_script_tag(content=axe)
            result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
            found[f"{who} {s.url}"] = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                                       for v in result["violations"]]
        ctx.close()
    print(f"\naxe ({language}, {width} px): {len(found)} pages, {tables} tables, violations per page: "
          + json.dumps({k: len(v) for k, v in found.items()}, ensure_ascii=False))
    print(f"largest HTML page: {max(weights.values())} bytes ({max(weights, key=weights.get)})")
    assert {k: v for k, v in found.items() if v} == {}
    assert too_wide == {}, f"wider than {width} px (page, then tables)"
    assert too_tall == {}, f"header taller than {HEADER_MAX_PX} px"
