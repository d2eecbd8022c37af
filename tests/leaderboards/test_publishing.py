"""Publications (SPEC §3): every board frozen as of a date, ranks equal to the export's,
movement against the previous publication, one publication per date."""
from datetime import date

import sqlalchemy as sa

from emulation.models import Campaign
from extensions import db
from leaderboards.boards import BoardQuery, entries

DAY1, DAY2 = date(2025, 6, 30), date(2025, 12, 31)


def _published(probe, as_of, board):
    return probe.all(
        "SELECT e.key, e.rank, e.movement FROM published_entries e JOIN publications p ON p.id = e.publication_id "
        "WHERE p.as_of = :d AND e.board = :b ORDER BY e.rank, e.key", d=as_of, b=board)


def test_publish_freezes_every_board_with_its_movement(world, runner, probe, app, campaign):
    world.load("completions", [
        {"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 3, 15), "source": "mooc"},
        {"person_id": "P2", "skill_code": "S1", "completed_on": date(2025, 5, 5), "source": "session"}])
    result = runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025", "--as-of", DAY1.isoformat()])
    assert result.exit_code == 0, result.output
    first = _published(probe, DAY1, "people")
    assert first[:2] == [("P1", 1, None), ("P2", 2, None)]  # nothing before: no movement

    # P4 overtakes both; P3 joins P1's points.
    world.load("completions", [
        {"person_id": "P4", "skill_code": "S1", "completed_on": date(2025, 7, 1), "source": "mooc"},
        {"person_id": "P4", "skill_code": "S2", "completed_on": date(2025, 7, 2), "source": "mooc"},
        {"person_id": "P3", "skill_code": "S2", "completed_on": date(2025, 7, 3), "source": "mooc"}])
    assert runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025",
                               "--as-of", DAY2.isoformat()]).exit_code == 0
    second = {key: (rank, movement) for key, rank, movement in _published(probe, DAY2, "people")}
    assert second["P4"] == (1, 2)  # was 3rd (tied with P3 at 0 points), now 1st: up 2
    # P4 30 points, P3 20 (S2), then P1 and P2 10 each: P1 from 1st to 3rd, P3 new to points.
    assert second["P1"] == (3, -2) and second["P3"] == (2, 1) and second["P2"] == (4, -2)
    # The first publication has not changed.
    assert _published(probe, DAY1, "people") == first

    with app.app_context():
        c = db.session.scalar(sa.select(Campaign))
        from emulation.scoring.scores import recompute

        recompute(c, DAY2)
        c = db.session.scalar(sa.select(Campaign))
        for board in ("people", "households"):
            assert [(k, r) for k, r, _ in _published(probe, DAY2, board)] == sorted(
                ((e.get("external_id") or e["code"], e["rank"]) for e in entries(BoardQuery(c, board))),
                key=lambda x: (x[1], x[0]))
        units = sorted((e["code"], e["rank"]) for e in entries(BoardQuery(c, "units")))
        assert sorted((k, r) for k, r, _ in _published(probe, DAY2, "units")) == units


def test_a_date_is_published_once(world, runner, probe, campaign):
    for _ in range(2):
        result = runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025", "--as-of", "2025-06-30"])
        assert result.exit_code == 0, result.output
    assert probe.count("publications") == 1
    assert probe.count("published_entries") == 4 + 2 + 4  # people, households, units with a headcount


def test_the_scheduler_publishes_each_running_campaign_weekly_and_once(world, app, probe, campaign, monkeypatch):
    from leaderboards import schedule

    scheduler = schedule.build_scheduler(app)
    jobs = {j.id: j for j in scheduler.get_jobs()}
    assert sorted(jobs) == ["publish:bdhvs-2025", "reports", "scores"]
    job = jobs["publish:bdhvs-2025"]
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["day_of_week"], fields["hour"]) == ("mon", "6")  # the campaign's default rule
    assert str(job.trigger.timezone) == "Asia/Ho_Chi_Minh"

    monkeypatch.setattr(schedule, "province_today", lambda: date(2025, 6, 30))
    assert schedule.publish_campaign(app, "bdhvs-2025").created
    assert not schedule.publish_campaign(app, "bdhvs-2025").created  # a second run, or a second scheduler
    assert probe.count("publications") == 1
    monkeypatch.setattr(schedule, "province_today", lambda: date(2026, 2, 2))
    assert schedule.publish_campaign(app, "bdhvs-2025") is None  # the campaign has ended
    assert probe.count("publications") == 1


def test_the_scheduler_scores_each_running_campaign_every_night(world, app, campaign, monkeypatch):
    from emulation.models import ScoreRun
    from extensions import db
    from leaderboards import schedule

    nightly = {j.id: j for j in schedule.build_scheduler(app).get_jobs()}["scores"]
    fields = {f.name: str(f) for f in nightly.trigger.fields}
    assert (fields["hour"], fields["minute"], fields["day_of_week"]) == ("0", "5", "*")
    monkeypatch.setattr(schedule, "province_today", lambda: date(2025, 6, 30))
    assert schedule.rescore_running_campaigns(app) == ["bdhvs-2025"]
    with app.app_context():
        (run,) = db.session.scalars(db.select(ScoreRun)).all()
        assert run.as_of == date(2025, 6, 30)
    monkeypatch.setattr(schedule, "province_today", lambda: date(2026, 2, 2))
    assert schedule.rescore_running_campaigns(app) == []  # the campaign has ended


