"""Pages of a long list (50 rows a page) for the staff pages: rows of any select, counted by
its own count query.

Flask-SQLAlchemy's ``db.paginate`` would do for lists of ORM objects, but it hands back
scalars only, and these lists are rows of several columns (a person with their counts)."""
from dataclasses import dataclass

from extensions import db

PAGE_SIZE = 50


@dataclass
class Page:
    items: list
    page: int
    total: int
    per_page: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate(query, count_query, page: int) -> Page:
    page = max(page, 1)
    total = db.session.scalar(count_query)
    items = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return Page(items, page, total)
