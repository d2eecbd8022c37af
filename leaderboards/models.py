"""Publications: a campaign's boards frozen as of a date (SPEC §3). Entries never change."""
import sqlalchemy as sa

from emulation.models import CODE_LENGTH, EXTERNAL_ID_LENGTH, NAME_LENGTH
from extensions import db, utcnow


class Publication(db.Model):
    __tablename__ = "publications"
    id = sa.Column(sa.Integer, primary_key=True)
    campaign_id = sa.Column(sa.Integer, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False)
    as_of = sa.Column(sa.Date, nullable=False)
    published_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)
    published_by = sa.Column(sa.String(NAME_LENGTH), nullable=False)
    # The campaign at a glance as of the date, frozen with the boards so that the home page
    # reads a row instead of the scores: {"groups": {group: [universalized, headcount]},
    # "targets": {...}, "certified": adults universalized, "periods": {"week": [first, last
    # day], "month": [...]}} (see publishing.summary_of). None for older publications.
    summary = sa.Column(sa.JSON)
    # Entries of each board ("units:commune", "households:", "people:"), counted once when
    # published: a page says "445th of 1,515" without counting a board on every visit.
    totals = sa.Column(sa.JSON)

    # One publication per campaign and date: a second scheduler or a repeated command
    # finds the first one instead of publishing twice.
    __table_args__ = (sa.UniqueConstraint("campaign_id", "as_of"),)


class PublishedEntry(db.Model):
    """One entry of a published board, with its rank and the figures shown."""

    __tablename__ = "published_entries"
    publication_id = sa.Column(sa.Integer, sa.ForeignKey("publications.id", ondelete="CASCADE"), primary_key=True)
    board = sa.Column(sa.String(12), primary_key=True)  # units | households | people
    key = sa.Column(sa.String(EXTERNAL_ID_LENGTH), primary_key=True)  # unit code, household code, external id
    bracket = sa.Column(sa.String(CODE_LENGTH), nullable=False, default="")  # units board only
    rank = sa.Column(sa.Integer, nullable=False)
    # Rank in the previous publication of the campaign minus this rank (+3: up three);
    # None: not on that board before.
    movement = sa.Column(sa.Integer)
    unit_id = sa.Column(sa.Integer, nullable=False)  # the unit itself, or the entry's unit
    points = sa.Column(sa.Integer, nullable=False)
    share = sa.Column(sa.Float)  # units: coverage; households: active share
    per_capita = sa.Column(sa.Float)  # units: points per capita
    day = sa.Column(sa.Date)  # reached_on, achieved_on or last_scored_on
    flag = sa.Column(sa.Boolean)  # households: digital family
    universalized = sa.Column(sa.Integer)  # units: universalized people
    headcount = sa.Column(sa.Integer)  # units: the denominator
    # Frozen with the entry (leaderboards.labels): the label the page showed when published,
    # folded for finding it ("Lò V. S." → "lo v s"; pages name entries as the data says now,
    # and a search checks its matches against that), and the badge classes held on the
    # publication's date, space-separated in the classes' order (None: none held). A
    # publication without ``totals`` was made before they were kept.
    search_key = sa.Column(sa.String(NAME_LENGTH))
    badges = sa.Column(sa.String(255))
    by_group = sa.Column(sa.JSON)  # units: {group: [universalized, headcount]}, for the unit's public page
    # The rank among the entries of the entry's commune or ward (the board a commune's page
    # shows: on the units board without the commune itself), and its movement there.
    commune_rank = sa.Column(sa.Integer)
    commune_movement = sa.Column(sa.Integer)
    # The commune or ward the entry is ranked within (None outside any, and for a commune's
    # own units-board entry): its page of the board read through ix_published_entries_commune.
    commune_id = sa.Column(sa.Integer)

    __table_args__ = (
        sa.Index("ix_published_entries_rank", "publication_id", "board", "bracket", "rank"),
        # A commune's page of a board: its units' entries found directly, not by walking the
        # whole board in rank order (0.67 s to 1 ms for the people of a low-ranked commune).
        sa.Index("ix_published_entries_unit", "publication_id", "board", "bracket", "unit_id", "rank"),
        # Finding an entry by its masked name: a range of search keys of one board.
        sa.Index("ix_published_entries_search", "publication_id", "board", "bracket", "search_key", "rank"),
        # A commune's page of a board, in rank order: the index walked, nothing sorted
        # (through the units' index a low-ranked commune cost 0.8 s on a 500,000 province).
        sa.Index("ix_published_entries_commune", "publication_id", "board", "bracket", "commune_id", "rank", "key"),
        {"sqlite_with_rowid": False},
    )


class PublishedGain(db.Model):
    """One entry of a published "most improved" board (SPEC §3, period boards): what was
    gained inside the publication's week or month (``Publication.summary["periods"]``).
    Only entries that gained something are kept (those that gained nothing share the last
    rank and would only repeat the province's roll)."""

    __tablename__ = "published_gains"
    publication_id = sa.Column(sa.Integer, sa.ForeignKey("publications.id", ondelete="CASCADE"), primary_key=True)
    period = sa.Column(sa.String(8), primary_key=True)  # week | month
    board = sa.Column(sa.String(12), primary_key=True)  # units | households | people
    bracket = sa.Column(sa.String(CODE_LENGTH), primary_key=True, default="")  # units board only
    key = sa.Column(sa.String(EXTERNAL_ID_LENGTH), primary_key=True)
    rank = sa.Column(sa.Integer, nullable=False)
    unit_id = sa.Column(sa.Integer, nullable=False)
    gained = sa.Column(sa.Integer, nullable=False)  # points gained; units: universalized people gained
    coverage_gained = sa.Column(sa.Float)  # units: gained / headcount
    points = sa.Column(sa.Integer, nullable=False)  # at the window's end
    share = sa.Column(sa.Float)  # units: coverage at the window's end

    __table_args__ = (
        sa.Index("ix_published_gains_rank", "publication_id", "period", "board", "bracket", "rank"),
        {"sqlite_with_rowid": False},
    )
