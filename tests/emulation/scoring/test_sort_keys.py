"""Each board's every sort key deciding a tie in turn (SPEC §3), on a province computed by
hand: for each key, two entries equal on every key before it and apart on it alone."""
import csv
import io
from datetime import date

import pytest

AS_OF = "2025-12-31"


def _board(runner, board, *extra) -> list[dict]:
    result = runner.invoke(args=["leaderboard", "export", "--campaign", "bdhvs-2025", "--board", board,
                                 "--as-of", AS_OF, *extra])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def _order(rows, key, wanted) -> list[str]:
    return [r[key] for r in rows if r[key] in wanted]


def _done(person, skill, day, source="mooc"):
    return {"person_id": person, "skill_code": skill, "completed_on": day, "source": source}


@pytest.fixture
def villages(world, campaign):
    """Villages VA and VB under the ward TP, two citizens each (S1, 10 points, is required
    of citizens)."""
    world.load("units", [{"code": code, "name": f"Bản {code}", "kind": "village", "parent_code": "TP"}
                         for code in ("VA", "VB")])
    world.load("people", [{"external_id": f"{v}{i}", "full_name": f"Lò Văn {v}{i}", "group": "citizen",
                           "unit_code": v} for v in ("VA", "VB") for i in (1, 2)])
    return world


def test_units_reached_on_decides_between_equal_coverage_and_points_per_capita(villages, runner):
    # 1 of 2 universalized in each, 10 points for 2 people each: VA reached it first.
    villages.load("completions", [_done("VB1", "S1", date(2025, 3, 2)), _done("VA1", "S1", date(2025, 4, 1))])
    villages.load("completions", [_done("VA1", "S1", date(2025, 3, 1))])  # the earliest date is kept
    rows = _board(runner, "units", "--bracket", "village")
    assert _order(rows, "code", {"VA", "VB"}) == ["VA", "VB"]
    va, vb = (next(r for r in rows if r["code"] == c) for c in ("VA", "VB"))
    assert (va["coverage"], va["points_per_capita"]) == (vb["coverage"], vb["points_per_capita"])
    assert (va["reached_on"], vb["reached_on"], va["rank"], vb["rank"]) == ("2025-03-01", "2025-03-02", "1", "2")


def test_units_points_per_capita_decides_before_reached_on(villages, runner):
    villages.load("completions", [_done("VA1", "S1", date(2025, 3, 1)), _done("VB1", "S1", date(2025, 3, 2))])
    villages.load("activities", [{"person_id": "VB2", "kind": "festival", "occurred_on": date(2025, 5, 1)}])
    rows = _board(runner, "units", "--bracket", "village")
    assert _order(rows, "code", {"VA", "VB"}) == ["VB", "VA"]  # 15/2 points a head against 10/2


def test_units_coverage_decides_first(villages, runner):
    villages.load("completions", [_done("VA1", "S1", date(2025, 3, 1)), _done("VB1", "S1", date(2025, 3, 2)),
                                  _done("VB2", "S1", date(2025, 6, 2))])
    villages.load("activities", [{"person_id": "VA2", "kind": k, "occurred_on": date(2025, 5, 1)}
                                 for k in ("festival", "vneid_level2", "ecommerce")])
    rows = _board(runner, "units", "--bracket", "village")
    assert _order(rows, "code", {"VA", "VB"}) == ["VB", "VA"]  # 2/2 against 1/2, though VA has more points


@pytest.fixture
def households(world, campaign):
    """Households of the village BL, each with its members (S3 is worth 0 points and
    required of nobody: a completion of it makes a member active and scores nothing)."""
    def make(spec: dict[str, int]):
        world.load("households", [{"code": h, "unit_code": "BL"} for h in spec])
        world.load("people", [{"external_id": f"{h}M{i}", "full_name": f"Lò Văn {h}{i}", "group": "citizen",
                               "unit_code": "BL", "household_code": h} for h, n in spec.items() for i in range(n)])
        return world
    return make


