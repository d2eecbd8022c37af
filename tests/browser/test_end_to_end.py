"""A new staff member's path, in a real browser: sign in with the keyboard only, upload a
file with errors and read them, upload a good file, see the dashboard move, sign out; the
pages read without JavaScript, their menu folded on a phone (every page at 360 px:
test_accessibility.py)."""
import re
import time

from tests import factories as f
from tests.pages import EMAILS, PASSWORD

from .conftest import sign_in


def _people_on_dashboard(page) -> int:
    text = page.locator("ul.cards li").first.inner_text()
    return int(re.sub(r"\D", "", text))


def test_sign_in_upload_see_the_dashboard_move_sign_out(site, context, tmp_path):
    base, _app = site
    started = time.monotonic()
    page = context.new_page()
    page.goto(f"{base}/login")
    # Keyboard only: the skip link first, then the menu's sign-in link and language, then the form.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(EMAILS["admin"])
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/dashboard")
    assert page.locator("h1").inner_text() == "Bảng điều khiển"
    people_before = _people_on_dashboard(page)

    bad = tmp_path / "nguoi-loi.csv"
    rows = [{"external_id": "P40", "full_name": "Lò Văn Tú", "group": "citizen", "unit_code": "BL"},
            {"external_id": "P41", "full_name": "Tẩn Thị Sơn", "group": "nông dân", "unit_code": "BL"},
            {"external_id": "P42", "full_name": "Vàng A Sử", "group": "citizen", "unit_code": "KHONG_CO"}]
    f.write_csv(bad, rows)
    page.goto(f"{base}/imports")
    page.select_option("#kind", "people")
    page.set_input_files("#file", str(bad))
    page.uncheck("#dry_run")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#errors")  # the report (the page polls while the import runs)
    cells = page.locator("#errors ~ .table-scroll tbody tr").all_inner_texts()
    assert [c.split("\t")[:3] for c in cells] == [["3", "group", "nông dân"], ["4", "unit_code", "KHONG_CO"]]

    good = tmp_path / "nguoi.csv"
    rows[1]["group"], rows[2]["unit_code"] = "citizen", "TP"
    f.write_csv(good, rows)
    page.goto(f"{base}/imports")
    page.select_option("#kind", "people")
    page.set_input_files("#file", str(good))
    page.click("main form button[type=submit]")  # a dry run first (the default)
    page.click("text=Nhập tệp này ngay")
    page.wait_for_selector(".flash.ok")
    # The three rows of the file, all accepted and written (any "3" on the page passed before).
    flash = page.locator(".flash.ok").inner_text()
    assert "nguoi.csv" in flash and "3 dòng, 3 được nhận, 0 bị loại, 3 bản ghi được tạo mới hoặc thay đổi" in flash, flash

    page.goto(f"{base}/dashboard")
    assert _people_on_dashboard(page) == people_before + 3
    page.click("button:has-text('Đăng xuất')")
    page.wait_for_url(re.compile(r"/login$"))
    page.goto(f"{base}/dashboard")
    assert "/login" in page.url
    print(f"\nbrowser: end-to-end path took {time.monotonic() - started:.1f} s")


def test_pages_read_without_javascript(site, browser):
    base, _app = site
    ctx = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = ctx.new_page()
    sign_in(page, base, EMAILS["viewer"], PASSWORD)
    page.goto(f"{base}/dashboard")
    assert page.locator("table").count() >= 1 and "Cán bộ" in page.content()
    ctx.close()


def test_the_menu_folds_on_a_phone_without_javascript(site, browser):
    """At 360 px the menu is one button that opens it (a <details>: no script); on a wide
    screen the menu is open and the button hidden."""
    base, _app = site
    for width in (360, 1280):
        ctx = browser.new_context(java_script_enabled=False, locale="vi-VN", viewport={"width": width, "height": 740})
        page = ctx.new_page()
        sign_in(page, base, EMAILS["manager"], PASSWORD)
        page.goto(f"{base}/dashboard")
        units = page.get_by_role("link", name="Đơn vị", exact=True)
        button = page.locator("details.menu summary")
        if width == 360:
            assert page.evaluate("document.querySelector('body > header').offsetHeight") <= 160
            assert not units.is_visible() and button.is_visible()
            button.click()
            assert units.is_visible() and page.get_by_role("button", name="Đăng xuất").is_visible()
            units.click()
            page.wait_for_url(f"{base}/units")
            assert not page.get_by_role("link", name="Đơn vị", exact=True).is_visible()  # folded again
        else:
            assert units.is_visible() and not button.is_visible()
        ctx.close()
