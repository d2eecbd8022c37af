"""Finding an entry on a published board, by what the board shows: a unit by its name or
code, a household by its head's masked name or its code, a person by their masked name
(never by an external id, which the board does not show). Case, spaces and diacritics do
not matter ("lo van" finds "Lò V. S."): the query is folded as the search keys frozen at
publication are (``labels.fold``), and read as a masked name would be written, so that it
matches only what the board shows:

- an adult's: the family name, then initials ("lo van sinh" → "lo v s");
- a child's or a pupil's: initials only ("l v s").

A query matches a key equal to one of these or beginning with it followed by further
initials; each is a range of the indexed search key, never a scan of the board. Keys are
frozen at publication and pages show names as they are now, so each match is checked
against what its row shows before it is listed. A unit's
name is matched anywhere in it ("tan phong" finds "Phường Tân Phong"): units are a few
thousand at most.

A found entry comes with its rank among the entries shown (the board, or a commune's),
their number, its movement, and the five entries above and below it.
"""
from dataclasses import dataclass

import sqlalchemy as sa

from emulation.models import Unit
from emulation.privacy import any_hidden, hidden_pupils
from extensions import db

from .labels import fold
from .models import Publication, PublishedEntry
from .public import ENTRY, BoardPage, Row, find, rows_of

MAX_QUERY = 64
MATCHES = 20  # the matches listed when a query fits several entries
AROUND = 5  # entries above and below a found one


class QueryError(ValueError):
    """A query that cannot find anything: nothing but spaces and punctuation."""


@dataclass
class Found:
    page: BoardPage  # the found entry with the AROUND entries each side
    row: Row
    total: int  # entries of the board as shown (the scope's)


@dataclass
class Search:
    query: str
    matches: list[Row]  # up to MATCHES, best ranked first
    more: bool  # more entries match than listed
    found: Found | None  # the one chosen (or the only match)


def _name_forms(folded: str) -> set[str]:
    """The search keys a name typed as ``folded`` may be shown as on a board."""
    tokens = folded.split()
    initials = " ".join(t[0] for t in tokens)
    return {initials, " ".join([tokens[0], *(t[0] for t in tokens[1:])])}


def _code_forms(text: str) -> set[str]:
    compact = "".join(text.split())
    return {compact, compact.upper(), compact.lower()}


def _matching(board: str, text: str, folded: str) -> tuple:
    """What a query matches (any of it), each part read through an index of its own (see
    ``search``): the entries whose code it is (units and households: at most three keys of
    the primary key), and the conditions on the search keys of the names."""
    e = PublishedEntry
    codes = e.key.in_(_code_forms(text)) if board in ("units", "households") else None
    if board == "units":
        return codes, [e.search_key.contains(folded, autoescape=True)]
    names = []
    for form in _name_forms(folded):
        names.append(e.search_key == form)
        # Further initials after it: the range of keys "form …" (" " < "!" in every collation used).
        names.append(sa.and_(e.search_key >= form + " ", e.search_key < form + "!"))
    return codes, names


def _shows_match(board: str, text: str, folded: str, row: Row) -> bool:
    """Whether what the board shows of ``row`` matches the query (as ``_matching`` does)."""
    if board in ("units", "households") and row.key in _code_forms(text):
        return True
    shown = fold(row.label)
    if board == "units":
        return folded in shown
    return any(shown == form or shown.startswith(form + " ") for form in _name_forms(folded))


def _scoped(q, board: str, scope: Unit | None):
    if scope is not None:
        inside = sa.select(Unit.id).where(Unit.path.startswith(scope.path))
        if board == "units":
            inside = inside.where(Unit.id != scope.id)
        q = q.where(PublishedEntry.unit_id.in_(inside))
    if board == "people" and any_hidden():
        q = q.where(PublishedEntry.key.not_in(hidden_pupils()))
    return q


def total(publication: Publication, board: str, bracket: str | None, scope: Unit | None) -> int:
    """The number of entries of a board as shown: frozen for the whole board; counted over
    the indexed entries of the scope's units for a commune's."""
    if scope is None and publication.totals is not None and not (board == "people" and any_hidden()):
        return publication.totals.get(f"{board}:{bracket or ''}", 0)
    q = sa.select(sa.func.count()).select_from(PublishedEntry).where(
        PublishedEntry.publication_id == publication.id, PublishedEntry.board == board,
        PublishedEntry.bracket == (bracket or ""))
    return db.session.scalar(_scoped(q, board, scope))


def search(publication: Publication, board: str, query: str, *, bracket: str | None = None,
           scope: Unit | None = None, pick: int | None = None) -> Search:
    """The entries of the board (as shown: a bracket, a commune) that ``query`` matches,
    best ranked first, and the one found: the ``pick``-th match, or the only one."""
    text = (query or "").strip()[:MAX_QUERY]
    folded = fold(text)
    if not folded:
        raise QueryError(text)
    # One query per condition, each the best MATCHES + 1 of its own, then merged: with the
    # conditions OR-ed in one query, SQLite walked the whole board in rank order to find 21
    # matches of a rare name (1.1 s on the 500,000 people of the demo province).
    found_rows = {}
    codes, names = _matching(board, text, folded)
    base = sa.select(*ENTRY).where(PublishedEntry.publication_id == publication.id, PublishedEntry.board == board,
                                   PublishedEntry.bracket == (bracket or ""))
    # The codes' few rows unordered: an ORDER BY rank … LIMIT made SQLite walk the board in
    # rank order instead of looking the keys up (225 ms a household on the 500,000 province).
    queries = [_scoped(base.where(codes), board, scope)] if codes is not None else []
    for c in names:
        if scope is None:
            # On the whole board a name's best MATCHES + 1 are chosen by their keys alone,
            # which the search key's index holds with the rank (entries are stored by their
            # key), and only those rows are read: selecting the rows' columns made SQLite read
            # every row of a common name's range before sorting it ("lo van": some 15,000
            # rows, 64 ms of CPU on the 500,000 province, now 10 ms).
            keys = sa.select(PublishedEntry.key).where(
                PublishedEntry.publication_id == publication.id, PublishedEntry.board == board,
                PublishedEntry.bracket == (bracket or ""), c)
            best = _scoped(keys, board, None).order_by(PublishedEntry.rank, PublishedEntry.key).limit(MATCHES + 1)
            queries.append(base.where(PublishedEntry.key.in_(best)))
        else:  # a commune's: its units are read from the rows anyway
            queries.append(_scoped(base.where(c), board, scope).order_by(PublishedEntry.rank, PublishedEntry.key)
                           .limit(MATCHES + 1))
    for q in queries:
        for r in db.session.execute(q):
            found_rows[r.key] = r
    entries = sorted(found_rows.values(), key=lambda r: (r.rank, r.key))[:MATCHES + 1]
    # Keys were frozen when published, names are shown as they are now: an entry renamed (or
    # found younger) since is listed only if what the board shows still matches.
    matches = [r for r in rows_of(publication, board, entries[:MATCHES], scope) if _shows_match(board, text, folded, r)]
    chosen = pick if pick is not None else (1 if len(matches) == 1 else None)
    found = None
    if chosen is not None and 1 <= chosen <= len(matches):
        row = matches[chosen - 1]
        page, _key = find(publication, board, row.key, bracket=bracket, scope=scope, around=AROUND)
        found = Found(page, row, total(publication, board, bracket, scope))
    return Search(text, matches, len(entries) > MATCHES, found)
