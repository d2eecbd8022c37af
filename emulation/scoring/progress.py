"""Progress against a campaign's targets (SPEC §3, units): the coverage by target group of
the province, or of a manager's unit, and of its sub-units.

Read from the stored scores (``scoring``: ``unit_scores`` hold every unit's figures over
its subtree), brought to the requested date first. Imports keep them current
(``scoring.apply_events``), so a visit reads a few thousand rows; only the first visit
of a new day, or after another date was scored, recomputes (the scheduler does it each
night, see leaderboards/schedule.py).
"""
import math
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from emulation.clock import as_date, province_today
from emulation.models import COMMUNE_KINDS, Campaign, HouseholdScore, PersonScore, Unit, UnitScore
from extensions import db

from .scores import ensure_scores


@dataclass
class Coverage:
    """Universalized people (``n``) over the official denominator (``d``) of one group or all."""
    n: int = 0
    d: int = 0

    @property
    def share(self) -> float | None:
        return self.n / self.d if self.d else None

    def add(self, other: "Coverage") -> None:
        self.n += other.n
        self.d += other.d


@dataclass
class UnitProgress:
    id: int
    code: str
    name: str
    kind: str
    path: str
    by_group: dict[str, Coverage] = field(default_factory=dict)
    reached_on: date | None = None

    @property
    def total(self) -> Coverage:
        out = Coverage()
        for c in self.by_group.values():
            out.add(c)
        return out

    def add(self, group: str, coverage: Coverage) -> None:
        self.by_group.setdefault(group, Coverage()).add(coverage)

    def reached(self, day: date | None) -> None:
        """The unit reached its coverage no earlier than ``day``."""
        if day and (self.reached_on is None or day > self.reached_on):
            self.reached_on = day

    def absorb_unit(self, other: "UnitProgress") -> None:
        """Add a sub-unit's (or another root's) figures to these."""
        for g, c in other.by_group.items():
            self.add(g, c)
        self.reached(other.reached_on)

    def meets(self, targets: dict) -> bool:
        """Every group with people to count has reached its target."""
        return all(c.share is not None and c.share >= targets[g] for g, c in self.by_group.items() if c.d)


@dataclass
class Progress:
    campaign: Campaign
    as_of: date
    window: tuple[date, date]
    scope: UnitProgress  # the province (all roots together) or a manager's unit
    children: list[UnitProgress]  # the scope's sub-units (communes and wards for the province)
    adults_universalized: int  # universalized people who are not students (the "certified" target)
    updating: bool = False  # the stored scores are being brought up to date by another process


def current_campaign() -> Campaign | None:
    """The campaign running today, else the one that ended last, else the next to start."""
    today = province_today()
    campaigns = db.session.scalars(sa.select(Campaign).order_by(Campaign.starts_on, Campaign.id)).all()
    running = [c for c in campaigns if c.starts_on <= today <= c.ends_on]
    past = sorted((c for c in campaigns if c.ends_on < today), key=lambda c: c.ends_on)
    if running:
        return running[-1]
    if past:
        return past[-1]
    return campaigns[0] if campaigns else None


def campaign_progress(campaign: Campaign, *, as_of: date | None = None, scope_path: str | None = None) -> Progress:
    """Coverage of ``scope_path``'s subtree (the whole province when None) and of its sub-units."""
    as_of = as_of or province_today()
    # A page does not wait for an import's scores (SQLite): it shows the stored ones, and
    # says they are being brought up to date.
    fresh = ensure_scores(campaign, as_of, wait=False)
    groups = campaign.groups
    units = db.session.execute(
        sa.select(Unit.id, Unit.parent_id, Unit.code, Unit.name, Unit.kind, Unit.path, UnitScore.by_group,
                  UnitScore.reached_on)
        .join(UnitScore, sa.and_(UnitScore.unit_id == Unit.id, UnitScore.campaign_id == campaign.id))
        .order_by(Unit.path)).all()
    figures = {}
    for row in units:
        figures[row.id] = UnitProgress(row.id, row.code, row.name, row.kind, row.path,
                                       {g: Coverage(*row.by_group.get(g, (0, 0))) for g in groups},
                                       as_date(row.reached_on))
    if scope_path is None:
        roots = [figures[r.id] for r in units if r.parent_id is None]
        if len(roots) == 1:
            scope = roots[0]
        else:
            scope = UnitProgress(0, "", "", "province", "/", {g: Coverage() for g in groups})
            for r in roots:
                scope.absorb_unit(r)
        # The province's communes and wards (or, in a tree without them, the roots' children).
        children = [figures[r.id] for r in units if r.kind in COMMUNE_KINDS]
        if not children:
            root_ids = {r.id for r in units if r.parent_id is None}
            children = [figures[r.id] for r in units if r.parent_id in root_ids]
    else:
        scope = next(figures[r.id] for r in units if r.path == scope_path)
        children = [figures[r.id] for r in units if r.parent_id == scope.id]
    # The "certified" head count: universalized people of the campaign's groups, pupils and
    # students aside.
    adults = sum(c.n for g, c in scope.by_group.items() if g != "student")
    return Progress(campaign, as_of, (campaign.starts_on, min(campaign.ends_on, as_of)), scope,
                    sorted(children, key=lambda c: c.name), adults, updating=not fresh)


