"""Progress reports for the provincial reporting duty: quarterly (``2026-Q3``), six-monthly
(``2026-H1``) and yearly (``2026``).

A report gives, as of the period's last day (or today, for a period still running), and
against the end of the previous period of the same length:

- coverage by target group against the targets, for the province and for each commune and
  ward;
- the certified head count (universalized people who are not pupils or students) against
  its target;
- digital families and ambassadors (people with as many universalized mentees as the
  ambassador badge asks).

Everything comes from the stored scores as of today, cut at each date: a person
universalized on a day stays universalized (and keeps that date), a family stays a digital
family, so the figures as of any earlier day are those dated on or before it. A report of
any period, and the comparison with the previous one, never computes the scores again.
"""
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from emulation.campaigns import DEFAULT_RULES
from emulation.clock import as_date, province_today
from emulation.models import COMMUNE_KINDS, Campaign, Unit, UnitScore
from emulation.scoring.scores import ensure_scores
from extensions import db


class ReportError(Exception):
    pass


@dataclass(frozen=True)
class Period:
    code: str  # 2026-Q3, 2026-H1, 2026
    start: date
    end: date

    def previous(self) -> "Period":
        length = {"Q": 3, "H": 6}.get(self.code[5:6], 12)
        month = self.start.month - length
        year = self.start.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        start = date(year, month, 1)
        code = (f"{year}-Q{(month - 1) // 3 + 1}" if length == 3 else f"{year}-H{(month - 1) // 6 + 1}"
                if length == 6 else str(year))
        return Period(code, start, self.start - timedelta(days=1))


