"""Progress against the campaign's targets (SPEC §3, units): universalization inside the
window, denominators never below who is registered, roll-up over subtrees, scopes."""
from datetime import date

import pytest

from emulation.models import Campaign
from emulation.scoring.progress import campaign_progress, current_campaign
from extensions import db

COMPLETIONS = [
    {"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 3, 15), "source": "mooc"},  # cadre: S1
    {"person_id": "P2", "skill_code": "S1", "completed_on": date(2025, 5, 5), "source": "session"},  # citizen: S1
    {"person_id": "P3", "skill_code": "S2", "completed_on": date(2025, 6, 1), "source": "vneid"},  # student: S2
    {"person_id": "P4", "skill_code": "S1", "completed_on": date(2025, 2, 1), "source": "mooc"},  # before the window
    {"person_id": "P4", "skill_code": "S3", "completed_on": date(2025, 4, 1), "source": "mooc"},  # required for nobody
]


@pytest.fixture
def progress_of(world, app, campaign):
    world.load("completions", COMPLETIONS)

    def run(as_of=date(2025, 10, 1), scope=None):
        with app.app_context():
            c = db.session.scalar(db.select(Campaign).where(Campaign.code == campaign))
            path = None
            if scope:
                from emulation.models import Unit
                path = db.session.scalar(db.select(Unit.path).where(Unit.code == scope))
            return campaign_progress(c, as_of=as_of, scope_path=path)

    return run


def figures(unit_progress):
    return {g: (c.n, c.d) for g, c in unit_progress.by_group.items()}


def test_province_coverage_by_group(progress_of):
    p = progress_of()
    # TP declares 40 cadres and 900 citizens; BL declares none but registers 2 citizens;
    # THCS declares 300 students. P4 completed S1 before the campaign started.
    assert figures(p.scope) == {"cadre": (1, 40), "student": (1, 300), "worker": (0, 0), "citizen": (1, 902)}
    assert (p.scope.total.n, p.scope.total.d) == (3, 1242)
    assert p.scope.reached_on == date(2025, 6, 1)
    assert [u.code for u in p.children] == ["TP"]  # the communes and wards
    assert figures(p.children[0]) == figures(p.scope)
    assert p.adults_universalized == 2


def test_as_of_cuts_the_window(progress_of):
    p = progress_of(as_of=date(2025, 5, 4))
    assert figures(p.scope) == {"cadre": (1, 40), "student": (0, 300), "worker": (0, 0), "citizen": (0, 902)}
    assert p.window == (date(2025, 3, 1), date(2025, 5, 4))


def test_a_manager_sees_their_subtree(progress_of):
    p = progress_of(scope="THCS")
    assert p.scope.code == "THCS"
    assert figures(p.scope) == {"cadre": (0, 0), "student": (1, 300), "worker": (0, 0), "citizen": (0, 0)}
    assert p.children == [] and p.adults_universalized == 0
    assert p.scope.meets({"cadre": 0.8, "student": 1.0, "worker": 0.8, "citizen": 0.8}) is False


def test_the_figures_follow_new_imports(progress_of, world):
    assert progress_of().scope.by_group["student"].n == 1
    world.load("people", [{"external_id": "P20", "full_name": "Lò Văn Tú", "group": "student", "unit_code": "BL"}])
    world.load("completions", [{"person_id": "P20", "skill_code": "S2", "completed_on": date(2025, 9, 1),
                                "source": "session"}])
    # BL declares no students: its registered one counts in the denominator.
    assert figures(progress_of().scope)["student"] == (2, 301)


def test_the_current_campaign(app, campaign, monkeypatch):
    from emulation.scoring import progress

    with app.app_context():
        monkeypatch.setattr(progress, "province_today", lambda: date(2025, 6, 1))
        assert current_campaign().code == "bdhvs-2025"
        monkeypatch.setattr(progress, "province_today", lambda: date(2027, 1, 1))
        assert current_campaign().code == "bdhvs-2025"  # the one that ended last


def test_every_scope_reads_the_stored_scores(progress_of, world, monkeypatch):
    """The first visit scores the date; other scopes and later visits read the stored
    scores, and an import of events brings them up to date without a full recompute."""
    from emulation.scoring import scores as scoring

    calls = []
    full = scoring._recompute
    monkeypatch.setattr(scoring, "_recompute", lambda *a, **k: calls.append(a) or full(*a, **k))
    may = date(2025, 5, 4)
    assert figures(progress_of(as_of=may).scope)["citizen"] == (0, 902)
    progress_of(as_of=may, scope="THCS")
    progress_of(as_of=may, scope="TP")
    assert len(calls) == 1
    # P2 completed S1 earlier than first recorded (the earliest wins): universalized by 4 May.
    world.load("completions", [{"person_id": "P2", "skill_code": "S1", "completed_on": date(2025, 4, 20),
                                "source": "session"}])
    assert figures(progress_of(as_of=may).scope)["citizen"] == (1, 902)
    assert len(calls) == 1
    progress_of(as_of=date(2025, 9, 30))  # another date: scored again
    assert len(calls) == 2


def test_the_current_campaign_on_its_first_and_last_days(app, campaign, monkeypatch):
    """Running from starts_on to ends_on inclusive; after both, the one that ended last;
    before both, the first to start."""
    from pathlib import Path

    from emulation.scoring import progress
    from emulation.campaigns import load_campaign

    root = Path(__file__).resolve().parents[3]
    with app.app_context():
        load_campaign((root / "campaigns" / "bdhvs-2026.toml").read_text(encoding="utf-8"), actor="test")
        for day, code in ((date(2024, 6, 1), "bdhvs-2025"), (date(2025, 3, 1), "bdhvs-2025"),
                          (date(2025, 12, 31), "bdhvs-2025"), (date(2026, 1, 1), "bdhvs-2026"),
                          (date(2026, 12, 31), "bdhvs-2026"), (date(2027, 1, 1), "bdhvs-2026")):
            monkeypatch.setattr(progress, "province_today", lambda day=day: day)
            assert current_campaign().code == code, day


def test_the_current_campaign_among_overlapping_ones_and_none_at_all(app, monkeypatch):
    """No campaign: none (not an error). Two running at once: the one that started last,
    whatever the order they were loaded in; none running nor ended: the first to start."""
    import re
    from pathlib import Path

    from emulation.campaigns import load_campaign
    from emulation.scoring import progress

    text = (Path(__file__).resolve().parents[3] / "campaigns" / "bdhvs-2026.toml").read_text(encoding="utf-8")

    def variant(code, starts, ends):
        out = re.sub(r'(?m)^code = ".*"$', f'code = "{code}"', text)
        out = re.sub(r"(?m)^starts_on = .*$", f"starts_on = {starts}", out)
        return re.sub(r"(?m)^ends_on = .*$", f"ends_on = {ends}", out)

    with app.app_context():
        monkeypatch.setattr(progress, "province_today", lambda: date(2026, 6, 1))
        assert current_campaign() is None
        # Loaded first, starts later: the lower id must not decide.
        load_campaign(variant("late-start", "2026-05-01", "2026-12-31"), actor="test")
        load_campaign(variant("early-start", "2026-01-01", "2026-12-31"), actor="test")
        load_campaign(variant("next-year", "2027-01-01", "2027-12-31"), actor="test")
        load_campaign(variant("next-spring", "2027-03-01", "2027-12-31"), actor="test")
        assert current_campaign().code == "late-start"
        monkeypatch.setattr(progress, "province_today", lambda: date(2025, 6, 1))
        assert current_campaign().code == "early-start"  # none running or ended: the first to start


def test_figures_add_up_over_units_by_hand():
    """A province of several roots: the groups' figures add up, and it reached its
    coverage on the latest day any of them did; a unit meets its targets when every group
    with people to count has reached its own."""
    from emulation.scoring.progress import Coverage, UnitProgress

    a = UnitProgress(1, "A", "A", "commune", "/1/", {"cadre": Coverage(8, 10), "citizen": Coverage(1, 4)},
                     date(2025, 5, 1))
    b = UnitProgress(2, "B", "B", "commune", "/2/", {"citizen": Coverage(3, 4), "worker": Coverage(0, 0)},
                     date(2025, 7, 1))
    province = UnitProgress(0, "", "", "province", "/", {})
    province.absorb_unit(a)
    province.absorb_unit(b)
    assert province.by_group == {"cadre": Coverage(8, 10), "citizen": Coverage(4, 8), "worker": Coverage(0, 0)}
    assert province.total == Coverage(12, 18) and province.reached_on == date(2025, 7, 1)
    province.reached(date(2025, 6, 1))  # an earlier day changes nothing
    province.reached(None)
    assert province.reached_on == date(2025, 7, 1)
    assert province.meets({"cadre": 0.8, "citizen": 0.5, "worker": 1.0})  # at the targets exactly; no workers
    assert not province.meets({"cadre": 0.81, "citizen": 0.5, "worker": 1.0})
    assert Coverage(0, 0).share is None and Coverage(1, 4).share == 0.25
