"""Head-line figures for the home page and the dashboard (aggregate queries only)."""
from sqlalchemy import func, select

from emulation.models import Campaign, Household, Person, Skill, Unit
from extensions import db


def province_overview(scope_path: str | None = None) -> dict:
    """Counts of the province's data, or of a unit's subtree (``scope_path``)."""
    def count(model, unit_column=None):
        q = select(func.count()).select_from(model)
        if scope_path is not None:
            q = q.join(Unit, Unit.id == unit_column).where(Unit.path.startswith(scope_path)) \
                if unit_column is not None else q.where(Unit.path.startswith(scope_path))
        return db.session.scalar(q)

    return {
        "units": count(Unit),
        "households": count(Household, Household.unit_id),
        "people": count(Person, Person.unit_id),
        "skills": db.session.scalar(select(func.count()).select_from(Skill)),
        "campaigns": db.session.scalars(select(Campaign).order_by(Campaign.starts_on)).all(),
    }
