"""The scorer's SQL helpers, run on the database itself (SQLite and PostgreSQL write them
differently): the latest of some dates ignoring NULLs, the later of two dates (NULL unless
both happened), the Monday of a date's ISO week."""
from datetime import date

import pytest
import sqlalchemy as sa

from emulation.scoring.scores import _greatest, _later_of_both, _monday
from extensions import db


def _value(expr: str):
    got = db.session.execute(sa.text(f"SELECT {expr}")).scalar()
    return None if got is None else date.fromisoformat(str(got)[:10])


def _day(text: str | None, dialect: str) -> str:
    if text is None:
        return "CAST(NULL AS DATE)" if dialect == "postgresql" else "NULL"
    return f"CAST('{text}' AS DATE)" if dialect == "postgresql" else f"'{text}'"


@pytest.mark.parametrize("days, latest", [
    (("2025-03-02",), "2025-03-02"),
    (("2025-03-02", "2025-04-01"), "2025-04-01"),
    (("2025-04-01", None), "2025-04-01"),
    ((None, "2025-03-02", "2025-01-09"), "2025-03-02"),
    ((None, None), None),
])
def test_greatest_ignores_nulls(app, days, latest):
    with app.app_context():
        d = db.engine.dialect.name
        assert _value(_greatest(d, *(_day(x, d) for x in days))) == (latest and date.fromisoformat(latest))


@pytest.mark.parametrize("a, b, later", [
    ("2025-03-02", "2025-04-01", "2025-04-01"), ("2025-04-01", "2025-03-02", "2025-04-01"),
    ("2025-04-01", None, None), (None, "2025-04-01", None), (None, None, None),
])
def test_the_later_of_both_needs_both(app, a, b, later):
    with app.app_context():
        d = db.engine.dialect.name
        assert _value(_later_of_both(d, _day(a, d), _day(b, d))) == (later and date.fromisoformat(later))


@pytest.mark.parametrize("day, monday", [
    ("2026-11-30", "2026-11-30"),  # a Monday
    ("2026-12-02", "2026-11-30"), ("2026-12-06", "2026-11-30"),  # Wednesday, Sunday
    ("2027-01-01", "2026-12-28"),  # across the year's end (ISO week 53 of 2026)
])
def test_the_monday_of_the_iso_week(app, day, monday):
    with app.app_context():
        d = db.engine.dialect.name
        assert _value(_monday(d, _day(day, d))) == date.fromisoformat(monday)
