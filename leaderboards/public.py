"""What the public leaderboard pages show: the latest publication of a campaign's boards,
a page at a time (keyset paging on (rank, key): no COUNT and no OFFSET over a board), an
entry found by its code with the entries around it, and people's names masked as SPEC §3
requires (``emulation.privacy.public_name`` as of the publication's date); the pupils of a
school that keeps them off the public pages are left out when the page is read, whenever
the publication was made.
"""
import math
from dataclasses import dataclass
from datetime import date
from functools import cache, partial

import sqlalchemy as sa

from emulation.clock import as_date
from emulation.models import COMMUNE_KINDS, Campaign, Person, Unit
from emulation.privacy import any_hidden, hidden_pupils, public_name
from extensions import db

from .labels import COMMUNES_FROZEN, household_heads
from .models import Publication, PublishedEntry

PAGE_SIZE = 50
# An entry's columns, read as plain rows: a page is read on every visit, and plain rows
# cost a fraction of ORM objects.
ENTRY = (PublishedEntry.rank, PublishedEntry.key, PublishedEntry.unit_id, PublishedEntry.points,
         PublishedEntry.share, PublishedEntry.per_capita, PublishedEntry.day, PublishedEntry.flag,
         PublishedEntry.universalized, PublishedEntry.headcount, PublishedEntry.movement, PublishedEntry.badges,
         PublishedEntry.commune_rank, PublishedEntry.commune_movement)


@dataclass
class GroupFigure:
    """A target group's coverage against its target (the home page, a unit's page)."""

    group: str
    universalized: int
    headcount: int
    target: float | None

    @property
    def share(self) -> float | None:
        return self.universalized / self.headcount if self.headcount else None

    @property
    def met(self) -> bool:
        return self.share is not None and self.target is not None and self.share >= self.target

    @property
    def missing(self) -> int:
        """People still to universalize for the target (0 once met)."""
        if self.target is None or not self.headcount:
            return 0
        return max(0, math.ceil(self.target * self.headcount - self.universalized - 1e-9))


@dataclass
class Row:
    rank: int
    key: str
    label: str  # what the page shows: a unit's name, a masked name, a household code
    unit_name: str
    points: int
    share: float | None
    per_capita: float | None
    day: date | None
    flag: bool | None
    universalized: int | None
    headcount: int | None
    movement: int | None
    badges: tuple[str, ...] = ()  # the badge classes held on the publication's date, in their order
    province_rank: int | None = None  # in a commune's board (rank is then the rank within it)


@dataclass
class BoardPage:
    rows: list[Row]
    before: tuple | None  # (rank, key) for the "previous" link, if there is a page before
    after: tuple | None  # (rank, key) for the "next" link


def latest_publication(campaign: Campaign) -> Publication | None:
    return db.session.scalar(sa.select(Publication).where(Publication.campaign_id == campaign.id)
                             .order_by(Publication.as_of.desc()).limit(1))


def brackets(publication: Publication) -> list[str]:
    return db.session.scalars(sa.select(PublishedEntry.bracket).where(
        PublishedEntry.publication_id == publication.id, PublishedEntry.board == "units").distinct()
        .order_by(PublishedEntry.bracket)).all()


def front_pages() -> list[str]:
    """The addresses of the first pages of the current campaign's latest publication, as
    the pages link to them (inside a request context): each board for the province, the
    units board of each bracket, and the households and people boards of each commune or
    ward. Most visitors open these."""
    from flask import url_for

    from emulation.scoring.progress import current_campaign

    campaign = current_campaign()
    publication = latest_publication(campaign) if campaign else None
    if publication is None:
        return []
    page = partial(url_for, "leaderboards.board", campaign=campaign.code)
    return ([page(board=board) for board in ("units", "households", "people")]
            + [page(board="units", bracket=b) for b in brackets(publication)]
            + [page(board=board, commune=c.code) for board in ("households", "people") for c in communes()])


