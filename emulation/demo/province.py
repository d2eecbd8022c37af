"""The demo province: a realistic Lai Châu, generated and loaded through the real importers.

``load_demo`` (behind ``flask --app app demo load``) plans the province, writes the seven
files of SPEC §2 as CSV into a temporary directory, imports them with ``run_import`` in
dependency order and loads the two shipped campaigns. Going through the importers keeps
the demo honest (it exercises exactly what a province's own files go through) and makes
a re-run a no-op: the generator is deterministic for a given ``people`` and ``seed``, and
the importers are idempotent.

The shape of the province
-------------------------
Lai Châu after the 2025 merger: 2 wards and 36 communes, each with villages (wards:
residential groups), schools with one ``class`` unit per grade ("Khối 6"), the People's
Committee, plus the provincial agencies, enterprises and cooperatives. The number of
villages, schools, classes and employers follows the number of people, so that 500,000
people give about 2,000 units and the default 5,000 a few hundred.

Progress is uneven on purpose, as in the real campaign: the wards and lowland valleys
start early and get far, the border highlands start late; cadres and pupils get further
than citizens; mentees of active mentors do better; a few exemplary units (and two pilot
communes) finish completely within one campaign year, so that badges and nominee lists
have candidates. Events lie between the first campaign's start and the day before the load
(``Calendar``): the province looks as it would mid-campaign on the day it is loaded, and the
same seed gives the same province relative to that day.

Memory stays flat: people are generated one commune at a time and every row is written
to its CSV as soon as it exists.
"""
import bisect
import csv
import math
import random
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from blinker import Namespace
from flask_babel import format_decimal, format_number
from flask_babel import gettext as _

import config
from accounts.forms import ROLE_NAMES
from emulation.campaigns import CampaignError, load_campaign, parse_campaign
from emulation.clock import province_today
from emulation.imports.importers import run_import
from emulation.models import Campaign
from emulation.scoring.scores import ensure_scores
from extensions import db

from . import data

# Sent once the demo province is loaded and scored, with ``campaigns`` (their codes), ``today``
# (the day it stands on) and ``echo`` (where to say progress): the leaderboards publish the
# weeks of the campaigns so far on it.
demo_loaded = Namespace().signal("demo-loaded")
FULL_SCALE = 500_000  # people in the real province; unit counts scale against it
# National Digital Transformation Day (10 October) and a spring festival season.
FESTIVAL_DAYS = ((10, 10), (5, 15))


class Calendar:
    """The demo's days: from the first shipped campaign's start to the day before the load
    (province time), but never past the last campaign's end; a campaign that has ended keeps
    its own window. ``days`` is the ISO text of every day, indexed by day number (0 = first)."""

    def __init__(self, windows: list[tuple[date, date]], today: date):
        self.first = min(start for start, _end in windows)
        self.last = min(today - timedelta(days=1), max(end for _start, end in windows))
        if self.last < self.first:
            raise click.ClickException(_("The demo's campaigns start on %(day)s: it can be loaded from the next "
                                         "day on.", day=self.first.strftime("%d/%m/%Y")))
        self.days = [(self.first + timedelta(days=d)).isoformat() for d in range((self.last - self.first).days + 1)]
        self.end = len(self.days) - 1
        # Day windows of the campaigns that have started, by the year they are of.
        self.year_windows = {start.year: (max(0, self.day(start)), min(self.end, self.day(end)))
                             for start, end in sorted(windows) if start <= self.last}
        self.festivals = tuple(sorted(
            d for year in range(self.first.year, self.last.year + 1) for month, dom in FESTIVAL_DAYS
            if 0 <= (d := self.day(date(year, month, dom))) <= self.end))

    def day(self, when: date) -> int:
        return (when - self.first).days


IMPORT_ORDER = ("units", "households", "people", "skills", "completions", "activities", "mentorships")
CAMPAIGN_FILES = ("bdhvs-2025.toml", "bdhvs-2026.toml")
# One account per role, to try the app with; they share a password made anew on every load.
DEMO_ACCOUNTS = (
    ("admin@demo.laichau.vn", "admin", None),
    ("tanphong@demo.laichau.vn", "manager", "TANPHONG"),
    ("noivu@demo.laichau.vn", "home_affairs", None),
    ("xem@demo.laichau.vn", "viewer", None),
)

CADRE, STUDENT, WORKER, CITIZEN = range(4)
GROUP_NAMES = ("cadre", "student", "worker", "citizen")

# Chance of being universalized: a[group] + b[group] * progress of the person's unit.
UNIVERSAL_BASE = (0.45, 0.35, 0.25, 0.12)
UNIVERSAL_SLOPE = (0.60, 0.60, 0.65, 0.80)
# How late in the period people start, by group (1: evenly; lower: later). Cadres were
# told to go first; citizens joined as the movement reached the villages.
START_SKEW = (1.0, 0.9, 0.8, 0.7)
# Share of the optional skills a universalized person also completes (mean).
OPTIONAL_SHARE = (0.53, 0.48, 0.40, 0.40)
SOURCES = ("mooc", "vneid", "session", "assessment", "manual")
# Cumulative weights of SOURCES by group: pupils and cadres learn online and sit
# assessments; citizens learn in village sessions and through VNeID.
SOURCE_WEIGHTS = (
    (45, 55, 70, 95, 100),
    (35, 40, 60, 95, 100),
    (30, 50, 80, 90, 100),
    (10, 40, 85, 90, 100),
)
# Days after the last day over which the last learners' starts are spread (see ``_learn``).
LATE_START_DAYS = 60
HOUSEHOLD_SIZE = 3.3  # people per household in the province's registers
STUDENTS_PER_TEACHER = 16


