"""Every "at least" of the rules on both sides of its line, computed by hand: a target met
exactly (the dashboard, the reports and the nominee list), a unit tier's coverage, the
pioneer window and the ambassador's mentee count (campaign bdhvs-2025: citizens' target
0.80, starts 2025-03-01, pioneer window 90 days, ambassadors at 5 mentees, bronze at 0.80)."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from extensions import db

AS_OF = date(2025, 12, 31)
DAY_89 = date(2025, 3, 1) + timedelta(days=89)  # the last day of the first 90


@pytest.fixture
def line(world, campaign, app):
    """Communes XA (4 of 5 citizens universalized: 0.80, the target exactly) and XB (3 of 5);
    XA1 a party member universalized on the 90th day, XB1 one on the 91st; P1 mentors five
    universalized people, P4 four."""
    world.load("units", [{"code": c, "name": f"Xã {c}", "kind": "commune", "parent_code": "LC",
                          "headcount_citizen": 5} for c in ("XA", "XB")])
    world.load("people", [{"external_id": f"{c}{i}", "full_name": f"Lò Văn {c}{i}", "group": "citizen",
                           "unit_code": c, "party_member": int(i == 1)} for c in ("XA", "XB") for i in range(1, 6)])
    done = {"XA1": DAY_89, "XA2": date(2025, 4, 2), "XA3": date(2025, 4, 3), "XA4": date(2025, 4, 4),
            "XB1": DAY_89 + timedelta(days=1), "XB2": date(2025, 4, 2), "XB3": date(2025, 4, 3)}
    world.load("completions", [{"person_id": p, "skill_code": "S1", "completed_on": d, "source": "mooc"}
                               for p, d in done.items()])
    world.load("mentorships", [{"mentor_id": "P1", "mentee_id": m, "started_on": date(2025, 3, 1)}
                               for m in ("XA1", "XA2", "XA3", "XA4", "XB1")]
               + [{"mentor_id": "P4", "mentee_id": m, "started_on": date(2025, 3, 1)}
                  for m in ("XA1", "XA2", "XA3", "XA4")])
    from emulation.models import Campaign

    with app.app_context():
        return db.session.scalar(sa.select(Campaign.id).where(Campaign.code == campaign))


def _campaign():
    from emulation.models import Campaign

    return db.session.scalar(sa.select(Campaign).where(Campaign.code == "bdhvs-2025"))


def test_a_target_met_exactly_is_met_on_the_dashboard_and_in_the_reports(line, app):
    from emulation.scoring.progress import campaign_progress

    with app.app_context():
        c = _campaign()
        progress = campaign_progress(c, as_of=AS_OF)
        by_code = {u.code: u for u in progress.children}
        xa, xb = by_code["XA"], by_code["XB"]
        assert (xa.by_group["citizen"].n, xa.by_group["citizen"].d) == (4, 5)
        assert xa.meets(c.targets) is True
        assert (xb.by_group["citizen"].n, xb.by_group["citizen"].d) == (3, 5)
        assert xb.meets(c.targets) is False


def test_a_collective_at_its_targets_exactly_is_nominated(line, app):
    from emulation.commendation.nominees import generate

    with app.app_context():
        lst = generate(_campaign(), AS_OF, actor="test")
        collectives = set(db.session.scalars(sa.text(
            "SELECT code FROM nominee_entries WHERE list_id = :l AND section = 'collective'"), {"l": lst.id}))
    assert "XA" in collectives and "XB" not in collectives


def test_tier_pioneer_and_ambassador_lines(line, app):
    from badges.awarding import award

    with app.app_context():
        award(_campaign(), AS_OF)
        held = set(db.session.execute(sa.text(
            "SELECT a.badge, COALESCE(p.external_id, u.code) FROM awards a "
            "LEFT JOIN people p ON a.recipient_type = 'person' AND p.id = a.recipient_id "
            "LEFT JOIN units u ON a.recipient_type = 'unit' AND u.id = a.recipient_id "
            "WHERE a.revoked_on IS NULL")).all())
    assert ("unit_bronze", "XA") in held and ("unit_bronze", "XB") not in held  # 0.80 / 0.60
    assert ("unit_silver", "XA") not in held
    assert ("pioneer", "XA1") in held and ("pioneer", "XB1") not in held  # day 90 / day 91
    assert ("ambassador", "P1") in held and ("ambassador", "P4") not in held  # 5 / 4 mentees


def test_mentee_points_by_hand(line, runner):
    """20 points per universalized mentee (the default ``mentee_points``), scored on the
    mentee's day: P1 has five (100 points, the last on day 91), P4 four (80, the last XA1's,
    on day 90);
    a mentor's own completions would add to it, and neither has any."""
    import csv
    import io

    result = runner.invoke(args=["leaderboard", "export", "--campaign", "bdhvs-2025", "--board", "people",
                                 "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    rows = {r["external_id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert (rows["P1"]["points"], rows["P1"]["last_scored_on"]) == ("100", (DAY_89 + timedelta(days=1)).isoformat())
    assert (rows["P4"]["points"], rows["P4"]["last_scored_on"]) == ("80", DAY_89.isoformat())
    assert rows["XA1"]["points"] == "10" and rows["XA5"]["points"] == "0"
