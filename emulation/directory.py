"""What the staff pages show of a unit, a person and a household (read-only queries;
the unit scope of the signed-in person is checked by the caller). Lists of people that can
reach beyond a unit (a household's members, a person's mentors and mentees) take the
caller's ``scope`` and name only the people ``accounts.access.people_within`` lets them
see; the others are counted."""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from accounts.access import people_within
from extensions import db
from web.pagination import Page, paginate

from .models import GROUPS, Activity, Completion, Household, Mentorship, Person, Skill, Unit


def unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def roots(scope_path: str | None) -> list[Unit]:
    """The top of the tree a person may browse: the province's roots, or a manager's unit."""
    if scope_path is not None:
        return db.session.scalars(sa.select(Unit).where(Unit.path == scope_path)).all()
    return db.session.scalars(sa.select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.name)).all()


def ancestors(unit: Unit) -> list[Unit]:
    ids = [int(i) for i in unit.path.strip("/").split("/")[:-1] if i]
    if not ids:
        return []
    by_id = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


def children(unit: Unit) -> list[tuple]:
    """(unit, people in its subtree) of each child, by name."""
    kids = db.session.scalars(sa.select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.name)).all()
    if not kids:
        return []
    counts = dict(db.session.execute(
        sa.select(Unit.path, sa.func.count(Person.id))
        .select_from(Unit).join(Person, Person.unit_id == Unit.id)
        .where(Unit.path.startswith(unit.path)).group_by(Unit.path)).all())
    return [(k, sum(n for path, n in counts.items() if path.startswith(k.path))) for k in kids]


def registered_by_group(unit: Unit) -> dict[str, int]:
    rows = db.session.execute(sa.select(Person.group, sa.func.count()).where(Person.unit_id == unit.id)
                              .group_by(Person.group)).all()
    return {g: dict(rows).get(g, 0) for g in GROUPS}


def people_of(unit: Unit, page: int, search: str = "") -> Page:
    """People registered with ``unit`` itself, by name (optionally filtered by name or id)."""
    where = [Person.unit_id == unit.id]
    if search:
        # Escaped: a typed "%" or "_" is a character to find, not a pattern matching everyone.
        text = search.strip()
        where.append(sa.or_(Person.full_name.icontains(text, autoescape=True),
                            Person.external_id.icontains(text, autoescape=True)))
    home = aliased(Unit)  # the household's unit: its page is linked only if in scope
    q = (sa.select(Person.external_id, Person.full_name, Person.group, Household.code.label("household_code"),
                   sa.select(sa.func.count()).where(Completion.person_id == Person.id).scalar_subquery()
                   .label("completions"), home.path.label("household_path"))
         .outerjoin(Household, Household.id == Person.household_id).outerjoin(home, home.id == Household.unit_id)
         .where(*where).order_by(Person.full_name, Person.external_id))
    return paginate(q, sa.select(sa.func.count()).select_from(Person).where(*where), page)


def find_people(unit: Unit, search: str, page: int, scope: str | None) -> Page:
    """People of ``unit``'s whole subtree whose name or id holds ``search``, by name, each
    with their own unit; only those ``scope`` may see (accounts.access.people_within)."""
    text = search.strip()
    own = aliased(Unit)  # the person's own unit
    home = aliased(Unit)  # the household's unit: its page is linked only if in scope
    # Escaped: a typed "%" or "_" is a character to find, not a pattern matching everyone.
    where = [own.path.startswith(unit.path), people_within(own.path, scope),
             sa.or_(Person.full_name.icontains(text, autoescape=True),
                    Person.external_id.icontains(text, autoescape=True))]
    q = (sa.select(Person.external_id, Person.full_name, Person.group, own.code.label("unit_code"),
                   own.name.label("unit_name"), Household.code.label("household_code"),
                   home.path.label("household_path"))
         .join(own, own.id == Person.unit_id)
         .outerjoin(Household, Household.id == Person.household_id).outerjoin(home, home.id == Household.unit_id)
         .where(*where).order_by(Person.full_name, Person.external_id))
    return paginate(q, sa.select(sa.func.count()).select_from(Person).join(own, own.id == Person.unit_id)
                    .where(*where), page)


def households_of(unit: Unit, page: int) -> Page:
    q = (sa.select(Household.code, Household.head_name,
                   sa.select(sa.func.count()).where(Person.household_id == Household.id).scalar_subquery()
                   .label("members"))
         .where(Household.unit_id == unit.id).order_by(Household.code))
    return paginate(q, sa.select(sa.func.count()).select_from(Household).where(Household.unit_id == unit.id), page)


def person_by_external_id(external_id: str) -> Person | None:
    return db.session.scalar(sa.select(Person).where(Person.external_id == external_id))


def completions_of(person: Person) -> list:
    return db.session.execute(
        sa.select(Skill.code, Skill.name, Skill.domain, Skill.level, Skill.points, Completion.completed_on,
                  Completion.source, Completion.reference)
        .join(Skill, Skill.id == Completion.skill_id).where(Completion.person_id == person.id)
        .order_by(Completion.completed_on, Skill.code)).all()


def activities_of(person: Person) -> list:
    return db.session.execute(sa.select(Activity.kind, Activity.occurred_on, Activity.reference)
                              .where(Activity.person_id == person.id)
                              .order_by(Activity.occurred_on, Activity.kind)).all()


@dataclass
class Seen:
    """People a page may name, and how many others it may only count."""
    people: list
    others: int


def _seen(q, scope: str | None) -> Seen:
    """The rows of ``q`` (people joined with their own ``Unit``) that ``scope`` may see, and
    the count of the rest."""
    rows = db.session.execute(q.add_columns(people_within(Unit.path, scope).label("visible"))).all()
    return Seen([r for r in rows if r.visible], sum(1 for r in rows if not r.visible))


def mentorships_of(person: Person, scope: str | None = None) -> tuple[Seen, Seen]:
    """(mentors, mentees) as (external id, name, started on), each with the count of the
    ones outside ``scope``."""
    def side(me, other):
        return _seen(
            sa.select(Person.external_id, Person.full_name, Mentorship.started_on)
            .join(Person, Person.id == other).join(Unit, Unit.id == Person.unit_id).where(me == person.id)
            .order_by(Mentorship.started_on, Person.external_id), scope)
    return side(Mentorship.mentee_id, Mentorship.mentor_id), side(Mentorship.mentor_id, Mentorship.mentee_id)


def household_by_code(code: str) -> Household | None:
    return db.session.scalar(sa.select(Household).where(Household.code == code))


def members_of(household: Household, scope: str | None = None) -> Seen:
    """The members ``scope`` may see (a member may be registered with a unit outside the
    household's own), and the count of the others."""
    return _seen(
        sa.select(Person.external_id, Person.full_name, Person.group, Person.birth_year,
                  sa.select(sa.func.count()).where(Completion.person_id == Person.id).scalar_subquery()
                  .label("completions"))
        .join(Unit, Unit.id == Person.unit_id)
        .where(Person.household_id == household.id).order_by(Person.birth_year, Person.full_name), scope)
