"""The awarder against a plain reading of SPEC §4 on random provinces (SQLite and
PostgreSQL); idempotence, revocation, moved dates, the campaign file's badge rules, the
command line, and awarding after imports."""
import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extensions import db
from tests.emulation.scoring.reference import GROUPS, Province, Rules, score
from tests.emulation.scoring.test_scoring import DAYS, _store, draw_population

from .reference import due

BADGE_RULES = """
[badges]
ambassador_mentees = 2
pioneer_days = 9
[badges.unit_tiers]
bronze = 0.3
silver = 0.5
gold = 1.0
"""
TIERS = {"bronze": 0.3, "silver": 0.5, "gold": 1.0}


def live_awards(conn_app) -> dict:
    """(badge, recipient type, key) → awarded_on of the live awards."""
    rows = db.session.execute(sa.text("""
        SELECT a.badge, a.recipient_type, COALESCE(p.external_id, h.code, u.code), a.awarded_on
        FROM awards a
        LEFT JOIN people p ON a.recipient_type = 'person' AND p.id = a.recipient_id
        LEFT JOIN households h ON a.recipient_type = 'household' AND h.id = a.recipient_id
        LEFT JOIN units u ON a.recipient_type = 'unit' AND u.id = a.recipient_id
        WHERE a.revoked_on IS NULL""")).all()
    from emulation.clock import as_date

    return {(b, t, k): as_date(d) for b, t, k, d in rows}


@st.composite
def badge_provinces(draw):
    """Provinces dense enough for every badge: most people complete the required skills,
    mentor each other and hold a VNeID account, party members are common, head counts are
    small (units reach the tiers), and dates fall on both sides of the pioneer limit
    (1 March + 9 days: 9 and 10 March)."""
    units, households, people = draw_population(draw, units=4, headcount=3, households=3, people=(2, 9),
                                                party_first=True)
    skills = {"S0": {"points": 10, "required_for": set(GROUPS)},
              "S1": {"points": 5, "required_for": set(draw(st.lists(st.sampled_from(GROUPS), unique=True)))}}
    who = sorted(people)
    # Hypothesis starts from the simplest values (0, False): those mean "yes" here.
    completions = [(p, s, draw(st.sampled_from(DAYS[1:6]))) for p in who for s in sorted(skills)
                   if draw(st.integers(0, 4)) < 4]
    activities = sorted({(p, "vneid_level2", draw(st.sampled_from(DAYS))) for p in who if not draw(st.booleans())})
    pairs = sorted({(a, b) for a, b in (draw(st.tuples(st.sampled_from(who), st.sampled_from(who)))
                                        for _ in range(16 - draw(st.integers(0, 16)))) if a != b})
    mentorships = [(a, b, draw(st.sampled_from(DAYS))) for a, b in pairs]
    rules = Rules(date(2025, 3, 1), date(2025, 12, 31),
                  groups=draw(st.lists(st.sampled_from(GROUPS), min_size=1, max_size=4, unique=True)))
    as_of = draw(st.sampled_from(DAYS + [date(2025, 8, 1)]))
    return Province(units, households, people, skills, completions, activities, mentorships), rules, as_of


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=badge_provinces())
def test_the_awarder_follows_the_rules(app, case):
    from badges.awarding import award

    province, rules, as_of = case
    with app.app_context():
        campaign = _store(province, rules, BADGE_RULES)
        first = award(campaign, as_of)
        expected = due(province, rules, score(province, rules, as_of), as_of, mentees=2, pioneer_days=9,
                       tiers=TIERS)
        assert live_awards(app) == expected
        assert first.awarded == len(expected) and first.live == len(expected)
        # Every person and household holding a badge has a progress code.
        holders = {(t, k) for _, t, k in expected if t != "unit"}
        assert db.session.scalar(sa.text("SELECT COUNT(*) FROM progress_codes")) == len(holders)
        # Idempotent: a second run changes nothing.
        again = award(campaign, as_of)
        assert (again.awarded, again.revoked, again.redated, again.live) == (0, 0, 0, len(expected))


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=badge_provinces(), late=st.lists(st.integers(0, 40), max_size=8))
def test_awards_after_an_import_of_events_equal_a_full_run(app, case, late):
    """Completions that arrive after the awards (an import: scoring.apply_events, then the
    awarder for those people only) leave the awards a full run would give."""
    from dataclasses import replace

    from badges.awarding import award
    from emulation.scoring.scores import apply_events

    province, rules, as_of = case
    arriving = [province.completions[i] for i in sorted(set(late)) if i < len(province.completions)]
    earlier = replace(province, completions=[c for c in province.completions if c not in arriving])
    with app.app_context():
        campaign = _store(earlier, rules, BADGE_RULES)
        award(campaign, as_of)
        t = db.metadata.tables
        with db.engine.begin() as conn:
            pid = dict(conn.execute(sa.select(t["people"].c.external_id, t["people"].c.id)).all())
            sid = dict(conn.execute(sa.select(t["skills"].c.code, t["skills"].c.id)).all())
            if arriving:
                conn.execute(t["completions"].insert(), [
                    {"person_id": pid[a], "skill_id": sid[k], "completed_on": d, "source": "mooc"}
                    for a, k, d in arriving])
        apply_events({pid[a] for a, _, _ in arriving})
        expected = due(province, rules, score(province, rules, as_of), as_of, mentees=2, pioneer_days=9,
                       tiers=TIERS)
        assert live_awards(app) == expected