def communes() -> list[sa.Row]:
    """The communes and wards (id, code, name), for browsing a board by commune."""
    return db.session.execute(sa.select(Unit.id, Unit.code, Unit.name).where(Unit.kind.in_(COMMUNE_KINDS))
                              .order_by(Unit.name)).all()


@cache
def _entries_statement(scoped: bool, units_board: bool, direction: str, hiding: bool = False,
                       by_commune: bool = False) -> sa.Select:
    """The query of a board's entries, built once per shape and then only given its values
    (``pub``, ``board``, ``bracket``, ``path`` and ``scope`` for a commune's entries, then
    ``rank``/``key`` and ``size``): the public pages run it on every visit, and building a
    statement costs more than running it. ``direction``: "top", "after" or "before" a
    (rank, key), or "key" for the one entry of that key. ``hiding``: leave out the pupils
    of the schools that keep them off the public pages (people board). ``by_commune``: the
    scope is a commune or ward of a publication that froze each entry's commune (``scope``
    is its id): read through the commune index, in rank order."""
    q = sa.select(*ENTRY).where(PublishedEntry.publication_id == sa.bindparam("pub"),
                                PublishedEntry.board == sa.bindparam("board"),
                                PublishedEntry.bracket == sa.bindparam("bracket"))
    if by_commune:
        q = q.where(PublishedEntry.commune_id == sa.bindparam("scope"))
    elif scoped:
        inside = sa.select(Unit.id).where(Unit.path.startswith(sa.bindparam("path", type_=sa.String)))
        if units_board:  # a commune's units board lists the units inside it, not the commune
            inside = inside.where(Unit.id != sa.bindparam("scope"))
        q = q.where(PublishedEntry.unit_id.in_(inside))
    if hiding:
        q = q.where(PublishedEntry.key.not_in(hidden_pupils()))
    if direction == "key":
        return q.where(PublishedEntry.key == sa.bindparam("key"))
    order = (PublishedEntry.rank, PublishedEntry.key)
    cursor = sa.tuple_(sa.bindparam("rank", type_=sa.Integer), sa.bindparam("key", type_=sa.String))
    if direction == "before":
        q = q.where(sa.tuple_(*order) < cursor).order_by(*(c.desc() for c in order))
    else:
        if direction == "after":
            q = q.where(sa.tuple_(*order) > cursor)
        q = q.order_by(*order)
    return q.limit(sa.bindparam("size", type_=sa.Integer))


def _entries(publication: Publication, board: str, bracket, scope: Unit | None, direction: str, **values):
    params = {"pub": publication.id, "board": board, "bracket": bracket or "", **values}
    if scope is not None:
        params.update(path=scope.path, scope=scope.id)
    hiding = board == "people" and any_hidden()
    by_commune = (scope is not None and scope.kind in COMMUNE_KINDS and frozen(publication)
                  and COMMUNES_FROZEN in publication.totals)
    statement = _entries_statement(scope is not None, board == "units", direction, hiding, by_commune)
    return db.session.execute(statement, params).all()


# The names shown beside a page's entries (built once, as _entries_statement).
UNIT_NAMES = sa.select(Unit.id, Unit.name).where(Unit.id.in_(sa.bindparam("ids", expanding=True)))
PEOPLE_NAMES = sa.select(Person.external_id, Person.full_name, Person.birth_year, Person.group).where(
    Person.external_id.in_(sa.bindparam("keys", expanding=True)))


