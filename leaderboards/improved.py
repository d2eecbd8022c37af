"""What the public pages show of a publication's "most improved" boards (published_gains):
a page at a time in rank order (keyset paging on (rank, key), as ``public``), with names
masked as of the publication's date and the pupils of schools that keep them off the
public pages left out when the page is read."""
from dataclasses import dataclass
from datetime import date
from functools import cache

import sqlalchemy as sa

from emulation.clock import as_date
from emulation.models import Person, Unit
from emulation.privacy import any_hidden, hidden_pupils, public_name
from extensions import db

from .models import Publication, PublishedGain
from .periods import PUBLISHED_PERIODS

PERIODS = tuple(PUBLISHED_PERIODS)  # week, month
PAGE_SIZE = 50


@dataclass
class Gain:
    rank: int
    key: str
    label: str  # a unit's name, a masked name, a household code
    unit_name: str
    gained: int  # points; units: universalized people
    coverage_gained: float | None  # units
    points: int
    share: float | None  # units: coverage at the window's end


@dataclass
class GainPage:
    rows: list[Gain]
    after: tuple | None  # (rank, key) for the "next" link


def window(publication: Publication, period: str) -> tuple[date, date] | None:
    """The first and last day of a publication's period board (None before they existed)."""
    days = ((publication.summary or {}).get("periods") or {}).get(period)
    return (as_date(days[0]), as_date(days[1])) if days else None


@cache
def _statement(hiding: bool, after: bool) -> sa.Select:
    """A page of a period board, built once per shape (``public._entries_statement``)."""
    g = PublishedGain
    q = sa.select(g.rank, g.key, g.unit_id, g.gained, g.coverage_gained, g.points, g.share).where(
        g.publication_id == sa.bindparam("pub"), g.period == sa.bindparam("period"),
        g.board == sa.bindparam("board"), g.bracket == sa.bindparam("bracket"))
    if hiding:
        q = q.where(g.key.not_in(hidden_pupils()))
    if after:
        q = q.where(sa.tuple_(g.rank, g.key) > sa.tuple_(sa.bindparam("rank", type_=sa.Integer),
                                                         sa.bindparam("key", type_=sa.String)))
    return q.order_by(g.rank, g.key).limit(sa.bindparam("size", type_=sa.Integer))


def gains_page(publication: Publication, period: str, board: str, *, bracket: str | None = None,
               after: tuple | None = None, size: int | None = None) -> GainPage:
    """Up to ``size`` entries of a period board, from the top or after ``after``."""
    size = size or PAGE_SIZE
    params = {"pub": publication.id, "period": period, "board": board,
              "bracket": (bracket or "") if board == "units" else "", "size": size + 1}
    if after is not None:
        params.update(rank=after[0], key=after[1])
    entries = db.session.execute(_statement(board == "people" and any_hidden(), after is not None), params).all()
    more = len(entries) > size
    entries = entries[:size]
    units = dict(db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.id.in_({e.unit_id for e in entries})))
                 .all()) if entries else {}
    names = {}
    if board == "people" and entries:
        day = as_date(publication.as_of)
        names = {r.external_id: public_name(r.full_name, r.birth_year, r.group, day) for r in db.session.execute(
            sa.select(Person.external_id, Person.full_name, Person.birth_year, Person.group)
            .where(Person.external_id.in_([e.key for e in entries])))}
    rows = [Gain(e.rank, e.key, units.get(e.unit_id, e.key) if board == "units" else names.get(e.key, "")
                 if board == "people" else e.key, units.get(e.unit_id, ""), e.gained, e.coverage_gained, e.points,
                 e.share) for e in entries]
    return GainPage(rows, (entries[-1].rank, entries[-1].key) if more else None)