def parse_period(text: str) -> Period:
    """``YYYY-Qn``, ``YYYY-Hn`` or ``YYYY``."""
    m = re.fullmatch(r"(\d{4})(?:-([QH])([1-4]))?", text.strip().upper())
    if not m or (m.group(2) == "H" and m.group(3) not in ("1", "2")):
        raise ReportError(f"{text!r}: a period is YYYY-Qn (n = 1 to 4), YYYY-Hn (n = 1 or 2) or YYYY")
    year = int(m.group(1))
    if not 1 <= year <= 9998:  # Python's dates end with 9999: a period must end (and be followed) inside it
        raise ReportError(f"{text!r}: no such year")
    if m.group(2) is None:
        return Period(str(year), date(year, 1, 1), date(year, 12, 31))
    n = int(m.group(3))
    months = 3 if m.group(2) == "Q" else 6
    first = (n - 1) * months + 1
    last = first + months - 1
    end = date(year + (last // 12), last % 12 + 1, 1) - timedelta(days=1)
    return Period(f"{year}-{m.group(2)}{n}", date(year, first, 1), end)


def periods_of(campaign: Campaign) -> list[Period]:
    """Every quarter, half and year that overlaps the campaign's window, latest first."""
    start, end = as_date(campaign.starts_on), as_date(campaign.ends_on)
    out = []
    for year in range(start.year, end.year + 1):
        for code in [f"{year}-Q{q}" for q in range(1, 5)] + [f"{year}-H1", f"{year}-H2", str(year)]:
            p = parse_period(code)
            if p.start <= end and p.end >= start:
                out.append(p)
    return sorted(out, key=lambda p: (p.end, p.end - p.start), reverse=True)


@dataclass
class Figures:
    """Universalized people by group, over the official denominators, at two dates."""
    name: str
    code: str
    n: dict = field(default_factory=lambda: defaultdict(int))  # group → universalized at the end
    before: dict = field(default_factory=lambda: defaultdict(int))  # … at the end of the previous period
    d: dict = field(default_factory=dict)  # group → denominator
    families: int = 0
    families_before: int = 0

    def share(self, group=None, before=False) -> float | None:
        counts = self.before if before else self.n
        n = counts[group] if group else sum(counts[g] for g in self.d)
        d = self.d.get(group, 0) if group else sum(self.d.values())
        return n / d if d else None

    def meets(self, targets: dict) -> bool:
        return all(self.share(g) is not None and self.share(g) >= targets[g] for g, d in self.d.items() if d)


@dataclass
class Report:
    campaign: Campaign
    period: Period
    previous: Period
    as_of: date  # the period's last day, or today while it runs
    groups: list
    targets: dict
    province: Figures
    communes: list[Figures]
    certified: int
    certified_before: int
    certified_target: int | None
    ambassadors: int
    ambassadors_before: int
    ambassador_mentees: int


def build_report(campaign: Campaign, period: Period) -> Report:
    today = province_today()
    as_of = min(period.end, today)
    if as_of < as_date(campaign.starts_on) or period.start > as_date(campaign.ends_on):
        raise ReportError(f"the period {period.code} is outside the campaign {campaign.code} "
                          f"({as_date(campaign.starts_on).isoformat()} to {as_date(campaign.ends_on).isoformat()}) "
                          "or has not begun")
    ensure_scores(campaign, today)
    campaign = db.session.get(Campaign, campaign.id)
    previous = period.previous()
    eve = previous.end
    cut = (sa.bindparam("end", type_=sa.Date), sa.bindparam("eve", type_=sa.Date))
    groups = list(campaign.rules["groups"])
    targets = campaign.rules["targets"]
    mentees = campaign.rules.get("badges", {}).get("ambassador_mentees",
                                                   DEFAULT_RULES["badges"]["ambassador_mentees"])
    cid = campaign.id
    units = db.session.execute(sa.select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.path, Unit.parent_id,
                                         UnitScore.by_group)
                               .join(UnitScore, sa.and_(UnitScore.unit_id == Unit.id, UnitScore.campaign_id == cid))
                               ).all()
    # Each unit's own counts at both dates, then added into every commune or ward above it
    # (or itself) and into the province.
    own = defaultdict(lambda: {"n": defaultdict(int), "before": defaultdict(int), "fam": 0, "fam_before": 0})
    for unit_id, group, n, before in db.session.execute(sa.text("""
            SELECT unit_id, "group", SUM(CASE WHEN universalized_on <= :end THEN 1 ELSE 0 END),
                   SUM(CASE WHEN universalized_on <= :eve THEN 1 ELSE 0 END)
            FROM person_scores WHERE campaign_id = :cid AND universalized_on IS NOT NULL
            GROUP BY unit_id, "group" """).bindparams(*cut), {"cid": cid, "end": as_of, "eve": eve}):
        if group in groups:
            own[unit_id]["n"][group] += n or 0
            own[unit_id]["before"][group] += before or 0
    for unit_id, n, before in db.session.execute(sa.text("""
            SELECT unit_id, SUM(CASE WHEN achieved_on <= :end THEN 1 ELSE 0 END),
                   SUM(CASE WHEN achieved_on <= :eve THEN 1 ELSE 0 END)
            FROM household_scores WHERE campaign_id = :cid AND digital_family = TRUE GROUP BY unit_id""")
            .bindparams(*cut), {"cid": cid, "end": as_of, "eve": eve}):
        own[unit_id]["fam"] += n or 0
        own[unit_id]["fam_before"] += before or 0

    by_id = {u.id: u for u in units}
    communes = {u.id: Figures(u.name, u.code) for u in units if u.kind in COMMUNE_KINDS}
    roots = [u for u in units if u.parent_id is None]
    province = Figures(roots[0].name if len(roots) == 1 else "", roots[0].code if len(roots) == 1 else "")
    for g in groups:
        province.d[g] = sum(int((u.by_group or {}).get(g, (0, 0))[1]) for u in roots)
    for c_id, figures in communes.items():
        figures.d = {g: int((by_id[c_id].by_group or {}).get(g, (0, 0))[1]) for g in groups}
    for unit_id, o in own.items():
        u = by_id.get(unit_id)
        if u is None:
            continue
        targets_of = [province] + [communes[int(i)] for i in u.path.strip("/").split("/") if i and int(i) in communes]
        for f in targets_of:
            for g in groups:
                f.n[g] += o["n"][g]
                f.before[g] += o["before"][g]
            f.families += o["fam"]
            f.families_before += o["fam_before"]
    certified = sum(province.n[g] for g in groups if g != "student")
    certified_before = sum(province.before[g] for g in groups if g != "student")
    ambassadors, ambassadors_before = _ambassadors(cid, campaign, as_of, eve, mentees)
    return Report(campaign, period, previous, as_of, groups, targets, province,
                  sorted(communes.values(), key=lambda f: f.name), certified, certified_before,
                  targets.get("certified"), ambassadors, ambassadors_before, mentees)


def _ambassadors(cid: int, campaign: Campaign, as_of: date, eve: date, mentees: int) -> tuple[int, int]:
    """People with at least ``mentees`` counted universalized mentees, at the end and on the
    eve: a mentee counts from the later of the mentorship's start and their universalization."""
    row = db.session.execute(sa.text("""
        SELECT SUM(CASE WHEN counted_on <= :as_of THEN 1 ELSE 0 END),
               SUM(CASE WHEN counted_on <= :eve THEN 1 ELSE 0 END) FROM (
            SELECT mentor_id, counted_on, ROW_NUMBER() OVER (PARTITION BY mentor_id ORDER BY counted_on) AS n
            FROM (SELECT ms.mentor_id,
                         CASE WHEN ms.started_on > ps.universalized_on THEN ms.started_on
                              ELSE ps.universalized_on END AS counted_on
                  FROM mentorships ms CROSS JOIN person_scores ps
                  WHERE ps.campaign_id = :cid AND ps.person_id = ms.mentee_id AND ps.universalized_on IS NOT NULL
                    AND ms.started_on BETWEEN :start AND :end) c
        ) x WHERE n = :n""").bindparams(*(sa.bindparam(k, type_=sa.Date) for k in ("as_of", "eve", "start", "end"))),
        {"cid": cid, "as_of": as_of, "eve": eve, "start": as_date(campaign.starts_on), "end": as_date(campaign.ends_on),
         "n": mentees}).one()
    return int(row[0] or 0), int(row[1] or 0)