def _gains(probe, as_of, period, board):
    return probe.all(
        "SELECT g.key, g.rank, g.gained FROM published_gains g JOIN publications p ON p.id = g.publication_id "
        "WHERE p.as_of = :d AND g.period = :k AND g.board = :b ORDER BY g.bracket, g.rank, g.key",
        d=as_of, k=period, b=board)


def test_a_publication_freezes_the_most_improved_of_its_week_and_month_as_the_export_ranks_them(
        world, runner, probe, app, campaign):
    from leaderboards.periods import Period, period_entries

    day = date(2025, 9, 15)  # a Monday: its week is 9 to 15 September, its month 17 August to 15 September
    world.load("completions", [
        {"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 3, 15), "source": "mooc"},  # before both
        {"person_id": "P2", "skill_code": "S1", "completed_on": date(2025, 8, 20), "source": "mooc"},  # the month
        {"person_id": "P3", "skill_code": "S2", "completed_on": date(2025, 9, 10), "source": "mooc"},  # the week
        {"person_id": "P4", "skill_code": "S1", "completed_on": date(2025, 9, 9), "source": "mooc"}])  # its first day
    assert runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025",
                               "--as-of", day.isoformat()]).exit_code == 0
    # Only those who gained something, ranked by what they gained.
    assert _gains(probe, day, "week", "people") == [("P3", 1, 20), ("P4", 2, 10)]
    # Equal gains: who got there first (P2 on 20 August) is ahead.
    assert _gains(probe, day, "month", "people") == [("P3", 1, 20), ("P2", 2, 10), ("P4", 3, 10)]
    assert _gains(probe, day, "week", "households") == [("H2", 1, 10)]
    assert _gains(probe, day, "month", "households") == [("H1", 1, 10), ("H2", 1, 10)]
    # Units by the coverage gained, each in its bracket: the pupil P3 and the citizen P4 in
    # the ward (and the province), one each in the school and the village.
    week_units = probe.all(
        "SELECT g.key, g.bracket, g.rank, g.gained, g.coverage_gained FROM published_gains g "
        "WHERE g.period = 'week' AND g.board = 'units' ORDER BY g.bracket, g.rank")
    assert [(k, b, r, n) for k, b, r, n, _ in week_units] == [
        ("LC", "province", 1, 2), ("THCS", "school", 1, 1), ("BL", "village", 1, 1), ("TP", "ward", 1, 2)]
    with app.app_context():
        c = db.session.scalar(sa.select(Campaign))
        for kind, first in (("week", date(2025, 9, 9)), ("month", date(2025, 8, 17))):
            for board in ("people", "households", "units"):
                exported = [e for e in period_entries(BoardQuery(c, board), Period(kind, first, day))
                            if (e.get("points_gained") or e.get("universalized_gained") or 0) > 0]
                assert sorted((e.get("external_id") or e["code"], e["rank"]) for e in exported) == sorted(
                    (k, r) for k, r, _ in _gains(probe, day, kind, board)), (kind, board)


def test_a_publication_keeps_the_campaign_at_a_glance(world, runner, app, campaign):
    from leaderboards.models import Publication

    world.load("completions", [
        {"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 3, 15), "source": "mooc"},
        {"person_id": "P3", "skill_code": "S2", "completed_on": date(2025, 3, 10), "source": "mooc"}])
    for day in ("2025-03-12", "2025-06-30"):
        assert runner.invoke(args=["leaderboard", "publish", "--campaign", "bdhvs-2025", "--as-of", day]).exit_code == 0
    with app.app_context():
        early, late = db.session.scalars(sa.select(Publication).order_by(Publication.as_of)).all()
        # The ward's declared headcounts (40 cadres, 900 citizens, and the village's two
        # registered citizens) and the school's 300 pupils.
        assert late.summary["groups"] == {"cadre": [1, 40], "student": [1, 300], "worker": [0, 0],
                                          "citizen": [0, 902]}
        assert late.summary["certified"] == 1  # the cadre; the pupil is not counted
        assert late.summary["targets"]["certified"] == 170000
        assert late.summary["periods"] == {"week": ["2025-06-24", "2025-06-30"], "month": ["2025-06-01", "2025-06-30"]}
        # Frozen: the earlier one keeps its own figures and windows cut at the campaign's start.
        assert early.summary["groups"]["cadre"] == [0, 40] and early.summary["groups"]["student"] == [1, 300]
        assert early.summary["certified"] == 0
        assert early.summary["periods"] == {"week": ["2025-03-06", "2025-03-12"], "month": ["2025-03-01", "2025-03-12"]}
