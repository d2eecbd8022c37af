"""A straightforward reading of SPEC §3, written apart from the engine and as plainly as
possible: loops over Python objects, no SQL, no cleverness. The property tests compare
the engine with it on many random provinces.
"""
from dataclasses import dataclass, field
from datetime import date

GROUPS = ("cadre", "student", "worker", "citizen")
ONCE_KINDS = ("vneid_level2", "cashless_payment", "ecommerce", "digital_savings")


@dataclass
class Province:
    # code -> dict(parent, kind, bracket, headcount_<g>)
    units: dict
    households: dict  # code -> unit code
    people: dict  # external id -> dict(group, unit, household)
    skills: dict  # code -> dict(points, required_for: set)
    completions: list  # (person, skill, date), one per (person, skill)
    activities: list  # (person, kind, date), unique
    mentorships: list  # (mentor, mentee, started_on), unique pairs


@dataclass
class Rules:
    starts_on: date
    ends_on: date
    groups: list
    mentee_points: int = 20
    activity_points: dict = field(default_factory=lambda: {
        "vneid_level2": 10, "festival": 5, "learning_session": 2, "cashless_payment": 5, "ecommerce": 5,
        "digital_savings": 5})


def score(p: Province, rules: Rules, as_of: date) -> dict:
    first, last = rules.starts_on, min(rules.ends_on, as_of)

    def counts(d):
        return first <= d <= last

    completions = [(who, s, d) for who, s, d in p.completions if counts(d)]
    activities = [(who, k, d) for who, k, d in p.activities if counts(d)]
    mentorships = [(a, b, d) for a, b, d in p.mentorships if counts(d)]

    # People: universalization first (mentors need their mentees').
    people = {}
    for who, person in p.people.items():
        done = {s: d for w, s, d in completions if w == who}
        required = [s for s, skill in p.skills.items() if person["group"] in skill["required_for"]]
        universalized_on = max(done[s] for s in required) if required and all(s in done for s in required) else None
        people[who] = {"universalized_on": universalized_on, "done": done}

    for who, person in p.people.items():
        me = people[who]
        points, scored = 0, []
        for s, d in me["done"].items():
            points += p.skills[s]["points"]
            if p.skills[s]["points"] > 0:
                scored.append(d)
        mine = [(k, d) for w, k, d in activities if w == who]
        for kind in ONCE_KINDS:
            dates = [d for k, d in mine if k == kind]
            if dates:
                points += rules.activity_points[kind]
                if rules.activity_points[kind] > 0:
                    scored.append(min(dates))
        festival_days = {d for k, d in mine if k == "festival"}
        points += rules.activity_points["festival"] * len(festival_days)
        if rules.activity_points["festival"] > 0:
            scored.extend(festival_days)
        weeks = {}
        for k, d in mine:
            if k == "learning_session":
                week = d.isocalendar()[:2]
                weeks[week] = min(weeks.get(week, d), d)
        points += rules.activity_points["learning_session"] * len(weeks)
        if rules.activity_points["learning_session"] > 0:
            scored.extend(weeks.values())
        mentees = [people[b]["universalized_on"] for a, b, _ in mentorships
                   if a == who and people[b]["universalized_on"] is not None]
        points += rules.mentee_points * len(mentees)
        if rules.mentee_points > 0:
            scored.extend(mentees)
        me.update(points=points, last_scored_on=max(scored) if scored else None, mentees=len(mentees),
                  first_completed_on=min(me["done"].values()) if me["done"] else None)

    # Units: over each unit's whole subtree.
    def subtree(code):
        out = {code}
        grew = True
        while grew:
            grew = False
            for c, u in p.units.items():
                if u["parent"] in out and c not in out:
                    out.add(c)
                    grew = True
        return out

    units = {}
    for code, unit in p.units.items():
        inside = subtree(code)
        n = d = 0
        reached = []
        points = 0
        for g in rules.groups:
            for v in inside:
                registered = [w for w, x in p.people.items() if x["unit"] == v and x["group"] == g]
                d += max(p.units[v][f"headcount_{g}"] or 0, len(registered))
                for w in registered:
                    if people[w]["universalized_on"] is not None:
                        n += 1
                        reached.append(people[w]["universalized_on"])
        for w, x in p.people.items():
            if x["unit"] in inside:
                points += people[w]["points"]
        units[code] = {"universalized": n, "headcount": d, "coverage": n / d if d else None, "points": points,
                       "points_per_capita": points / d if d else None, "reached_on": max(reached) if reached else None,
                       "bracket": unit["bracket"], "kind": unit["kind"]}

    # Households.
    households = {}
    for code in p.households:
        members = [w for w, x in p.people.items() if x["household"] == code]
        active = [w for w in members if people[w]["first_completed_on"] is not None]
        days = sorted({d for w in members for d in people[w]["done"].values()})
        achieved = None
        for t in days:  # the first date on which both conditions held
            for m in members:
                u = people[m]["universalized_on"]
                if u is None or u > t:
                    continue
                if len(members) == 1 or any(
                        o != m and people[o]["first_completed_on"] is not None and people[o]["first_completed_on"] <= t
                        for o in members):
                    achieved = t
                    break
            if achieved:
                break
        households[code] = {"members": len(members), "active_share": len(active) / len(members) if members else None,
                            "points": sum(people[w]["points"] for w in members), "digital_family": achieved is not None,
                            "achieved_on": achieved, "unit": p.households[code]}
    return {"people": people, "units": units, "households": households}


