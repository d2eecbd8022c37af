"""A unit's public page (SPEC §3: units' figures are public, people are not): its place on
its bracket's board in the latest publication, its coverage by target group against the
campaign's targets, the badges it held, and the board of its sub-units, all read from the
publication (frozen when published: a few indexed rows, never the people)."""
from dataclasses import dataclass

import sqlalchemy as sa

from emulation.models import COMMUNE_KINDS, Campaign, Unit
from extensions import db

from .finding import total
from .models import Publication, PublishedEntry
from .public import ENTRY, GroupFigure, Row, rows_of, unit_by_code


@dataclass
class UnitPage:
    unit: Unit
    parent: Unit | None
    row: Row  # its entry on its bracket's board
    bracket: str
    total: int  # entries of that board
    groups: list[GroupFigure]  # the campaign's groups the unit counts people of
    sub_units: list[tuple[Row, str]]  # the entries of its sub-units (with their bracket), best coverage first
    commune: bool  # a commune or ward: its households and people have boards of their own


def unit_page(publication: Publication, campaign: Campaign, code: str) -> UnitPage | None:
    """The public page of the unit ``code`` on ``publication``, or None if it is not on
    its boards (no such unit, or no head count to rank it by)."""
    unit = unit_by_code(code)
    if unit is None:
        return None
    entry = db.session.execute(sa.select(*ENTRY, PublishedEntry.bracket, PublishedEntry.by_group).where(
        PublishedEntry.publication_id == publication.id, PublishedEntry.board == "units",
        PublishedEntry.key == unit.code)).first()
    if entry is None:
        return None
    targets = campaign.targets
    by_group = entry.by_group or {}
    groups = [GroupFigure(g, *by_group[g], targets.get(g)) for g in campaign.groups
              if g in by_group and by_group[g][1]]
    children = db.session.execute(sa.select(*ENTRY, PublishedEntry.bracket).where(
        PublishedEntry.publication_id == publication.id, PublishedEntry.board == "units",
        PublishedEntry.unit_id.in_(sa.select(Unit.id).where(Unit.parent_id == unit.id)))
        .order_by(PublishedEntry.share.desc(), PublishedEntry.rank, PublishedEntry.key)).all()
    return UnitPage(unit, unit.parent, rows_of(publication, "units", [entry])[0], entry.bracket,
                    total(publication, "units", entry.bracket, None), groups,
                    list(zip(rows_of(publication, "units", children), (c.bracket for c in children))),
                    unit.kind in COMMUNE_KINDS)
