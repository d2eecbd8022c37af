"""The public home page: a campaign at a glance, from its latest publication only (its
``summary``, the top of each board, the most improved communes and wards of its week), so
that a visit reads a handful of rows whatever the province's size."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from emulation.models import Campaign
from extensions import db

from . import improved
from . import public as boards
from .public import GroupFigure
from .models import Publication

TOP = 3  # entries of each board on the home page
IMPROVED = 5  # communes and wards of the week
# The bracket of the home page's units board and of its most improved: the communes and
# wards, which the province ranks first (else the first bracket published but the
# province's own).
HOME_BRACKETS = ("commune", "ward")


@dataclass
class HomePage:
    campaign: Campaign | None
    campaigns: list[Campaign]
    publication: Publication | None = None
    groups: list[GroupFigure] = field(default_factory=list)
    certified: int | None = None
    certified_target: int | None = None
    bracket: str | None = None
    tops: dict = field(default_factory=dict)  # board -> rows (public.Row)
    improved: list = field(default_factory=list)  # improved.Gain, communes and wards of the week
    week: tuple[date, date] | None = None


def public_campaigns() -> list[Campaign]:
    """Every campaign, the latest first (what the campaign switcher offers)."""
    return db.session.scalars(sa.select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())).all()


def home_bracket(publication: Publication) -> str | None:
    found = boards.brackets(publication)
    preferred = [b for b in HOME_BRACKETS if b in found] + [b for b in found if b != "province"] + found
    return preferred[0] if preferred else None


def home_page(campaign: Campaign | None) -> HomePage:
    """What the home page shows of ``campaign`` (the current one when the visitor chose none)."""
    page = HomePage(campaign, public_campaigns())
    publication = boards.latest_publication(campaign) if campaign else None
    if publication is None:
        return page
    page.publication = publication
    summary = publication.summary or {}
    targets = summary.get("targets") or campaign.targets
    page.groups = [GroupFigure(g, n, d, targets.get(g)) for g, (n, d) in (summary.get("groups") or {}).items()]
    page.certified = summary.get("certified")
    page.certified_target = targets.get("certified")
    page.bracket = home_bracket(publication)
    page.tops = {"units": boards.board_page(publication, "units", bracket=page.bracket, size=TOP).rows,
                 "households": boards.board_page(publication, "households", size=TOP).rows,
                 "people": boards.board_page(publication, "people", size=TOP).rows}
    page.week = improved.window(publication, "week")
    if page.week is not None:
        page.improved = improved.gains_page(publication, "week", "units", bracket=page.bracket, size=IMPROVED).rows
    return page