@dataclass(eq=False)
class Unit:
    """A unit to be written to units.csv, with what the generator needs to know about it."""

    code: str
    name: str
    kind: str
    parent: "Unit | None"
    commune: "Commune | None" = None  # where its people live
    progress: float = 0.5  # 0..1: how far its people get
    launch: int = 0  # day its campaign started
    model_year: int = 0  # an exemplary unit: all its people finished within this year
    grades: tuple = ()  # schools: grades taught; classes: their one grade
    weight: float = 1.0  # relative size (villages, employers)
    staff: int = 0  # planned cadres or workers
    leaders: list = field(default_factory=list)
    titles: list = field(default_factory=list)
    registered: list = field(default_factory=lambda: [0, 0, 0, 0])
    households: int = 0


@dataclass(eq=False)
class Commune:
    """A commune or ward with its plan: who lives there and which units they belong to."""

    name: str
    district: str
    progress: float
    weight: float
    centre: bool
    unit: Unit
    pilot_year: int = 0
    ethnicities: list = field(default_factory=list)
    ethnicity_weights: list = field(default_factory=list)
    villages: list = field(default_factory=list)
    schools: list = field(default_factory=list)
    staff: list = field(default_factory=list)  # (unit, group) for cadres and workers who live here
    students: list = field(default_factory=list)  # (class unit, pupils who live here)
    citizens: int = 0
    sessions: list = field(default_factory=list)  # days of village learning sessions
    festivals: list = field(default_factory=list)


class Person:
    """One person while their commune is being generated."""

    __slots__ = ("ext", "group", "unit", "household", "birth", "gender", "ethnicity", "family", "name",
                 "position", "boost", "start")

    def __init__(self, group: int, unit: Unit | None, birth: int, position: str = ""):
        self.group = group
        self.unit = unit
        self.birth = birth
        self.position = position
        self.household = None
        self.gender = ""
        self.ethnicity = self.family = self.name = self.ext = ""
        self.boost = 0  # 1: has a mentor; 2: has a very active mentor
        self.start = 0