# ----------------------------------------------------------------------------- chosen cases

def test_an_ambassador_on_the_day_the_fifth_mentee_was_universalized(app):
    """Six mentees universalized on six days, one mentorship begun after the window: the
    badge dates from the fifth counted mentee (SPEC §4, default threshold 5)."""
    from badges.awarding import award

    days = [date(2025, 3, d) for d in (20, 5, 12, 28, 3, 17)]
    people = {"M": {"group": "citizen", "unit": "U0", "household": None}}
    people.update({f"E{i}": {"group": "citizen", "unit": "U0", "household": None} for i in range(6)})
    units = {"U0": {"parent": None, "kind": "commune", "bracket": "commune",
                    **{f"headcount_{g}": None for g in GROUPS}}}
    province = Province(units, {}, people, {"S0": {"points": 10, "required_for": {"citizen"}}},
                        [(f"E{i}", "S0", d) for i, d in enumerate(days)], [],
                        [("M", f"E{i}", date(2025, 3, 2)) for i in range(5)] + [("M", "E5", date(2026, 1, 2))])
    with app.app_context():
        campaign = _store(province, Rules(date(2025, 3, 1), date(2025, 12, 31), ["citizen"]))
        award(campaign, date(2025, 12, 31))
        # Counted: E0–E4 (3, 5, 12, 20, 28 March); E5's mentorship began after the window.
        assert live_awards(app)[("ambassador", "person", "M")] == date(2025, 3, 28)
        award(campaign, date(2025, 12, 31))
        assert ("ambassador", "person", "M") in live_awards(app)