def ranked(entries, key):
    """Standard competition ranking: [(rank, entry)] of entries sorted by (key, tie-break)."""
    out, previous, rank = [], object(), 0
    for i, e in enumerate(entries, start=1):
        k = key(e)
        if k != previous:
            rank, previous = i, k
        out.append((rank, e))
    return out


def _late(d):
    """A date key for "↑": no date sorts after every date."""
    return (d is None, d or date.min)


def boards(p: Province, result: dict) -> dict:
    units_by_bracket = {}
    for code, u in result["units"].items():
        if u["headcount"]:
            units_by_bracket.setdefault(u["bracket"], []).append((code, u))
    unit_boards = {}
    for bracket, entries in units_by_bracket.items():
        def key(e):
            return (-e[1]["coverage"], -e[1]["points_per_capita"], _late(e[1]["reached_on"]))
        entries.sort(key=lambda e: (key(e), e[0]))
        unit_boards[bracket] = [(rank, code) for rank, (code, _) in ranked(entries, key)]

    def hkey(e):
        h = e[1]
        return (not h["digital_family"], h["active_share"] is None, -(h["active_share"] or 0), -h["points"],
                _late(h["achieved_on"]))
    hs = sorted(result["households"].items(), key=lambda e: (hkey(e), e[0]))

    def pkey(e):
        return (-e[1]["points"], _late(e[1]["last_scored_on"]))
    ps = sorted(result["people"].items(), key=lambda e: (pkey(e), e[0]))
    return {"units": unit_boards,
            "households": [(rank, code) for rank, (code, _) in ranked(hs, hkey)],
            "people": [(rank, code) for rank, (code, _) in ranked(ps, pkey)]}


def period_boards(p: Province, rules: Rules, start: date, end: date) -> dict:
    """Period boards: what was earned inside [start, end] is the score as of ``end`` minus
    the score as of the day before ``start`` (SPEC §3, period boards; see
    leaderboards/periods.py for the sort keys)."""
    after = score(p, rules, end)
    before = score(p, rules, date.fromordinal(start.toordinal() - 1))
    people = {w: {"gained": after["people"][w]["points"] - before["people"][w]["points"],
                  "last_scored_on": after["people"][w]["last_scored_on"]} for w in p.people}
    households = {}
    for code in p.households:
        members = [w for w, x in p.people.items() if x["household"] == code]
        households[code] = {"gained": sum(people[w]["gained"] for w in members)}
    units = {}
    for code, u in after["units"].items():
        if u["headcount"]:
            gained = u["universalized"] - before["units"][code]["universalized"]
            units[code] = {"gained": gained, "coverage_gained": gained / u["headcount"],
                           "coverage": u["coverage"], "bracket": u["bracket"]}

    def pkey(e):
        return (-e[1]["gained"], _late(e[1]["last_scored_on"] if e[1]["gained"] else None))

    def hkey(e):
        return -e[1]["gained"]

    def ukey(e):
        return (-e[1]["coverage_gained"], -e[1]["coverage"])

    by_bracket = {}
    for code, u in units.items():
        by_bracket.setdefault(u["bracket"], []).append((code, u))
    unit_boards = {b: [(rank, code) for rank, (code, _) in ranked(sorted(es, key=lambda e: (ukey(e), e[0])), ukey)]
                   for b, es in by_bracket.items()}
    return {
        "people": [(r, c) for r, (c, _) in ranked(sorted(people.items(), key=lambda e: (pkey(e), e[0])), pkey)],
        "households": [(r, c) for r, (c, _) in ranked(sorted(households.items(), key=lambda e: (hkey(e), e[0])), hkey)],
        "units": unit_boards,
        "gained": {"people": people, "households": households, "units": units},
    }


# ----------------------------------------------------------------------------- privacy
# SPEC §3 "Privacy on public pages", read plainly (not the engine's code).

def shown_name(full_name: str, birth_year, group, as_of: date) -> str:
    """What a public page shows of a person: family name and initials for an adult who is
    not a pupil; initials only for a pupil (group ``student``) and for someone under 16 (16
    or older only once ``as_of.year - birth_year >= 17``; without a birth year, only a
    student counts as under 16)."""
    words = full_name.split()
    if not words:
        return ""
    adult = as_of.year - birth_year >= 17 if birth_year is not None else group != "student"
    if adult and group != "student":
        return words[0] + "".join(" " + w[0] + "." for w in words[1:])
    return " ".join(w[0] + "." for w in words)
