"""Progress against a campaign's targets (SPEC §3, units): who is universalized, and the
coverage by target group of the province or of a manager's unit and of its sub-units.

Set-based: one aggregate query for the universalized people per (unit, group), one for
the registered people, then a roll-up over the unit tree in Python (a province has a few
thousand units). The result is cached per campaign, date and state of the data, so the
dashboard does not scan millions of completions on every visit.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from threading import Lock

import sqlalchemy as sa

from extensions import db

from .clock import as_date, province_today
from .models import GROUPS, Campaign, ImportBatch, Skill, Unit


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


def required_skills() -> dict[str, list[int]]:
    """Group → ids of the skills required for it (a few dozen skills)."""
    out: dict[str, list[int]] = {g: [] for g in GROUPS}
    for skill_id, required_for in db.session.execute(sa.select(Skill.id, Skill.required_for)):
        for g in filter(None, required_for.split(";")):
            out[g].append(skill_id)
    return out


def universalized_people(campaign: Campaign, as_of: date, person_id: int | None = None):
    """SELECT person_id, unit_id, group, universalized_on of the people universalized for
    ``campaign`` as of ``as_of`` (or of that one person): every skill required for their
    group completed inside the window. A group that no skill is required for universalizes
    nobody."""
    required = {g: ids for g, ids in required_skills().items() if ids and g in campaign.groups}
    p = db.metadata.tables["people"]
    c = db.metadata.tables["completions"]
    end = min(campaign.ends_on, as_of)
    if not required:
        return sa.select(p.c.id.label("person_id"), p.c.unit_id, p.c.group,
                         sa.cast(sa.null(), sa.Date).label("universalized_on")).where(sa.false())
    counts_for_group = sa.case({g: c.c.skill_id.in_(ids) for g, ids in required.items()}, value=p.c.group,
                               else_=sa.false())
    needed = sa.case({g: len(ids) for g, ids in required.items()}, value=p.c.group, else_=-1)
    only = [c.c.person_id == person_id] if person_id is not None else []
    return (sa.select(p.c.id.label("person_id"), p.c.unit_id, p.c.group,
                      sa.func.max(c.c.completed_on).label("universalized_on"))
            .select_from(c.join(p, p.c.id == c.c.person_id))
            .where(c.c.completed_on >= campaign.starts_on, c.c.completed_on <= end, counts_for_group, *only)
            .group_by(p.c.id, p.c.unit_id, p.c.group)
            .having(sa.func.count() == needed))


def person_universalized_on(campaign: Campaign, person_id: int, as_of: date | None = None) -> date | None:
    q = universalized_people(campaign, as_of or province_today(), person_id).subquery()
    value = db.session.scalar(sa.select(q.c.universalized_on))
    return as_date(value)


@dataclass
class _TreeFigures:
    """Every unit's figures for one campaign and date, rolled up its subtree; what every
    scope's progress is read from."""
    units: list  # rows of (id, parent_id, code, name, kind, path, …), by path
    rolled: dict[int, UnitProgress]  # unit id → figures of its subtree
    adults_by_unit: dict[int, int]  # unit id → universalized non-students registered there


_cache: dict[tuple, _TreeFigures] = {}
_cache_lock = Lock()
CACHE_ENTRIES = 8


def _data_stamp():
    """Changes whenever an import commits: every change of people, units and events
    arrives through an import (file, upload or API) and is recorded as a batch. (A
    campaign's change is in the cache key through its ``updated_at``.)"""
    return db.session.scalar(sa.select(sa.func.max(ImportBatch.id)))


def campaign_progress(campaign: Campaign, *, as_of: date | None = None, scope_path: str | None = None) -> Progress:
    """Coverage of ``scope_path``'s subtree (the whole province when None) and of its sub-units.

    The figures of the whole tree are computed once per campaign, date and state of the
    data (a few seconds for 500,000 people) and shared by every scope."""
    as_of = as_of or province_today()
    key = (campaign.id, campaign.updated_at, as_of, _data_stamp())
    with _cache_lock:
        tree = _cache.get(key)
    if tree is None:
        tree = _tree_figures(campaign, as_of)
        with _cache_lock:
            if len(_cache) >= CACHE_ENTRIES:
                _cache.pop(next(iter(_cache)))
            _cache[key] = tree
    return _progress_of(campaign, as_of, tree, scope_path)


def _tree_figures(campaign: Campaign, as_of: date) -> _TreeFigures:
    groups = campaign.groups
    units = db.session.execute(sa.select(
        Unit.id, Unit.parent_id, Unit.code, Unit.name, Unit.kind, Unit.path,
        *(getattr(Unit, f"headcount_{g}") for g in groups)).order_by(Unit.path)).all()
    registered: dict[tuple[int, str], int] = defaultdict(int)
    p = db.metadata.tables["people"]
    for unit_id, group, n in db.session.execute(
            sa.select(p.c.unit_id, p.c.group, sa.func.count()).group_by(p.c.unit_id, p.c.group)):
        registered[(unit_id, group)] = n
    u = universalized_people(campaign, as_of).subquery()
    done: dict[tuple[int, str], tuple[int, date | None]] = {}
    for unit_id, group, n, last in db.session.execute(
            sa.select(u.c.unit_id, u.c.group, sa.func.count(), sa.func.max(u.c.universalized_on))
            .group_by(u.c.unit_id, u.c.group)):
        done[(unit_id, group)] = (n, as_date(last))

    # Own figures of every unit, then added up the tree (deepest first).
    rolled: dict[int, UnitProgress] = {}
    for row in units:
        up = UnitProgress(row.id, row.code, row.name, row.kind, row.path)
        for i, g in enumerate(groups):
            n, last = done.get((row.id, g), (0, None))
            up.add(g, Coverage(n, max(row[6 + i] or 0, registered[(row.id, g)])))
            up.reached(last)
        rolled[row.id] = up
    for row in sorted(units, key=lambda r: r.path.count("/"), reverse=True):
        if row.parent_id is not None:
            rolled[row.parent_id].absorb_unit(rolled[row.id])
    adults: dict[int, int] = defaultdict(int)
    for (unit_id, g), (n, _) in done.items():
        if g != "student":
            adults[unit_id] += n
    return _TreeFigures(units, rolled, adults)


def _progress_of(campaign: Campaign, as_of: date, tree: _TreeFigures, scope_path: str | None) -> Progress:
    units, rolled = tree.units, tree.rolled
    if scope_path is None:
        roots = [rolled[r.id] for r in units if r.parent_id is None]
        if len(roots) == 1:
            scope = roots[0]
        else:
            scope = UnitProgress(0, "", "", "province", "/", {g: Coverage() for g in campaign.groups})
            for r in roots:
                scope.absorb_unit(r)
        # The province's communes and wards (or, in a tree without them, the roots' children).
        children = [rolled[r.id] for r in units if r.kind in ("commune", "ward")]
        if not children:
            root_ids = {r.id for r in units if r.parent_id is None}
            children = [rolled[r.id] for r in units if r.parent_id in root_ids]
    else:
        scope = next(rolled[r.id] for r in units if r.path == scope_path)
        children = [rolled[r.id] for r in units if r.parent_id == scope.id]
    adults = sum(n for unit_id, n in tree.adults_by_unit.items()
                 if scope_path is None or rolled[unit_id].path.startswith(scope_path))
    return Progress(campaign, as_of, (campaign.starts_on, min(campaign.ends_on, as_of)), scope,
                    sorted(children, key=lambda c: c.name), adults)