def test_households_digital_family_decides_first(households, runner):
    w = households({"HC": 3, "HA": 2})
    # HC: one universalized, one other active, one idle: a digital family, 2/3 active.
    # HA: both active, nobody universalized: not a digital family, 2/2 active.
    w.load("completions", [_done("HCM0", "S1", date(2025, 3, 1)), _done("HCM1", "S3", date(2025, 3, 2)),
                           _done("HAM0", "S3", date(2025, 3, 1)), _done("HAM1", "S3", date(2025, 3, 1))])
    w.load("activities", [{"person_id": "HAM0", "kind": k, "occurred_on": date(2025, 4, 1)}
                          for k in ("festival", "vneid_level2", "ecommerce")])
    rows = _board(runner, "households")
    assert _order(rows, "code", {"HC", "HA"}) == ["HC", "HA"]
    assert {r["code"]: r["digital_family"] for r in rows if r["code"] in ("HA", "HC")} == {"HC": "1", "HA": "0"}


def test_households_active_share_decides_before_points(households, runner):
    w = households({"HA": 2, "HB": 2})
    # Neither a digital family. HA: both active, 0 points; HB: one active, 5 points.
    w.load("completions", [_done("HAM0", "S3", date(2025, 3, 1)), _done("HAM1", "S3", date(2025, 3, 1)),
                           _done("HBM0", "S3", date(2025, 3, 1))])
    w.load("activities", [{"person_id": "HBM0", "kind": "festival", "occurred_on": date(2025, 4, 1)}])
    rows = _board(runner, "households")
    assert _order(rows, "code", {"HA", "HB"}) == ["HA", "HB"]
    ha, hb = (next(r for r in rows if r["code"] == c) for c in ("HA", "HB"))
    assert (ha["points"], hb["points"]) == ("0", "5") and float(ha["active_share"]) > float(hb["active_share"])


def test_households_points_decide_before_achieved_on(households, runner):
    w = households({"HD": 1, "HE": 1})
    w.load("completions", [_done("HDM0", "S1", date(2025, 3, 1)), _done("HEM0", "S1", date(2025, 4, 1))])
    w.load("activities", [{"person_id": "HEM0", "kind": "festival", "occurred_on": date(2025, 4, 2)}])
    rows = _board(runner, "households")
    assert _order(rows, "code", {"HD", "HE"}) == ["HE", "HD"]  # 15 points against 10, achieved later


def test_households_achieved_on_decides_last(households, runner):
    w = households({"HD": 1, "HE": 1})
    w.load("completions", [_done("HEM0", "S1", date(2025, 3, 2)), _done("HDM0", "S1", date(2025, 3, 1))])
    rows = _board(runner, "households")
    assert _order(rows, "code", {"HD", "HE"}) == ["HD", "HE"]
    hd, he = (next(r for r in rows if r["code"] == c) for c in ("HD", "HE"))
    assert (hd["achieved_on"], he["achieved_on"], hd["rank"], int(he["rank"])) == \
        ("2025-03-01", "2025-03-02", hd["rank"], int(hd["rank"]) + 1)


def test_people_points_then_last_scored_on(villages, runner):
    villages.load("completions", [_done("VA1", "S1", date(2025, 3, 5)), _done("VB1", "S1", date(2025, 3, 4)),
                                  _done("VA2", "S1", date(2025, 3, 3))])
    villages.load("activities", [{"person_id": "VA2", "kind": "festival", "occurred_on": date(2025, 9, 1)}])
    rows = _board(runner, "people")
    # VA2 has 15 points; VB1 and VA1 have 10 each, VB1's since an earlier day.
    assert _order(rows, "external_id", {"VA1", "VA2", "VB1"}) == ["VA2", "VB1", "VA1"]
    ranks = {r["external_id"]: int(r["rank"]) for r in rows}
    assert ranks["VB1"] == ranks["VA2"] + 1 and ranks["VA1"] == ranks["VB1"] + 1