def person_score(campaign: Campaign, person_id: int, as_of: date | None = None) -> PersonScore | None:
    """A person's stored scores for ``campaign`` as of ``as_of`` (today by default)."""
    ensure_scores(campaign, as_of or province_today(), wait=False)  # as campaign_progress
    return db.session.get(PersonScore, (campaign.id, person_id))


def household_score(campaign: Campaign, household_id: int, as_of: date | None = None) -> HouseholdScore | None:
    """A household's stored scores for ``campaign`` as of ``as_of`` (today by default)."""
    ensure_scores(campaign, as_of or province_today(), wait=False)  # as campaign_progress
    return db.session.get(HouseholdScore, (campaign.id, household_id))


@dataclass
class Gap:
    """A target group of a unit against its target: how far it is, and how many more people."""
    group: str
    coverage: Coverage
    target: float

    @property
    def missing(self) -> int:
        """People still to universalize for the target (0 once met)."""
        return max(0, math.ceil(self.target * self.coverage.d - self.coverage.n - 1e-9))

    @property
    def met(self) -> bool:
        return self.missing == 0


def gaps(unit: UnitProgress, targets: dict) -> list[Gap]:
    """The groups of ``unit`` that have people to count, furthest below their target first
    (then the lowest coverage): what a unit should work on."""
    found = [Gap(g, c, targets[g]) for g, c in unit.by_group.items() if c.d]
    return sorted(found, key=lambda x: (x.met, (x.coverage.share or 0) - x.target, x.group))


@dataclass
class TreeRow:
    unit: UnitProgress
    depth: int  # 0 for the tree's top
    below: int  # sub-units, all levels


def unit_tree(campaign: Campaign, scope_path: str | None = None, *, levels: int = 2,
              as_of: date | None = None) -> tuple[list[TreeRow], bool]:
    """The units of a subtree (``scope_path``'s unit, or the province's roots) down to
    ``levels`` below its top, each with its coverage over its own subtree, in tree order
    (siblings by name); and whether the scores are being brought up to date."""
    as_of = as_of or province_today()
    fresh = ensure_scores(campaign, as_of, wait=False)
    where = [Unit.path.startswith(scope_path)] if scope_path else []
    rows = db.session.execute(
        sa.select(Unit.id, Unit.parent_id, Unit.code, Unit.name, Unit.kind, Unit.path, UnitScore.by_group,
                  UnitScore.reached_on)
        .outerjoin(UnitScore, sa.and_(UnitScore.unit_id == Unit.id, UnitScore.campaign_id == campaign.id))
        .where(*where)).all()
    figures, kids = {}, {}
    for r in rows:
        figures[r.id] = UnitProgress(r.id, r.code, r.name, r.kind, r.path,
                                     {g: Coverage(*(r.by_group or {}).get(g, (0, 0))) for g in campaign.groups},
                                     as_date(r.reached_on))
        kids.setdefault(r.parent_id, []).append(r.id)
    tops = [r.id for r in rows if (r.path == scope_path if scope_path else r.parent_id is None)]
    below = {}

    def count(uid):
        below[uid] = sum(1 + count(k) for k in kids.get(uid, ()))
        return below[uid]

    out = []

    def walk(uid, depth):
        out.append(TreeRow(figures[uid], depth, below[uid]))
        if depth < levels:
            for k in sorted(kids.get(uid, ()), key=lambda i: (figures[i].name, figures[i].code)):
                walk(k, depth + 1)

    for top in sorted(tops, key=lambda i: figures[i].name):
        count(top)
        walk(top, 0)
    return out, not fresh
