"""Reading awards back: an assertion by id, whom it was awarded to (masked as SPEC §3
requires on public pages), the badges of a recipient or of the units of a board page,
what a progress code opens, and the export of SPEC §6."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from emulation.clock import as_date
from emulation.models import Campaign, Household, Person, Unit
from extensions import db
from emulation.privacy import is_hidden_pupil, public_name

from .awarding import normalise_code
from .models import Award, ProgressCode

EXPORT_COLUMNS = ("badge", "recipient_type", "recipient", "awarded_on", "revoked_on")


@dataclass
class Recipient:
    type: str  # person | household | unit
    id: int
    key: str  # external id, household code or unit code
    label: str  # what public pages may show: a masked name ("" for a hidden pupil), a household, a unit's name
    unit_name: str
    progress_code: str | None
    hidden: bool = False  # a pupil of a school that keeps its pupils off the public pages


def award_by_id(award_id: str) -> Award | None:
    award_id = (award_id or "").strip().lower()
    if len(award_id) != 32 or any(c not in "0123456789abcdef" for c in award_id):
        return None
    return db.session.get(Award, award_id)


def progress_code_of(recipient_type: str, recipient_id: int) -> str | None:
    return db.session.scalar(sa.select(ProgressCode.code).where(
        ProgressCode.recipient_type == recipient_type, ProgressCode.recipient_id == recipient_id))


def recipient(recipient_type: str, recipient_id: int, as_of: date, household_label) -> Recipient | None:
    """The recipient, masked for public pages as of ``as_of`` (a badge's award date, the
    day of a visit to ``/p``); no name at all for a pupil of a school that keeps its pupils
    off the public pages. ``household_label(head, code)`` words a household's label in the
    page's language."""
    code = progress_code_of(recipient_type, recipient_id) if recipient_type != "unit" else None
    if recipient_type == "person":
        p = db.session.get(Person, recipient_id)
        if p is None:
            return None
        hidden = is_hidden_pupil(p)
        label = "" if hidden else public_name(p.full_name, p.birth_year, p.group, as_of)
        return Recipient("person", p.id, p.external_id, label, p.unit.name, code, hidden)
    if recipient_type == "household":
        h = db.session.get(Household, recipient_id)
        head = public_name(h.head_name, None, None, as_of) if h and h.head_name else ""
        return h and Recipient("household", h.id, h.code, household_label(head, h.code), h.unit.name, code)
    u = db.session.get(Unit, recipient_id)
    return u and Recipient("unit", u.id, u.code, u.name, u.parent.name if u.parent else "", None)


def opened_by(code: str) -> ProgressCode | None:
    """What a progress code opens (a person or a household), or None."""
    code = normalise_code(code)
    return db.session.get(ProgressCode, code) if code else None


def live_awards(recipient_type: str, recipient_id: int) -> list[Award]:
    return db.session.scalars(sa.select(Award).where(
        Award.recipient_type == recipient_type, Award.recipient_id == recipient_id, Award.revoked_on.is_(None))
        .order_by(Award.awarded_on, Award.badge)).all()


def unit_badges(campaign: Campaign, unit_codes) -> dict[str, list[str]]:
    """Unit code → codes of the live badges of ``campaign`` it holds (for a board's page)."""
    out: dict[str, list[str]] = {}
    if not unit_codes:
        return out
    for code, badge in db.session.execute(
            sa.select(Unit.code, Award.badge).join(Unit, Unit.id == Award.recipient_id).where(
                Award.campaign_id == campaign.id, Award.recipient_type == "unit", Award.revoked_on.is_(None),
                Unit.code.in_(set(unit_codes))).order_by(Award.awarded_on, Award.badge)):
        out.setdefault(code, []).append(badge)
    return out


def export_rows(campaign: Campaign):
    """Every award of ``campaign``, revoked ones included, as rows of EXPORT_COLUMNS."""
    key = sa.case(
        (Award.recipient_type == "person", sa.select(Person.external_id).where(Person.id == Award.recipient_id)
         .scalar_subquery()),
        (Award.recipient_type == "household", sa.select(Household.code).where(Household.id == Award.recipient_id)
         .scalar_subquery()),
        else_=sa.select(Unit.code).where(Unit.id == Award.recipient_id).scalar_subquery())
    q = (sa.select(Award.badge, Award.recipient_type, key.label("recipient"), Award.awarded_on, Award.revoked_on)
         .where(Award.campaign_id == campaign.id)
         .order_by(Award.badge, Award.recipient_type, key, Award.awarded_on, Award.revoked_on))
    for row in db.session.execute(q):
        yield {"badge": row.badge, "recipient_type": row.recipient_type, "recipient": row.recipient,
               "awarded_on": as_date(row.awarded_on), "revoked_on": as_date(row.revoked_on)}