def _rows(entries, board: str, as_of: date) -> list[Row]:
    """The rows of ``entries``, named as the data says now (masked as of ``as_of``): a
    unit's name, a person's masked name, a household head's masked name ("" without one)."""
    units = dict(db.session.execute(UNIT_NAMES, {"ids": list({e.unit_id for e in entries})}).all()) if entries else {}
    keys = [e.key for e in entries]
    if board == "people" and keys:
        people = {r.external_id: public_name(r.full_name, r.birth_year, r.group, as_of)
                  for r in db.session.execute(PEOPLE_NAMES, {"keys": keys})}
        label = lambda e: people.get(e.key, "")  # noqa: E731
    elif board == "units":
        label = lambda e: units.get(e.unit_id, e.key)  # noqa: E731
    else:
        heads = household_heads(db.session, keys, as_of)
        label = lambda e: heads.get(e.key, "")  # noqa: E731
    return [Row(e.rank, e.key, label(e), units.get(e.unit_id, ""), e.points, e.share, e.per_capita, e.day, e.flag,
                e.universalized, e.headcount, e.movement, tuple((e.badges or "").split()))
            for e in entries]


def rows_of(publication: Publication, board: str, entries, scope: Unit | None = None) -> list[Row]:
    """The rows of ``entries``; on a commune's or ward's board, ranked (and moved) within it."""
    rows = _rows(entries, board, _as_of(publication))
    if scope is not None and scope.kind in COMMUNE_KINDS and frozen(publication):
        for row, e in zip(rows, entries):
            if e.commune_rank is not None:
                row.province_rank, row.rank, row.movement = row.rank, e.commune_rank, e.commune_movement
    return rows


def frozen(publication: Publication) -> bool:
    """Whether the publication keeps what labels.freeze writes (published since it does)."""
    return publication.totals is not None


def _page_entries(publication: Publication, board: str, bracket, scope, after: tuple | None, before: tuple | None,
                  size: int) -> tuple[list, bool]:
    """Up to ``size`` entries after ``after``, before ``before`` or from the top, in rank
    order, and whether there are more beyond them (after them, or before them)."""
    if before is not None:
        entries = _entries(publication, board, bracket, scope, "before", rank=before[0], key=before[1], size=size + 1)
        return list(reversed(entries[:size])), len(entries) > size
    if after is not None:
        entries = _entries(publication, board, bracket, scope, "after", rank=after[0], key=after[1], size=size + 1)
    else:
        entries = _entries(publication, board, bracket, scope, "top", size=size + 1)
    return entries[:size], len(entries) > size


def board_page(publication: Publication, board: str, *, bracket: str | None = None, scope: Unit | None = None,
               after: tuple | None = None, before: tuple | None = None, size: int | None = None) -> BoardPage:
    """A page of a published board: the first, the one after ``after`` or before ``before``
    (each a (rank, key) of the page next to it)."""
    entries, more = _page_entries(publication, board, bracket, scope, after, before, size or PAGE_SIZE)
    rows = rows_of(publication, board, entries, scope)
    if not entries:
        return BoardPage(rows, None, None)
    first, last = (entries[0].rank, entries[0].key), (entries[-1].rank, entries[-1].key)
    if before is not None:
        return BoardPage(rows, first if more else None, last)
    return BoardPage(rows, first if after is not None else None, last if more else None)


def find(publication: Publication, board: str, key: str, *, bracket: str | None = None,
         scope: Unit | None = None, around: int | None = None) -> tuple[BoardPage, str] | None:
    """The page centred on the entry ``key`` (a unit or household code), or None: half a
    page above and below it, or ``around`` entries each side."""
    found = _entries(publication, board, bracket, scope, "key", key=key)
    if not found:
        return None
    entry = found[0]
    half = PAGE_SIZE // 2 if around is None else around
    centre = (entry.rank, entry.key)
    above, more_above = _page_entries(publication, board, bracket, scope, None, centre, half)
    below, more_below = _page_entries(publication, board, bracket, scope, centre, None,
                                      PAGE_SIZE - half if around is None else around)
    entries = [*above, entry, *below]
    before = (entries[0].rank, entries[0].key) if more_above else None
    after = (entries[-1].rank, entries[-1].key) if more_below else None
    return BoardPage(rows_of(publication, board, entries, scope), before, after), entry.key


def _as_of(publication: Publication) -> date:
    """The date names are masked as of on a publication's pages: its as-of date."""
    return as_date(publication.as_of)


def unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code)) if code else None
