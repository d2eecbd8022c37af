"""The first run (issue 16): ``demo load`` leaves a province as it looks mid-campaign on the
day it is loaded: events up to yesterday inside the campaigns' windows, scores, badges,
personal codes and the weekly publications of the campaign so far, with their movement."""
from datetime import date

import click
import pytest

from emulation.demo import province as demo

TODAY = date(2026, 12, 3)  # a Thursday; the last Monday is 30/11/2026
WINDOWS = [(date(2025, 3, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 12, 31))]


def test_the_demo_stands_on_the_day_it_is_loaded(app, runner, monkeypatch, probe, client):
    monkeypatch.setattr(demo, "province_today", lambda: TODAY)
    loaded = runner.invoke(args=["demo", "load", "--people", "300", "--seed", "5", "--all-weeks"])
    assert loaded.exit_code == 0, loaded.output
    events_run_up_to_yesterday_inside_the_campaigns(probe)
    scores_badges_and_codes_exist_without_opening_a_page(loaded, probe)
    the_weeks_so_far_are_published_each_as_of_its_monday_with_movement(probe)
    the_public_board_shows_movement(client)


def events_run_up_to_yesterday_inside_the_campaigns(probe):
    last = {t: probe.scalar(f"SELECT max({c}) FROM {t}") for t, c in
            (("completions", "completed_on"), ("activities", "occurred_on"), ("mentorships", "started_on"))}
    assert max(str(v) for v in last.values()) <= "2026-12-02"
    # Not stopped in October: the last weeks have events of their own.
    assert probe.scalar("SELECT count(*) FROM completions WHERE completed_on >= '2026-11-01'") > 0
    assert probe.scalar("SELECT count(*) FROM activities WHERE occurred_on >= '2026-11-01'") > 0
    assert str(probe.scalar("SELECT min(completed_on) FROM completions")) >= "2025-03-01"


def scores_badges_and_codes_exist_without_opening_a_page(loaded, probe):
    runs = dict(probe.all("SELECT c.code, r.as_of FROM score_runs r JOIN campaigns c ON c.id = r.campaign_id"))
    assert {code: str(day) for code, day in runs.items()} == {"bdhvs-2025": "2026-12-03", "bdhvs-2026": "2026-12-03"}
    for code in ("bdhvs-2025", "bdhvs-2026"):
        assert probe.scalar("SELECT count(*) FROM person_scores s JOIN campaigns c ON c.id = s.campaign_id "
                            "WHERE c.code = :code AND s.points > 0", code=code) > 50
        assert probe.scalar("SELECT count(*) FROM awards a JOIN campaigns c ON c.id = a.campaign_id "
                            "WHERE c.code = :code AND a.revoked_on IS NULL", code=code) > 0
    assert probe.count("progress_codes") > 0
    assert "bdhvs-2026: 48" in loaded.output


def the_weeks_so_far_are_published_each_as_of_its_monday_with_movement(probe):
    pubs = probe.all("SELECT c.code, count(*), min(p.as_of), max(p.as_of) FROM publications p "
                     "JOIN campaigns c ON c.id = p.campaign_id GROUP BY c.code ORDER BY c.code")
    assert [(code, n, str(lo), str(hi)) for code, n, lo, hi in pubs] == [
        ("bdhvs-2025", 44, "2025-03-03", "2025-12-29"),  # ended: its own window, every Monday of it
        ("bdhvs-2026", 48, "2026-01-05", "2026-11-30"),
    ]
    latest = probe.scalar("SELECT p.id FROM publications p JOIN campaigns c ON c.id = p.campaign_id "
                          "WHERE c.code = 'bdhvs-2026' ORDER BY p.as_of DESC LIMIT 1")
    moved = probe.scalar("SELECT count(*) FROM published_entries WHERE publication_id = :p AND movement <> 0",
                         p=latest)
    assert moved > 0
    # Each week is published from the scores as of its own day: points only grow week by week.
    points = [p for (p,) in probe.all(
        "SELECT sum(e.points) FROM published_entries e JOIN publications p ON p.id = e.publication_id "
        "JOIN campaigns c ON c.id = p.campaign_id WHERE c.code = 'bdhvs-2026' AND e.board = 'people' "
        "GROUP BY p.as_of ORDER BY p.as_of")]
    assert points == sorted(points) and points[0] < points[-1]
    # The first week's entries are all new (no movement), a later week's are not.
    first = probe.scalar("SELECT min(p.id) FROM publications p JOIN campaigns c ON c.id = p.campaign_id "
                         "WHERE c.code = 'bdhvs-2026'")
    assert probe.scalar("SELECT count(movement) FROM published_entries WHERE publication_id = :p", p=first) == 0


def the_public_board_shows_movement(client):
    page = client.get("/leaderboards?campaign=bdhvs-2026&board=people")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "30/11/2026" in html
    assert 'class="move up"' in html and 'class="move down"' in html


def test_same_seed_same_province_for_the_same_day(tmp_path):
    def files(today, folder):
        folder.mkdir()
        demo.DemoProvince(300, 5, demo.Calendar(WINDOWS, today)).write(folder)
        return {p.name: p.read_bytes() for p in folder.iterdir()}

    first, again = files(TODAY, tmp_path / "a"), files(TODAY, tmp_path / "b")
    assert first == again
    later = files(date(2027, 3, 1), tmp_path / "c")  # both campaigns have ended: they keep their windows
    last_day = max(line.split(b",")[2] for line in later["completions.csv"].splitlines()[1:])
    assert last_day <= b"2026-12-31"


def test_a_load_day_early_in_the_first_campaign_has_no_event_of_the_second():
    cal = demo.Calendar(WINDOWS, date(2025, 6, 15))
    assert cal.last == date(2025, 6, 14) and set(cal.year_windows) == {2025}
    with pytest.raises(click.ClickException):
        demo.Calendar(WINDOWS, date(2025, 3, 1))


def test_by_default_the_last_six_weeks_of_each_campaign_are_published(app, runner, monkeypatch, probe):
    """Enough for movement, new entries and the month's most improved, in a few seconds."""
    monkeypatch.setattr(demo, "province_today", lambda: TODAY)
    loaded = runner.invoke(args=["demo", "load", "--people", "200", "--seed", "5"])
    assert loaded.exit_code == 0, loaded.output
    pubs = probe.all("SELECT c.code, count(*), min(p.as_of), max(p.as_of) FROM publications p "
                     "JOIN campaigns c ON c.id = p.campaign_id GROUP BY c.code ORDER BY c.code")
    assert [(code, n, str(lo), str(hi)) for code, n, lo, hi in pubs] == [
        ("bdhvs-2025", 6, "2025-11-24", "2025-12-29"), ("bdhvs-2026", 6, "2026-10-26", "2026-11-30")]
    latest = probe.scalar("SELECT p.id FROM publications p JOIN campaigns c ON c.id = p.campaign_id "
                          "WHERE c.code = 'bdhvs-2026' ORDER BY p.as_of DESC LIMIT 1")
    assert probe.scalar("SELECT count(*) FROM published_entries WHERE publication_id = :p AND movement <> 0",
                        p=latest) > 0