def ascii_code(name: str) -> str:
    """A stable unit code from a Vietnamese name: "Sìn Hồ" -> "SINHO"."""
    plain = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in plain if ch.isascii() and ch.isalnum()).upper()


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    if not weights:
        return []
    whole = sum(weights)
    if whole <= 0:
        weights, whole = [1.0] * len(weights), float(len(weights))
    exact = [total * w / whole for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in order[:total - sum(shares)]:
        shares[i] += 1
    return shares


def _clip(x: float, lo: float = 0.05, hi: float = 0.98) -> float:
    return lo if x < lo else hi if x > hi else x


def seconds(t0: float) -> str:
    """Time since ``t0``, written the reader's way ("1,3 giây")."""
    return _("%(seconds)s s", seconds=format_decimal(round(time.perf_counter() - t0, 1)))


class DemoProvince:
    """The generated province. Construction plans the units and who belongs where;
    ``write`` generates the people and their events and writes the CSV files."""

    def __init__(self, people: int, seed: int, calendar: Calendar):
        self.cal = calendar
        self.total = people
        self.scale = people / FULL_SCALE
        self.rng = random.Random(seed)
        self.units: list[Unit] = []
        self.communes: list[Commune] = []
        self.next_person = 0
        self.national_ids: set[int] = set()
        self.counts = dict.fromkeys(IMPORT_ORDER, 0)
        self._required = [[s[0] for s in data.SKILLS if GROUP_NAMES[g] in s[5].split(";")] for g in range(4)]
        self._optional = [[s[0] for s in data.SKILLS if GROUP_NAMES[g] not in s[5].split(";")] for g in range(4)]
        self._names = {key: (list(p["families"]), _cumulative(p["families"].values()), p)
                       for key, p in data.NAMES_BY_ETHNICITY.items()}
        self._build_tree()
        self._plan_people()

    # ------------------------------------------------------------------ the unit tree

    def _unit(self, *args, **kwargs) -> Unit:
        unit = Unit(*args, **kwargs)
        self.units.append(unit)
        return unit

    def _build_tree(self) -> None:
        rng, s = self.rng, self.scale
        province = self._unit("LC", "Tỉnh Lai Châu", "province", None)
        mean_weight = sum(c[4] for c in data.COMMUNES) / len(data.COMMUNES)
        for name, kind, district, progress, weight, centre in data.COMMUNES:
            label = "Phường" if kind == "ward" else "Xã"
            unit = self._unit(ascii_code(name), f"{label} {name}", kind, province)
            pilot = data.PILOT_COMMUNES.get(name, 0)
            # Leading communes launched in spring 2025, the remote ones up to the autumn.
            unit.launch = rng.randint(0, 20) if pilot else int((1 - progress) * rng.uniform(200, 320))
            c = Commune(name, district, progress, weight / mean_weight, centre, unit, pilot)
            unit.commune, unit.progress = c, progress
            mix = dict(data.ETHNIC_MIX[district])
            if centre and kind == "commune":
                mix["Kinh"] = mix.get("Kinh", 0) + 20  # district towns drew Kinh settlers
            c.ethnicities, c.ethnicity_weights = list(mix), _cumulative(mix.values())
            c.sessions = list(range(unit.launch + rng.randint(0, 13), self.cal.end + 1, 14))
            c.festivals = [min(self.cal.end, max(0, d + rng.randint(-6, 6))) for d in self.cal.festivals]
            self.communes.append(c)
        by_name = {c.name: c for c in self.communes}

        for i, (code, name, size, head, deputy, titles) in enumerate(data.PROVINCIAL_AGENCIES):
            # Provincial staff live in the two wards of the provincial capital.
            home = self.communes[i % 2]
            agency = self._child(code, name, "agency", province, home, 0.88 + rng.gauss(0, 0.04))
            agency.weight, agency.leaders, agency.titles = size, [head, deputy, deputy], titles
        for c in self.communes:
            kind = "phường" if c.unit.kind == "ward" else "xã"
            ubnd = self._child(f"UBND-{c.unit.code}", f"UBND {kind} {c.name}", "agency", c.unit, c,
                               c.progress + 0.12 + rng.gauss(0, 0.04))
            ubnd.leaders = [t.format(kind=kind) for t in data.COMMUNE_LEADERS]
            ubnd.titles = data.COMMUNE_STAFF
            self._villages(c, max(2, round(24 * s * c.weight)))
        for c in self.communes:
            self._schools(c)
        self._fallback_schools()
        for commune, suffix, name in data.HIGH_SCHOOLS + (data.EXTRA_HIGH_SCHOOLS if s >= 0.3 else []):
            self._school(by_name[commune], suffix, name, tuple(range(10, 13)))
        self._employers(by_name)
        self._exemplary()

    def _child(self, code, name, kind, parent, commune, progress) -> Unit:
        unit = self._unit(code, name, kind, parent, commune, _clip(progress))
        unit.launch = min(self.cal.end, commune.unit.launch + self.rng.randint(0, 45))
        return unit

    def _villages(self, c: Commune, count: int) -> None:
        rng = self.rng
        if c.unit.kind == "ward":
            names = [f"Tổ dân phố số {i}" for i in range(1, count + 1)]
            kind, letter = "residential_group", "T"
        else:
            kind, letter = "village", "B"
            valley = 0.75 if c.ethnicities[0] in data.VALLEY_ETHNICITIES else 0.25
            names, taken = [], set()
            for i in range(count):
                for _ in range(20):
                    heads, tails = ((data.VALLEY_HEADS, data.VALLEY_TAILS) if rng.random() < valley
                                    else (data.HIGHLAND_HEADS, data.HIGHLAND_TAILS))
                    name = f"{rng.choice(heads)} {rng.choice(tails)}"
                    if name not in taken:
                        break
                else:
                    name = f"{name} {i + 1}"  # very large communes: number the namesakes
                taken.add(name)
                names.append(name)
            names = [f"Bản {n}" for n in names]
        for i, name in enumerate(names, 1):
            v = self._child(f"{c.unit.code}-{letter}{i:02d}", name, kind, c.unit, c,
                            c.progress + rng.gauss(0, 0.07))
            v.weight = rng.lognormvariate(0, 0.35)
            c.villages.append(v)

    def _schools(self, c: Commune) -> None:
        """Pre-schools, primary and lower secondary schools of a commune, by its size."""
        s, f = self.scale, c.weight
        boarding = c.unit.kind == "commune" and c.progress < 0.6  # "bán trú" schools of the highlands
        places = [c.name] + [v.name.removeprefix("Bản ") for v in c.villages]
        plan = [("MN", "Trường Mầm non", (), round(1.4 * s * f)),
                ("TH", "Trường PTDTBT Tiểu học" if boarding else "Trường Tiểu học", tuple(range(1, 6)),
                 round(1.8 * s * f)),
                ("THCS", "Trường PTDTBT THCS" if boarding else "Trường THCS", tuple(range(6, 10)),
                 round(1.2 * s * f))]
        for suffix, title, grades, count in plan:
            for i in range(count):
                self._school(c, f"{suffix}{i + 1}", f"{title} {places[i % len(places)]}", grades)

    def _fallback_schools(self) -> None:
        """At small scales a district may have no primary or lower secondary school left:
        one school in the district town then teaches the missing grades."""
        for district in data.ETHNIC_MIX:
            members = [c for c in self.communes if c.district == district]
            taught = {g for c in members for school in c.schools for g in school.grades}
            missing = tuple(g for g in range(1, 10) if g not in taught)
            if not missing:
                continue
            town = next(c for c in members if c.centre)
            boarding = town.unit.kind == "commune"
            level = ("TH&THCS" if missing[0] < 6 and missing[-1] > 5 else "Tiểu học" if missing[-1] < 6 else "THCS")
            title = f"Trường {'PTDTBT ' if boarding else ''}{level} {town.name}"
            self._school(town, "LC" if level == "TH&THCS" else "TH0" if level == "Tiểu học" else "THCS0",
                         title, missing)

    def _school(self, c: Commune, suffix: str, name: str, grades: tuple) -> Unit:
        school = self._child(f"{c.unit.code}-{suffix}", name, "school", c.unit, c,
                             c.progress + 0.06 + self.rng.gauss(0, 0.08))
        school.grades = grades
        school.leaders = data.SCHOOL_LEADERS
        school.titles = data.SCHOOL_STAFF if grades else data.PRESCHOOL_STAFF
        c.schools.append(school)
        for g in grades:
            cls = self._unit(f"{school.code}-K{g}", f"Khối {g}, {name}", "class", school, c,
                             _clip(school.progress + self.rng.gauss(0, 0.03)), school.launch)
            cls.grades = (g,)
        return school

    def _employers(self, by_name: dict) -> None:
        rng, s = self.rng, self.scale
        towns = [6 if c.unit.kind == "ward" else 3 if c.centre else 0.6 for c in self.communes]
        count = max(3, round(110 * s))
        names = {m[1] for m in data.MAJOR_ENTERPRISES}
        for i in range(count):
            if i < len(data.MAJOR_ENTERPRISES):
                code, name, where, size = data.MAJOR_ENTERPRISES[i]
                c = by_name[where]
            else:
                c = rng.choices(self.communes, weights=towns)[0]
                code, size = f"DN-{i + 1:03d}", rng.lognormvariate(0, 0.8)
                name = self._unique(names, lambda: " ".join((rng.choice(data.ENTERPRISE_FORMS),
                                                            rng.choice(data.ENTERPRISE_TRADES),
                                                            rng.choice(data.ENTERPRISE_BRANDS))))
            e = self._child(code, name, "enterprise", c.unit, c, rng.uniform(0.45, 0.85))
            e.weight, e.leaders, e.titles = size, data.ENTERPRISE_LEADERS, data.ENTERPRISE_STAFF
        rural = [0.3 if c.unit.kind == "ward" else 1 + c.progress for c in self.communes]
        for i in range(max(3, round(70 * s))):
            c = rng.choices(self.communes, weights=rural)[0]
            name = self._unique(names, lambda: f"HTX {rng.choice(data.COOPERATIVE_PRODUCTS)} {c.name}")
            coop = self._child(f"HTX-{i + 1:03d}", name, "cooperative", c.unit, c, c.progress + rng.gauss(0, 0.1))
            coop.weight = rng.lognormvariate(0, 0.5)
            coop.leaders, coop.titles = data.COOPERATIVE_LEADERS, data.COOPERATIVE_STAFF

    @staticmethod
    def _unique(taken: set, make) -> str:
        """A name from ``make()`` not in ``taken``; numbered once the combinations run out."""
        for _ in range(50):
            name = make()
            if name not in taken:
                break
        base, number = name, 2
        while name in taken:
            name, number = f"{base} {number}", number + 1
        taken.add(name)
        return name

    def _exemplary(self) -> None:
        """Mark the units whose people all finish within one campaign year: every unit of a
        pilot commune, and about one in ten schools, agencies and employers."""
        rng = self.rng
        for unit in self.units:
            if unit.kind in ("province", "commune", "ward", "class"):
                continue
            if unit.commune.pilot_year and unit.parent.kind != "province":
                unit.model_year = unit.commune.pilot_year
            elif unit.kind in ("school", "agency", "enterprise", "cooperative") and rng.random() < 0.1:
                unit.model_year = 2025 if rng.random() < 0.6 else 2026
            elif unit.kind in ("village", "residential_group") and rng.random() < 0.02:
                unit.model_year = 2026
            if unit.model_year and unit.model_year not in self.cal.year_windows:
                unit.model_year = max(self.cal.year_windows)  # that campaign has not started yet
            if unit.model_year:
                lo, hi = self.cal.year_windows[unit.model_year]
                unit.launch = lo + rng.randint(0, 60)
        for unit in self.units:
            if unit.kind == "class":
                unit.model_year, unit.launch = unit.parent.model_year, unit.parent.launch

    # ------------------------------------------------------------------ who belongs where

    def _plan_people(self) -> None:
        """Fix how many people of each group every unit has, exactly summing to ``total``."""
        n, rng = self.total, self.rng
        communes = self.communes
        # Highland communes have more children of school age.
        pupil_share = [0.22 + 0.08 * (1 - c.progress) for c in communes]
        pupils = apportion(round(0.25 * n), [c.weight * p for c, p in zip(communes, pupil_share)])
        classes: dict[tuple, list[Unit]] = {}
        enrolment: dict[Unit, int] = {}
        for c, count in zip(communes, pupils):
            # Fewer pupils stay on to upper secondary where the commune is poorer.
            grade_weights = [1.0] * 5 + [0.92] * 4 + [0.35 + 0.45 * c.progress] * 3
            for grade, k in enumerate(apportion(count, grade_weights), 1):
                if not k:
                    continue
                places = self._classes_for(c, grade, classes)
                for cls, m in zip(places, apportion(k, [1.0] * len(places))):
                    if m:
                        c.students.append((cls, m))
                        enrolment[cls.parent] = enrolment.get(cls.parent, 0) + m
        schools = [u for u in self.units if u.kind == "school"]
        teachers = apportion(round(0.25 * n / STUDENTS_PER_TEACHER), [enrolment.get(u, 0) for u in schools])
        preschools = [u for u in schools if not u.grades]
        for u, k in zip(preschools, apportion(round(0.005 * n), [rng.uniform(0.6, 1.4) for _ in preschools])):
            u.staff = k
        for u, k in zip(schools, teachers):
            u.staff += k
        agencies = [u for u in self.units if u.kind == "agency"]
        provincial = [u for u in agencies if u.parent.kind == "province"]
        communal = [u for u in agencies if u.parent.kind != "province"]
        for share, units, weights in (
                (0.009, provincial, [u.weight for u in provincial]),
                (0.0035, communal, [math.sqrt(u.commune.weight) for u in communal]),
                (0.05, *self._of_kind("enterprise")),
                (0.012, *self._of_kind("cooperative"))):
            for u, k in zip(units, apportion(round(share * n), weights)):
                u.staff = k
        staffed = [u for u in self.units if u.staff]
        for u in staffed:
            group = WORKER if u.kind in ("enterprise", "cooperative") else CADRE
            u.commune.staff.append((u, group))
        others = sum(u.staff for u in staffed) + sum(pupils)
        for c, k in zip(communes, apportion(n - others, [c.weight * (1 - p) for c, p in zip(communes, pupil_share)])):
            c.citizens = k

    def _of_kind(self, kind: str) -> tuple[list[Unit], list[float]]:
        units = [u for u in self.units if u.kind == kind]
        return units, [u.weight for u in units]

    def _classes_for(self, c: Commune, grade: int, cache: dict) -> list[Unit]:
        """Classes a pupil of commune ``c`` in ``grade`` can attend: in the commune, else in
        the district (boarding at the district town's school)."""
        key = (id(c), grade)
        if key not in cache:
            local = [u for u in self.units if u.kind == "class" and u.grades == (grade,) and u.commune is c]
            cache[key] = local or [u for u in self.units if u.kind == "class" and u.grades == (grade,)
                                   and u.commune.district == c.district]
        return cache[key]

    # ------------------------------------------------------------------ writing

    def write(self, directory: Path) -> None:
        """Generate everybody and write ``<kind>.csv`` for each kind of IMPORT_ORDER."""
        files = {kind: open(directory / f"{kind}.csv", "w", encoding="utf-8", newline="") for kind in IMPORT_ORDER}
        try:
            w = {kind: csv.writer(f) for kind, f in files.items()}
            w["households"].writerow(["code", "unit_code", "head_name"])
            w["people"].writerow(["external_id", "full_name", "group", "unit_code", "household_code", "birth_year",
                                  "gender", "national_id", "party_member", "position", "eligible"])
            w["completions"].writerow(["person_id", "skill_code", "completed_on", "source", "reference"])
            w["activities"].writerow(["person_id", "kind", "occurred_on", "reference"])
            w["mentorships"].writerow(["mentor_id", "mentee_id", "started_on"])
            for c in self.communes:
                self._write_commune(c, w)
            self._write_skills(w["skills"])
            self._write_units(w["units"])
        finally:
            for f in files.values():
                f.close()

    def _write_skills(self, w) -> None:
        w.writerow(["code", "name", "domain", "level", "points", "required_for"])
        w.writerows(data.SKILLS)
        self.counts["skills"] = len(data.SKILLS)

    def _write_units(self, w) -> None:
        """Units with declared head counts. Declarations sit on the units people are
        registered in (a commune's total would be counted on top of its villages'): some
        villages declare residents not yet registered, some classes an outdated, lower roll
        (scoring takes the larger), some agencies and employers their vacancies."""
        rng = self.rng
        w.writerow(["code", "name", "kind", "parent_code", *(f"headcount_{g}" for g in GROUP_NAMES)])
        for u in self.units:
            declared = ["", "", "", ""]
            reg = u.registered
            if u.kind in ("village", "residential_group") and reg[CITIZEN] and rng.random() < 0.45:
                if not u.model_year:
                    declared[CITIZEN] = math.ceil(reg[CITIZEN] * rng.uniform(1.02, 1.2))
            elif u.kind == "class" and reg[STUDENT] and rng.random() < 0.2:
                declared[STUDENT] = int(reg[STUDENT] * rng.uniform(0.85, 0.97))
            elif u.kind in ("agency", "school") and reg[CADRE] and rng.random() < 0.4:
                declared[CADRE] = reg[CADRE] + (0 if u.model_year else rng.randint(0, max(1, reg[CADRE] // 10)))
            elif u.kind in ("enterprise", "cooperative") and reg[WORKER] and rng.random() < 0.35:
                declared[WORKER] = reg[WORKER] if u.model_year else math.ceil(reg[WORKER] * rng.uniform(1.0, 1.25))
            w.writerow([u.code, u.name, u.kind, u.parent.code if u.parent else "", *declared])
        self.counts["units"] = len(self.units)

    # ------------------------------------------------------------------ one commune

    def _write_commune(self, c: Commune, w: dict) -> None:
        people = self._members(c)
        households = self._households(c, people)
        ordered = [p for hh in households for p in hh[2]] + [p for p in people if p.household is None]
        for p in ordered:
            self._identity(c, p)
        w["households"].writerows([code, village.code, members[0].name] for code, village, members in households)
        self.counts["households"] += len(households)
        w["people"].writerows(map(self._person_row, ordered))
        self.counts["people"] += len(ordered)
        pairs = self._mentors(c, ordered)
        for p in ordered:
            self._learn(c, p, w["completions"], w["activities"])
        rng = self.rng
        for mentor, mentee in pairs:
            # The mentor took the mentee on shortly before the mentee started learning.
            w["mentorships"].writerow([mentor.ext, mentee.ext, self.cal.days[max(0, mentee.start - rng.randint(2, 30))]])
        self.counts["mentorships"] += len(pairs)

    def _members(self, c: Commune) -> list[Person]:
        """Everybody who lives in commune ``c``: staff, pupils and citizens."""
        rng = self.rng
        people = []
        for unit, group in c.staff:
            for i in range(unit.staff):
                position = unit.leaders[i] if i < len(unit.leaders) else rng.choice(unit.titles)
                if group == CADRE:
                    birth = 1966 + int(rng.triangular(0, 36, 14))
                else:
                    birth = 1970 + int(rng.triangular(0, 36, 22))
                if i < len(unit.leaders):
                    birth = min(birth, 1985)  # leaders are senior
                people.append(Person(group, unit, birth, position))
        for cls, count in c.students:
            for _ in range(count):
                # Grade 1 pupils of 2025-26 were born in 2019; some started late or repeated.
                birth = 2019 - (cls.grades[0] - 1) - (rng.random() < 0.12)
                people.append(Person(STUDENT, cls, birth))
        for _ in range(c.citizens):
            birth = 2006 - int(abs(rng.gauss(0, 17)))
            people.append(Person(CITIZEN, None, birth if birth >= 1955 else rng.randint(1955, 1970)))
        return people

    def _households(self, c: Commune, people: list[Person]) -> list[tuple]:
        """Group people into households: (code, village, members). Pupils and citizens
        nearly always belong to one, cadres and workers often."""
        rng = self.rng
        members = [p for p in people if rng.random() < (0.98 if p.group in (STUDENT, CITIZEN) else 0.7)]
        adults = [p for p in members if p.group != STUDENT]
        count = min(round(len(people) / HOUSEHOLD_SIZE), len(adults))
        if not count or not c.villages:
            return []
        rng.shuffle(adults)
        adults.sort(key=lambda p: p.birth > 1997)  # heads are mostly past their twenties
        weights = _cumulative(v.weight for v in c.villages)
        households = []
        for head in adults[:count]:
            village = rng.choices(c.villages, cum_weights=weights)[0]
            village.households += 1
            head.ethnicity = rng.choices(c.ethnicities, cum_weights=c.ethnicity_weights)[0]
            head.family = self._family(head.ethnicity)
            head.gender = "M" if rng.random() < 0.85 else "F"
            code = f"{village.code}-{village.households:04d}"
            households.append((code, village, [head]))
            head.household = code
        heads = set(map(id, adults[:count]))
        for p in members:
            if id(p) in heads:
                continue
            hh = households[rng.randrange(count)]
            head = hh[2][0]
            p.household, p.ethnicity = hh[0], head.ethnicity
            if p.group != STUDENT and len(hh[2]) == 1 and head.gender == "M" and rng.random() < 0.85:
                p.gender, p.family = "F", self._family(head.ethnicity, avoid=head.family)  # the spouse
            else:
                p.family = head.family
            hh[2].append(p)
        for code, village, hh_members in households:
            for p in hh_members:
                if p.group == CITIZEN:
                    p.unit = village
        return households

    def _family(self, ethnicity: str, avoid: str = "") -> str:
        families, cum, _ = self._names[ethnicity]
        for _ in range(5):  # many peoples marry outside the clan
            family = self.rng.choices(families, cum_weights=cum)[0]
            if family != avoid:
                break
        return family

    def _identity(self, c: Commune, p: Person) -> None:
        """Name, gender, unit and external id of a person placed in a household or not."""
        rng = self.rng
        if not p.ethnicity:
            p.ethnicity = rng.choices(c.ethnicities, cum_weights=c.ethnicity_weights)[0]
            p.family = self._family(p.ethnicity)
        if not p.gender:
            female = 0.95 if p.position.endswith("mầm non") else 0.7 if p.position == "Giáo viên" else 0.49
            p.gender = "F" if rng.random() < female else "M"
        if p.unit is None:
            p.unit = rng.choices(c.villages, weights=[v.weight for v in c.villages])[0]
        spec = self._names[p.ethnicity][2]
        if p.gender == "M":
            p.name = f"{p.family} {rng.choice(spec['male_middle'])} {rng.choice(spec['male'])}"
        else:
            p.name = f"{p.family} {rng.choice(spec['female_middle'])} {rng.choice(spec['female'])}"
        self.next_person += 1
        p.ext = f"P{self.next_person:07d}"
        p.unit.registered[p.group] += 1

    def _person_row(self, p: Person) -> list:
        rng = self.rng
        national_id = self._national_id(p) if rng.random() < 0.7 else ""
        party = {CADRE: 0.4, STUDENT: 0.0, WORKER: 0.06}.get(p.group, 0.04 if p.birth <= 1995 else 0.01)
        return [p.ext, p.name, GROUP_NAMES[p.group], p.unit.code, p.household or "", p.birth, p.gender, national_id,
                int(rng.random() < party), p.position, 0 if rng.random() < 0.005 else 1]

    def _national_id(self, p: Person) -> str:
        """12 digits: 012 (Lai Châu), gender and century, year of birth, 6 random digits."""
        century = (0 if p.birth < 2000 else 2) + (p.gender == "F")
        prefix = 12_000_000_000 + century * 100_000_000 + (p.birth % 100) * 1_000_000
        while True:
            number = prefix + self.rng.randrange(1_000_000)
            if number not in self.national_ids:
                self.national_ids.add(number)
                return f"{number:012d}"

    def _mentors(self, c: Commune, people: list[Person]) -> list[tuple[Person, Person]]:
        """Mentors (cadres, older pupils, young adults) and their mentees (mostly older
        citizens and workers of the same commune). A few mentors have ten or more."""
        rng = self.rng
        mentors, pool = [], []
        for p in people:
            if p.group == CADRE:
                chance = 0.2
            elif p.group == STUDENT:
                chance = 0.06 if p.birth <= 2011 else 0
            else:
                chance = 0.04 if 1988 <= p.birth <= 2006 and p.group == CITIZEN else 0
            if chance and rng.random() < chance:
                mentors.append(p)
            elif p.group in (CITIZEN, WORKER):
                pool.append(p)
        rng.shuffle(pool)
        pairs = []
        for i, mentor in enumerate(mentors):
            r = rng.random()
            # The first mentor of every leading commune is one of its known "digital ambassadors".
            if (i == 0 and c.progress >= 0.75) or r < 0.01:
                count, boost = rng.randint(10, 15), 2
            elif r < 0.15:
                count, boost = rng.randint(5, 9), 1
            else:
                count, boost = rng.randint(1, 4), 1
            for _ in range(min(count, len(pool))):
                mentee = pool.pop()
                mentee.boost = boost
                pairs.append((mentor, mentee))
        return pairs

    def _learn(self, c: Commune, p: Person, completions, activities) -> None:
        """Write a person's completions and activities."""
        rng, rand, u, g = self.rng, self.rng.random, p.unit, p.group
        if u.model_year:
            lo, hi = u.launch, self.cal.year_windows[u.model_year][1]
            # A pilot village still has stragglers; a model school or agency has none.
            universal = 1.0 if u.kind not in ("village", "residential_group") or not c.pilot_year else 0.93
            start = lo + int((hi - lo) * 0.6 * rand())
            span = min(hi - start, 7 + int(rng.expovariate(1 / 60)))
        else:
            universal = UNIVERSAL_BASE[g] + UNIVERSAL_SLOPE[g] * u.progress
            if p.boost == 1:
                universal = min(0.97, universal + 0.25)
            elif p.boost == 2:
                universal = max(universal, 0.92)
            # Starts skew late (the campaign gathered pace month by month) and run on past
            # the last day: whoever is still learning then has only part of it done. A mentor
            # gets their mentees going.
            if p.boost:
                start = u.launch + int((self.cal.end - 30 - u.launch) * rand())
            else:
                start = u.launch + int((self.cal.end + LATE_START_DAYS - u.launch) * rand() ** START_SKEW[g])
            span = 7 + int(rng.expovariate(1 / 60))
        p.start = min(start, self.cal.end)
        if rand() < universal:
            optional = self._optional[g]
            share = _clip(rng.gauss(OPTIONAL_SHARE[g] + 0.3 * (u.progress - 0.5), 0.18), 0.0, 1.0)
            skills = self._required[g] + rng.sample(optional, int(len(optional) * share))
        elif rand() < 0.55 - 0.4 * u.progress:
            skills = []
        else:
            required = self._required[g]
            skills = rng.sample(required, rng.randint(1, len(required) - 1))
            skills += rng.sample(self._optional[g], int(len(self._optional[g]) * rand() * 0.3))
        rows = []
        if skills:
            sources = rng.choices(SOURCES, cum_weights=SOURCE_WEIGHTS[g], k=len(skills))
            for code, source in zip(skills, sources):
                day = start + int(rand() * span)
                if day > self.cal.end:
                    continue  # not yet done when the data was taken
                # A few completions carry the certificate or assessment number.
                reference = f"BDHVS-{self.cal.days[day][:4]}-{rng.randrange(10 ** 6):06d}" if rand() < 0.03 else ""
                rows.append((p.ext, code, self.cal.days[day], source, reference))
            completions.writerows(rows)
            self.counts["completions"] += len(rows)
        self._activities(c, p, bool(rows), p.start, span, activities)

    def _activities(self, c: Commune, p: Person, learned: bool, start: int, span: int, w) -> None:
        rng, rand, progress = self.rng, self.rng.random, p.unit.progress
        adult = p.birth <= 2011  # VNeID level 2 and payments from 14
        rows = []
        if adult and rand() < (0.95 if p.group == CADRE else 0.3 + 0.6 * progress):
            rows.append((p.ext, "vneid_level2", self.cal.days[max(0, start - rng.randint(0, 60))], ""))
        if learned and p.group in (CITIZEN, WORKER) and rand() < 0.55:
            lo = bisect.bisect_left(c.sessions, start - 7)
            hi = bisect.bisect_right(c.sessions, start + span + 7)
            days = c.sessions[lo:hi]
            for d in sorted(rng.sample(days, min(len(days), rng.randint(1, 6)))):
                rows.append((p.ext, "learning_session", self.cal.days[d], ""))
        for d in c.festivals:
            if rand() < 0.06 + 0.14 * progress:
                rows.append((p.ext, "festival", self.cal.days[d], f"Ngày hội chuyển đổi số {c.unit.name}"))
        if adult:
            for kind, chance in (("cashless_payment", 0.25 + 0.55 * progress), ("ecommerce", 0.05 + 0.3 * progress),
                                 ("digital_savings", 0.03 + 0.15 * progress)):
                if rand() < chance:
                    rows.append((p.ext, kind, self.cal.days[min(self.cal.end, start + int(rand() * (span + 30)))], ""))
        if rows:
            w.writerows(rows)
            self.counts["activities"] += len(rows)


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for x in weights:
        total += x
        out.append(total)
    return out


def demo_accounts() -> str:
    """Create (or reset) the demo's accounts, one per role; returns their new password."""
    from accounts.services import set_demo_password, temporary_password

    password = temporary_password()
    for email, role, unit_code in DEMO_ACCOUNTS:
        set_demo_password(email, role, password, unit_code)
    return password


def shipped_campaigns() -> list[tuple[str, str, dict]]:
    """The shipped campaign files: (file name, text, rules)."""
    shipped = []
    for name in CAMPAIGN_FILES:
        text = (config.BASE_DIR / "campaigns" / name).read_text(encoding="utf-8")
        try:
            shipped.append((name, text, parse_campaign(text)))
        except CampaignError as exc:
            raise click.ClickException(f"{name}: {exc}") from None
    return shipped


def load_demo(people: int, seed: int, echo, today: date | None = None, weeks: int | None = None) -> str:
    """Generate the demo province for ``people`` people from ``seed`` as it stands on
    ``today`` (the province's, by default), import it through the real importers, load the
    shipped campaigns and compute their scores as of today (the badges and personal codes
    follow, see ``scoring.scores_updated``); then ``demo_loaded`` lets the packages above
    bring their part (the leaderboards their weekly publications: the last ``weeks`` of each
    campaign, every week so far when None). Returns the one-line summary.

    Raises ``click.ClickException`` if an importer rejects a generated file (a generator bug).
    """
    t_all = time.perf_counter()
    today = today or province_today()
    shipped = shipped_campaigns()
    calendar = Calendar([(date.fromisoformat(r["starts_on"]), date.fromisoformat(r["ends_on"]))
                         for _name, _text, r in shipped], today)
    changed = 0
    with tempfile.TemporaryDirectory(prefix="thiduaso-demo-") as tmp:
        directory = Path(tmp)
        t0 = time.perf_counter()
        echo(_("Generating the demo province: %(people)s people, seed %(seed)d…",
               people=format_number(people), seed=seed))
        province = DemoProvince(people, seed, calendar)
        province.write(directory)
        counts = province.counts
        del province  # its national-id set is large; the importers need the memory more
        echo(_("Generated: %(units)s units, %(people)s people, %(completions)s skill completions (%(time)s)",
               units=format_number(counts["units"]), people=format_number(counts["people"]),
               completions=format_number(counts["completions"]), time=seconds(t0)))
        for kind in IMPORT_ORDER:
            if not counts[kind]:
                # Possible for a tiny province; the importers reject a file without rows.
                echo(_("%(file)s: no rows, skipped", file=f"{kind}.csv"))
                continue
            t0 = time.perf_counter()
            report = run_import(kind, directory / f"{kind}.csv", actor="demo")
            if not report.ok or report.file_error is not None:
                details = "; ".join(e.render() for e in report.errors[:5])
                raise click.ClickException(f"{report.summary()} {details}".strip())
            changed += report.rows_changed
            echo(f"{report.summary()} ({seconds(t0)})")
    campaigns = []
    for name, text, _rules in shipped:
        campaign, _created = load_campaign(text, actor="demo")
        campaigns.append(campaign.code)
        echo(_("Campaign %(code)s loaded: %(name)s", code=campaign.code, name=campaign.name))
    for code in campaigns:
        t0 = time.perf_counter()
        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == code))
        ensure_scores(campaign, today)  # the badges and personal codes follow (scores_updated)
        echo(_("Scores of %(code)s as of %(day)s, badges and personal codes (%(time)s)", code=code,
               day=today.strftime("%d/%m/%Y"), time=seconds(t0)))
    demo_loaded.send(None, campaigns=campaigns, today=today, echo=echo, weeks=weeks)
    password = demo_accounts()
    echo(_("Demo accounts (password %(password)s): %(accounts)s", password=password,
           accounts=", ".join(f"{email} ({ROLE_NAMES[role]})" for email, role, _unit in DEMO_ACCOUNTS)))
    numbers = {k: format_number(counts[k]) for k in
               ("units", "households", "people", "skills", "completions", "activities", "mentorships")}
    return _("Demo province loaded: %(units)s units, %(households)s households, %(people)s people, "
             "%(skills)s skills, %(completions)s skill completions, %(activities)s activities, "
             "%(mentorships)s mentorships, %(campaigns)d campaigns; %(changed)s records created or changed "
             "(%(time)s).", campaigns=len(CAMPAIGN_FILES), changed=format_number(changed), time=seconds(t_all),
             **numbers)
