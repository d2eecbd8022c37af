"""Badges awarded (SPEC §4): one row per award, kept when revoked; the date each campaign's
awards were last brought up to date; the personal codes that open a person's or a
household's public progress page."""
import sqlalchemy as sa

from emulation.models import CODE_LENGTH
from extensions import db, utcnow

RECIPIENT_TYPES = ("person", "household", "unit")


class Award(db.Model):
    """An Open Badges assertion: a badge class of a campaign awarded to a person, a
    household or a unit. Its id is random (the assertion's public URL); revoked awards
    stay, with the date and the reason."""

    __tablename__ = "awards"
    id = sa.Column(sa.String(32), primary_key=True)  # 128 random bits, hex
    campaign_id = sa.Column(sa.Integer, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False)
    badge = sa.Column(sa.String(CODE_LENGTH), nullable=False)  # the badge class's code
    recipient_type = sa.Column(sa.String(10), nullable=False)  # person | household | unit
    recipient_id = sa.Column(sa.Integer, nullable=False)  # people.id, households.id or units.id
    awarded_on = sa.Column(sa.Date, nullable=False)  # the date the rule first held (SPEC §4)
    issued_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)
    salt = sa.Column(sa.String(32), nullable=False)  # for the hashed recipient identity
    revoked_on = sa.Column(sa.Date)
    revocation_reason = sa.Column(sa.String(255))

    __table_args__ = (
        # One live award per class and recipient; revoked ones pile up beside it.
        sa.Index("ux_awards_live", "campaign_id", "badge", "recipient_type", "recipient_id", unique=True,
                 sqlite_where=sa.text("revoked_on IS NULL"), postgresql_where=sa.text("revoked_on IS NULL")),
        sa.Index("ix_awards_recipient", "recipient_type", "recipient_id"),
    )


class BadgeRun(db.Model):
    """The as-of date a campaign's awards were last brought up to date: awarding as of an
    earlier date would revoke what was earned since, so it is refused."""

    __tablename__ = "badge_runs"
    campaign_id = sa.Column(sa.Integer, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    as_of = sa.Column(sa.Date, nullable=False)
    ran_at = sa.Column(sa.DateTime(timezone=True), nullable=False, default=utcnow)


class ProgressCode(db.Model):
    """The personal code printed with a badge: it opens the recipient's public progress
    page, which ids would let anyone walk through."""

    __tablename__ = "progress_codes"
    code = sa.Column(sa.String(16), primary_key=True)
    recipient_type = sa.Column(sa.String(10), nullable=False)  # person | household
    recipient_id = sa.Column(sa.Integer, nullable=False)

    __table_args__ = (sa.UniqueConstraint("recipient_type", "recipient_id"),)
