"""Head-line figures for the home page (aggregate queries only)."""
from sqlalchemy import func, select

from extensions import db

from .models import Campaign, Household, Person, Skill, Unit


def province_overview() -> dict:
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {
        "units": count(Unit),
        "households": count(Household),
        "people": count(Person),
        "skills": count(Skill),
        "campaigns": db.session.scalars(select(Campaign).order_by(Campaign.starts_on)).all(),
    }
