"""What the public leaderboard pages show: the latest publication of a campaign's boards,
a page at a time (keyset paging on (rank, key): no COUNT and no OFFSET over a board), an
entry found by its code with the entries around it, and people's names masked as SPEC §3
requires (family name and initials for adults, initials only under 16 or when the age is
unknown).
"""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from emulation.models import COMMUNE_KINDS, Campaign, Person, Unit
from extensions import db

from .models import Publication, PublishedEntry

PAGE_SIZE = 50
ADULT_AGE = 16


def mask_name(full_name: str | None, birth_year: int | None, year: int) -> str:
    """``Nguyễn Văn An`` → ``Nguyễn V. A.`` (16 or older) or ``N. V. A.`` (younger, or age unknown)."""
    parts = (full_name or "").split()
    if not parts:
        return ""
    initials = [f"{p[0]}." for p in parts]
    if birth_year is not None and year - birth_year >= ADULT_AGE:
        return " ".join([parts[0], *initials[1:]])
    return " ".join(initials)


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


def communes() -> list[Unit]:
    """The communes and wards, for browsing a board by commune."""
    return db.session.scalars(sa.select(Unit).where(Unit.kind.in_(COMMUNE_KINDS)).order_by(Unit.name)).all()


def _where(publication, board, bracket, scope: Unit | None):
    where = [PublishedEntry.publication_id == publication.id, PublishedEntry.board == board,
             PublishedEntry.bracket == (bracket or "")]
    if scope is not None:
        inside = sa.select(Unit.id).where(Unit.path.startswith(scope.path))
        if board == "units":
            inside = inside.where(Unit.id != scope.id)
        where.append(PublishedEntry.unit_id.in_(inside))
    return where


def _rows(entries, board: str, year: int) -> list[Row]:
    units = dict(db.session.execute(sa.select(Unit.id, Unit.name).where(
        Unit.id.in_({e.unit_id for e in entries}))).all()) if entries else {}
    keys = [e.key for e in entries]
    if board == "people" and keys:
        people = {r.external_id: mask_name(r.full_name, r.birth_year, year) for r in db.session.execute(
            sa.select(Person.external_id, Person.full_name, Person.birth_year).where(Person.external_id.in_(keys)))}
        label = lambda e: people.get(e.key, "")  # noqa: E731
    elif board == "units":
        label = lambda e: units.get(e.unit_id, e.key)  # noqa: E731
    else:
        label = lambda e: e.key  # noqa: E731
    return [Row(e.rank, e.key, label(e), units.get(e.unit_id, ""), e.points, e.share, e.per_capita, e.day, e.flag,
                e.universalized, e.headcount, e.movement) for e in entries]


def board_page(publication: Publication, board: str, *, bracket: str | None = None, scope: Unit | None = None,
               after: tuple | None = None, before: tuple | None = None, size: int | None = None) -> BoardPage:
    """A page of a published board: the first, the one after ``after`` or before ``before``
    (each a (rank, key) of the page next to it)."""
    size = size or PAGE_SIZE
    where = _where(publication, board, bracket, scope)
    order = (PublishedEntry.rank, PublishedEntry.key)
    q = sa.select(PublishedEntry).where(*where)
    if before is not None:
        q = q.where(sa.tuple_(*order) < sa.tuple_(*before)).order_by(*(c.desc() for c in order))
        entries = list(reversed(db.session.scalars(q.limit(size + 1)).all()))
        more_before = len(entries) > size
        entries = entries[-size:]
        return BoardPage(_rows(entries, board, publication.as_of.year),
                         (entries[0].rank, entries[0].key) if more_before and entries else None,
                         (entries[-1].rank, entries[-1].key) if entries else None)
    if after is not None:
        q = q.where(sa.tuple_(*order) > sa.tuple_(*after))
    entries = db.session.scalars(q.order_by(*order).limit(size + 1)).all()
    more_after = len(entries) > size
    entries = entries[:size]
    return BoardPage(_rows(entries, board, publication.as_of.year),
                     (entries[0].rank, entries[0].key) if after is not None and entries else None,
                     (entries[-1].rank, entries[-1].key) if more_after else None)


def find(publication: Publication, board: str, key: str, *, bracket: str | None = None,
         scope: Unit | None = None) -> tuple[BoardPage, str] | None:
    """The page centred on the entry ``key`` (a unit or household code), or None."""
    where = _where(publication, board, bracket, scope)
    entry = db.session.scalar(sa.select(PublishedEntry).where(*where, PublishedEntry.key == key))
    if entry is None:
        return None
    half = PAGE_SIZE // 2
    centre = (entry.rank, entry.key)
    above = board_page(publication, board, bracket=bracket, scope=scope, before=centre, size=half)
    below = board_page(publication, board, bracket=bracket, scope=scope, after=centre, size=PAGE_SIZE - half)
    rows = above.rows + _rows([entry], board, publication.as_of.year) + below.rows
    return BoardPage(rows, above.before if above.rows else None, below.after), entry.key


def unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code)) if code else None
