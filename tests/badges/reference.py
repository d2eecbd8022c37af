"""The badges of SPEC §4, read plainly from the reference scores of
tests/emulation/scoring/reference.py: (badge, recipient type, recipient key) → awarded_on."""
from datetime import date, timedelta

from tests.emulation.scoring.reference import Province, Rules


def due(p: Province, rules: Rules, result: dict, as_of: date, *, mentees: int, pioneer_days: int,
        tiers: dict[str, float]) -> dict:
    first, last = rules.starts_on, min(rules.ends_on, as_of)
    people = result["people"]
    out = {}
    for who, me in people.items():
        u = me["universalized_on"]
        if u is not None:
            out[("citizen", "person", who)] = u
            if p.people[who].get("party") and u < rules.starts_on + timedelta(days=pioneer_days):
                out[("pioneer", "person", who)] = u
        counted = sorted(people[b]["universalized_on"] for a, b, d in p.mentorships
                         if a == who and first <= d <= last and people[b]["universalized_on"] is not None)
        if len(counted) >= mentees:
            out[("ambassador", "person", who)] = counted[mentees - 1]
        vneid = [d for w, k, d in p.activities if w == who and k == "vneid_level2" and first <= d <= last]
        if vneid:
            out[("identity", "person", who)] = min(vneid)
    for code, h in result["households"].items():
        if h["digital_family"]:
            out[("family", "household", code)] = h["achieved_on"]
    for code, u in result["units"].items():
        for tier, coverage in tiers.items():
            if u["headcount"] and u["coverage"] >= coverage:
                out[(f"unit_{tier}", "unit", code)] = u["reached_on"]
    return out
