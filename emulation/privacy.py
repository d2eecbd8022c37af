"""What public pages may show of a person (SPEC §3, "Privacy on public pages"): the one
name-masking rule, the under-16 rule it rests on, and the schools that keep their pupils
off the public pages.

Every public surface (published boards and their share images, the API's board answers,
badge pages, Open Badges documents and images, the personal page ``/p``) names a person
through :func:`public_name` with the as-of date of that surface, and leaves out the
pupils of a school that switched them off through :func:`hidden_pupils` /
:func:`is_hidden_pupil`. Scores are never changed by either: only what is public.
"""
from datetime import date

import sqlalchemy as sa

from accounts.models import AuditLog
from extensions import db

from .models import Person, Unit

PUPIL_GROUP = "student"
# Only the birth year is known: someone turning 16 this year may still be 15, so a person
# counts as 16 or older only from the year they turn 17.
ADULT_YEARS = 17


def under_16(birth_year: int | None, group: str | None, as_of: date) -> bool:
    """Whether a person counts as under 16 on ``as_of``: unless ``as_of.year − birth_year ≥ 17``.
    Without a birth year, a pupil or student counts as under 16 and anyone of the other
    groups (cadres, workers, citizens: adults by what the group is) as an adult, as SPEC §3
    says ("a person without a birth year in the `student` group counts as under 16")."""
    if birth_year is None:
        return group == PUPIL_GROUP
    return as_of.year - birth_year < ADULT_YEARS


def is_pupil(group: str | None) -> bool:
    return group == PUPIL_GROUP


def public_name(full_name: str | None, birth_year: int | None, group: str | None, as_of: date) -> str:
    """The name public pages show: ``Nguyễn Văn An`` → ``Nguyễn V. A.`` (an adult) or
    ``N. V. A.`` (under 16 on ``as_of``, or a pupil of any age: pupils are shown only as
    initials with their class)."""
    parts = (full_name or "").split()
    if not parts:
        return ""
    initials = [f"{p[0]}." for p in parts]
    if under_16(birth_year, group, as_of) or is_pupil(group):
        return " ".join(initials)
    return " ".join([parts[0], *initials[1:]])


def hiding_units() -> sa.Select:
    """The units (schools) that keep their pupils off the public pages: (id, path)."""
    return sa.select(Unit.id, Unit.path).where(Unit.hide_pupils_publicly.is_(True))


def any_hidden() -> bool:
    """Whether any school keeps its pupils off the public pages (a cheap check that lets the
    public pages skip the filter when none does)."""
    return db.session.scalar(sa.select(sa.literal(1)).where(Unit.hide_pupils_publicly.is_(True)).limit(1)) is not None


def hidden_schools() -> tuple[int, ...]:
    """The ids of the units that hide their pupils (part of the public pages' cache key)."""
    return tuple(db.session.scalars(sa.select(Unit.id).where(Unit.hide_pupils_publicly.is_(True))
                                    .order_by(Unit.id)))


def hidden_pupils() -> sa.Select:
    """The external ids of the pupils (group ``student``) registered anywhere in the subtree
    of a unit that hides its pupils: they appear on no public board, and their badges are
    verified without a name."""
    school = hiding_units().subquery()
    return (sa.select(Person.external_id).join(Unit, Unit.id == Person.unit_id)
            .join(school, Unit.path.startswith(school.c.path))
            .where(Person.group == PUPIL_GROUP))


def is_hidden_pupil(person: Person) -> bool:
    """Whether ``person`` is a pupil of a school that keeps its pupils off the public pages."""
    if not is_pupil(person.group) or person.unit is None:
        return False
    path = person.unit.path
    return db.session.scalar(sa.select(sa.literal(1)).where(
        Unit.hide_pupils_publicly.is_(True), sa.literal(path).startswith(Unit.path)).limit(1)) is not None


class NotASchool(ValueError):
    """Only a school keeps its pupils off the public pages (its classes follow it)."""


def set_pupils_hidden(unit: Unit, hidden: bool, *, actor: str) -> bool:
    """Switch a school's pupils off the public pages (or back on), audited; whether it
    changed. The caller has checked that ``actor`` may change ``unit`` (an administrator,
    or a manager whose subtree holds it). Public pages follow at once, publications made
    before included; scores do not change."""
    if unit.kind != "school":
        raise NotASchool(unit.code)
    if bool(unit.hide_pupils_publicly) == hidden:
        return False
    unit.hide_pupils_publicly = hidden
    db.session.add(AuditLog(actor=actor, action="unit.hide_pupils" if hidden else "unit.show_pupils",
                            target=unit.code))
    db.session.commit()
    return True
