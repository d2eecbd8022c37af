"""The campaign rules form (issue 16): each rule of the campaign file a field, checked by the
loader's own rules with every problem at its field, in Vietnamese; saving writes only what
changed into the file, keeping its comments and layout; audited as the file's edit is."""
import html
import re

from tests.pages import EMAILS


def form_values(page: str) -> dict:
    """The rules form's values as a browser would send them."""
    form = page.split('class="rules"', 1)[1].split("</form>", 1)[0]
    values: dict = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or name[1] == "csrf_token":
            continue
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                values.setdefault(name[1], []).append(html.unescape(value[1]))
            else:
                values.setdefault(name[1], [])
        else:
            values[name[1]] = html.unescape(value[1]) if value else ""
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        values[name] = re.search(r'<option value="([^"]+)" selected', options)[1]
    return values


def test_every_rule_is_a_field_for_admins_only(signed_in, world, campaign):
    page = signed_in("admin").get("/campaigns/bdhvs-2025").get_data(as_text=True)
    values = form_values(page)
    assert values["targets.cadre"] == "0.8" and values["targets.certified"] == "170000"
    assert values["starts_on"] == "2025-03-01" and values["groups"] == ["cadre", "student", "worker", "citizen"]
    assert values["mentee_points"] == "20" and values["activity_points.festival"] == "5"
    assert values["badges.unit_tiers.gold"] == "1.0" and values["badges.tier_colours.gold"] == "#8A6508"
    assert values["badges.names.citizen"] == "Công dân số" and values["publication.weekday"] == "mon"
    assert "commune" in values["nominees.collective_brackets"]
    assert re.search(r'<label for="rule-targets-cadre">Chỉ tiêu: [^<]+ \(tỉ lệ, từ 0 đến 1\)</label>', page)
    assert "<textarea" in page  # the raw file stays, for administrators
    for role in ("viewer", "manager", "home_affairs"):
        other = signed_in(role).get("/campaigns/bdhvs-2025").get_data(as_text=True)
        assert 'class="rules"' not in other and "<textarea" not in other
        assert signed_in(role).post("/campaigns/bdhvs-2025/rules", {"mentee_points": "30"}).status_code == 403


def test_saving_writes_what_changed_and_keeps_the_file(signed_in, world, campaign, probe):
    admin = signed_in("admin")
    before = probe.scalar("SELECT source_toml FROM campaigns")
    values = form_values(admin.get("/campaigns/bdhvs-2025").get_data(as_text=True))
    values.update({"mentee_points": "30", "targets.cadre": "0,85", "badges.unit_tiers.gold": "0.95",
                   "publication.weekday": "fri"})
    r = admin.post("/campaigns/bdhvs-2025/rules", values)
    assert r.status_code == 303, r.get_data(as_text=True)
    after = probe.scalar("SELECT source_toml FROM campaigns")
    # Comments and the untouched lines are as they were; the changes are in their tables.
    for line in before.splitlines():
        if line.startswith("#") or line in ("student = 1.00", "worker = 0.80", "certified = 170000"):
            assert line in after.splitlines(), line
    assert "cadre = 0.85" in after and "mentee_points = 30" in after and "cadre = 0.80" not in after
    assert "[badges.unit_tiers]\ngold = 0.95" in after and 'weekday = "fri"' in after
    rules = probe.scalar("SELECT rules FROM campaigns")
    rules = rules if isinstance(rules, dict) else __import__("json").loads(rules)
    assert rules["mentee_points"] == 30 and rules["targets"]["cadre"] == 0.85
    assert rules["badges"]["unit_tiers"] == {"bronze": 0.8, "silver": 0.9, "gold": 0.95}
    # Audited as an edit of the file: the same action, by the administrator.
    assert probe.scalar("SELECT count(*) FROM audit_log WHERE action = 'campaign.update' AND actor = :a",
                        a=EMAILS["admin"]) == 1
    # Sending the form again unchanged changes nothing.
    again = admin.post("/campaigns/bdhvs-2025/rules",
                       form_values(admin.get("/campaigns/bdhvs-2025").get_data(as_text=True)))
    assert again.status_code == 303 and probe.scalar("SELECT source_toml FROM campaigns") == after


def test_each_problem_is_said_at_its_field_in_vietnamese(signed_in, world, campaign, probe):
    admin = signed_in("admin")
    before = probe.scalar("SELECT source_toml FROM campaigns")
    audits = probe.count("audit_log")
    values = form_values(admin.get("/campaigns/bdhvs-2025").get_data(as_text=True))
    values.update({"targets.cadre": "1.8", "publication.hour": "25", "mentee_points": "nhiều",
                   "ends_on": "2025-02-01", "badges.tier_colours.gold": "vàng"})
    r = admin.post("/campaigns/bdhvs-2025/rules", values)
    assert r.status_code == 400
    page = html.unescape(r.get_data(as_text=True))

    def error_of(path):
        found = re.search(rf'id="rule-{path}-error">(.*?)</p>', page, re.S)
        assert found, path
        return found[1]

    assert "từ 0 đến 1" in error_of("targets-cadre")
    assert "0 đến 23" in error_of("publication-hour")
    assert "20" in error_of("mentee_points")  # the loader's own words: "expected something like 20"
    assert "#RRGGBB" in error_of("badges-tier_colours-gold")
    assert 'aria-invalid="true"' in page and 'role="alert"' in page
    # What was typed is shown again, to be corrected.
    assert 'value="nhiều"' in page and 'value="1.8"' in page
    assert probe.scalar("SELECT source_toml FROM campaigns") == before and probe.count("audit_log") == audits


def test_a_date_before_the_start_is_refused_at_the_last_day(signed_in, world, campaign):
    admin = signed_in("admin")
    values = form_values(admin.get("/campaigns/bdhvs-2025").get_data(as_text=True))
    values["ends_on"] = "01/02/2025"  # as the pages write dates
    page = html.unescape(admin.post("/campaigns/bdhvs-2025/rules", values).get_data(as_text=True))
    assert re.search(r'id="rule-ends_on-error">[^<]*starts_on', page)


def test_a_group_left_out_takes_its_target_out_of_the_file(signed_in, world, campaign, probe):
    admin = signed_in("admin")
    values = form_values(admin.get("/campaigns/bdhvs-2025").get_data(as_text=True))
    values["groups"] = ["cadre", "student", "citizen"]
    values["targets.worker"] = ""
    assert admin.post("/campaigns/bdhvs-2025/rules", values).status_code == 303
    after = probe.scalar("SELECT source_toml FROM campaigns")
    assert "worker = 0.80" not in after and 'groups = ["cadre", "student", "citizen"]' in after
    # A group put back without a target: the loader's rule, at the target's field.
    values["groups"] = ["cadre", "student", "worker", "citizen"]
    page = html.unescape(admin.post("/campaigns/bdhvs-2025/rules", values).get_data(as_text=True))
    assert re.search(r'id="rule-targets-worker-error">', page)
