"""The demo province: generated through the real importers, deterministic, idempotent."""
import re

from emulation.models import GROUPS


def test_demo_loads_a_realistic_province_and_reloading_changes_nothing(app, runner, probe):
    result = runner.invoke(args=["demo", "load", "--people", "400", "--seed", "3"])
    assert result.exit_code == 0, result.output
    kinds = dict(probe.all("SELECT kind, count(*) FROM units GROUP BY kind"))
    assert kinds["province"] == 1 and kinds["commune"] == 36 and kinds["ward"] == 2
    assert {"village", "school", "class", "agency"} <= set(kinds)
    groups = dict(probe.all('SELECT "group", count(*) FROM people GROUP BY "group"'))
    assert set(groups) == set(GROUPS) and sum(groups.values()) == 400
    assert probe.count("completions") > 400 and probe.count("households") > 0
    assert probe.count("campaigns") == 2
    # Every person's unit path is a chain of real ids from the province down.
    assert probe.scalar("SELECT count(*) FROM units WHERE path = '' OR path NOT LIKE '/%/'") == 0
    # No national id in clear anywhere: only hashes and last three digits.
    assert probe.scalar("SELECT count(*) FROM people WHERE national_id_hash IS NOT NULL") > 0
    assert probe.scalar("SELECT max(length(national_id_hash)) FROM people") == 64

    domain = ("units", "households", "people", "skills", "completions", "activities", "mentorships")

    def data():
        return {t: sorted(map(repr, probe.rows(t))) for t in domain}

    before = data()
    again = runner.invoke(args=["demo", "load", "--people", "400", "--seed", "3"])
    assert again.exit_code == 0, again.output
    # The summary's last figure is the number of records created or changed.
    assert re.search(r"; 0 (bản ghi|records)", again.output), again.output
    # A reload records itself in the audit log, but the province's data are untouched.
    assert data() == before