@pytest.fixture
def earned(world, app, campaign):
    """P1 (cadre) and P2 (citizen) universalized; P1 holds a VNeID level 2 account."""
    world.load("completions", [
        {"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 3, 15), "source": "mooc"},
        {"person_id": "P2", "skill_code": "S1", "completed_on": date(2025, 5, 5), "source": "session"}])
    world.load("activities", [{"person_id": "P1", "kind": "vneid_level2", "occurred_on": date(2025, 4, 1)}])
    return world


def awards_table(app):
    with app.app_context():
        return {(r.badge, r.recipient_type, r.recipient_id): r for r in db.session.execute(sa.text(
            "SELECT * FROM awards ORDER BY badge, recipient_type, recipient_id, revoked_on"))}


def test_award_revoke_and_award_again(earned, app, runner, campaign):
    result = runner.invoke(args=["badges", "award", "--campaign", "bdhvs-2025", "--as-of", "2025-12-31"])
    assert result.exit_code == 0, result.output
    # P1: citizen, pioneer (a party member, universalized 14 days in), identity; P2: citizen;
    # H1 (P2 alone) a digital family.
    assert "trao mới 5, thu hồi 0, đổi ngày 0, đang có hiệu lực 5 " in result.output, result.output
    with app.app_context():
        assert live_awards(app) == {
            ("citizen", "person", "P1"): date(2025, 3, 15), ("pioneer", "person", "P1"): date(2025, 3, 15),
            ("identity", "person", "P1"): date(2025, 4, 1), ("citizen", "person", "P2"): date(2025, 5, 5),
            ("family", "household", "H1"): date(2025, 5, 5)}
    before = awards_table(app)

    # P2 turns out to be a student: S1 no longer universalizes her, S2 would.
    earned.load("people", [{"external_id": "P2", "full_name": "Lò Thị Bình", "group": "student", "unit_code": "BL",
                            "household_code": "H1"}])
    # The import brought the scores up to date, and the awards with them (no command run).
    with app.app_context():
        assert ("citizen", "person", "P2") not in live_awards(app)
        revoked = db.session.execute(sa.text(
            "SELECT id, revoked_on, revocation_reason FROM awards WHERE revoked_on IS NOT NULL")).all()
    assert len(revoked) == 2  # P2's citizen badge and H1's digital family
    assert {r.id for r in revoked} <= {a.id for a in before.values()}
    assert all(r.revocation_reason.startswith("no longer supported") for r in revoked)

    # She completes S2: a new award with a new id; the revoked one stays.
    earned.load("completions", [{"person_id": "P2", "skill_code": "S2", "completed_on": date(2025, 9, 1),
                                 "source": "session"}])
    with app.app_context():
        assert live_awards(app)[("citizen", "person", "P2")] == date(2025, 9, 1)
        ids = db.session.execute(sa.text("SELECT id, revoked_on FROM awards WHERE badge = 'citizen' "
                                         "AND recipient_id = (SELECT id FROM people WHERE external_id = 'P2')")).all()
    assert len(ids) == 2 and len({i for i, _ in ids}) == 2 and sum(r is None for _, r in ids) == 1


def test_an_earlier_completion_moves_the_date_and_keeps_the_badge(earned, app, campaign):
    from badges.awarding import award
    from emulation.models import Campaign

    with app.app_context():
        award(db.session.scalar(sa.select(Campaign)), date(2025, 12, 31))
    before = awards_table(app)
    earned.load("completions", [{"person_id": "P2", "skill_code": "S1", "completed_on": date(2025, 4, 20),
                                 "source": "manual"}])
    after = awards_table(app)
    key = next(k for k in after if k[0] == "citizen" and before[k].awarded_on != after[k].awarded_on)
    assert after[key].id == before[key].id and str(after[key].awarded_on).startswith("2025-04-20")


def test_awarding_before_the_last_run_is_refused(earned, runner):
    assert runner.invoke(args=["badges", "award", "--campaign", "bdhvs-2025", "--as-of", "2025-12-31"]).exit_code == 0
    result = runner.invoke(args=["badges", "award", "--campaign", "bdhvs-2025", "--as-of", "2025-06-30"])
    assert result.exit_code == 1 and "2025-12-31" in result.output


def test_badges_export(earned, runner):
    runner.invoke(args=["badges", "award", "--campaign", "bdhvs-2025", "--as-of", "2025-12-31"])
    result = runner.invoke(args=["badges", "export", "--campaign", "bdhvs-2025"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["badge", "recipient_type", "recipient", "awarded_on", "revoked_on"]
    assert ["citizen", "person", "P1", "2025-03-15", ""] in rows
    assert ["family", "household", "H1", "2025-05-05", ""] in rows
    assert len(rows) == 6


def test_unit_tiers_and_names_from_the_campaign_file(world, app):
    """A unit reaching a tier: the ward TP declares 40 cadres and 900 citizens; with low
    thresholds and a tier of the file's own it earns them."""
    from badges.awarding import award
    from badges.classes import badge_classes
    from emulation.campaigns import load_campaign

    toml = ('code = "t"\nname = "Thử"\nstarts_on = 2025-03-01\nends_on = 2025-12-31\ngroups = ["cadre"]\n'
            "[targets]\ncadre = 0.8\n[badges.unit_tiers]\nbronze = 0.02\nplatinum = 0.025\n"
            '[badges.tier_colours]\nplatinum = "#334455"\n[badges.names]\nunit_platinum = "Đơn vị số (bạch kim)"\n')
    world.load("completions", [{"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 3, 15),
                                "source": "mooc"}])
    with app.app_context():
        campaign = load_campaign(toml, actor="test")[0]
        classes = badge_classes(campaign)
        assert classes["unit_platinum"].name == "Đơn vị số (bạch kim)"
        assert classes["unit_platinum"].colour == "#334455"
        assert list(classes)[-4:] == ["unit_bronze", "unit_platinum", "unit_silver", "unit_gold"]  # by coverage
        award(campaign, date(2025, 12, 31))
        units = {k: v for k, v in live_awards(app).items() if k[1] == "unit"}
    # TP: 1 of 40 cadres (0.025); LC (the province) the same.
    assert units == {("unit_bronze", "unit", "TP"): date(2025, 3, 15), ("unit_platinum", "unit", "TP"): date(2025, 3, 15),
                     ("unit_bronze", "unit", "LC"): date(2025, 3, 15),
                     ("unit_platinum", "unit", "LC"): date(2025, 3, 15)}


@pytest.mark.parametrize("extra, message", [
    ('[badges.unit_tiers]\nplatinum = 0.95\n', "badges.names.unit_platinum"),
    ('[badges.tier_colours]\ngold = "gold"\n', "#RRGGBB"),
    ('[badges.names]\nhero = "Anh hùng"\n', "badges.names.hero"),
])
def test_bad_badge_rules_are_named(app, extra, message):
    from emulation.campaigns import CampaignError, parse_campaign

    toml = ('code = "t"\nname = "Thử"\nstarts_on = 2025-03-01\nends_on = 2025-12-31\ngroups = ["cadre"]\n'
            "[targets]\ncadre = 0.8\n" + extra)
    with app.app_context(), pytest.raises(CampaignError) as err:
        parse_campaign(toml)
    assert message in str(err.value)


def test_progress_codes_are_random_and_forgive_typing():
    from badges.awarding import new_progress_codes, normalise_code

    codes = new_progress_codes(1000)
    assert len(set(codes)) == 1000 and all(len(c) == 12 for c in codes)
    assert not set("".join(codes)) & set("ILOU")  # Crockford's base32
    code = codes[0]
    typed = "-".join(code[i:i + 4] for i in range(0, 12, 4)).lower().replace("0", "o").replace("1", "l")
    assert normalise_code(typed) == code
