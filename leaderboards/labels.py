"""What a published entry is shown and found by.

- its **label**: a unit's name; a person's masked name; a household's head, masked as the
  member of that name would be (SPEC §3: a household headed by a child or a pupil shows
  initials only), as of the publication's date. Pages read labels as the data says now (a
  corrected name or birth year shows at once; a page's fifty names are one indexed look-up);
- its **search key**, frozen when published: the label folded (no case, no diacritics, no
  punctuation: "Lò V. S." → "lo v s"), indexed, so a search over 500,000 people is a range
  of an index, and can only match what the board shows;
- the number of entries of each board (``totals``), for "445th of 1,515".

Values are written set-based: a scratch table filled in chunks, then one ``UPDATE … FROM``
(``update_entries``, also how the badges package freezes the badges held on the
publication's date).
"""
import unicodedata
from datetime import date
from typing import Iterable, Iterator

import sqlalchemy as sa

from emulation.models import COMMUNE_KINDS
from emulation.privacy import PUPIL_GROUP, public_name, under_16

CHUNK = 10_000
# In a publication's totals: its entries keep their commune (commune_id; published since they do).
COMMUNES_FROZEN = "communes_frozen"
_SCRATCH = "_entry_values"


def fold(text: str | None) -> str:
    """``text`` as search keys are kept: lower case, without diacritics (đ → d), every run
    of other characters than letters and digits one space ("Lò  Văn-Sinh" → "lo van sinh")."""
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def update_entries(conn, publication_id: int, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Set ``columns`` of the publication's entries from ``rows`` of (board, key, *values),
    in chunks into a scratch table, then one statement (inside the caller's transaction)."""
    d = conn.dialect.name
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_SCRATCH}")
    defs = ", ".join(f"{c} VARCHAR(255)" for c in columns)
    conn.exec_driver_sql(f"CREATE TEMP TABLE {_SCRATCH} (board VARCHAR(12) NOT NULL, key VARCHAR(64) NOT NULL, "
                         f"{defs}, PRIMARY KEY (board, key))" + (" ON COMMIT DROP" if d == "postgresql" else ""))
    insert = sa.text(f"INSERT INTO {_SCRATCH} (board, key, {', '.join(columns)}) "
                     f"VALUES (:board, :key, {', '.join(':' + c for c in columns)})")
    chunk = []
    for row in rows:
        chunk.append(dict(zip(("board", "key", *columns), row)))
        if len(chunk) >= CHUNK:
            conn.execute(insert, chunk)
            chunk = []
    if chunk:
        conn.execute(insert, chunk)
    sets = ", ".join(f"{c} = s.{c}" for c in columns)
    conn.execute(sa.text(f"""
        UPDATE published_entries SET {sets} FROM {_SCRATCH} s
        WHERE published_entries.publication_id = :pid AND published_entries.board = s.board
          AND published_entries.key = s.key"""), {"pid": publication_id})
    conn.exec_driver_sql(f"DROP TABLE {_SCRATCH}")


def _chunks(conn, sql: str, params: dict) -> Iterator:
    """The rows of ``sql`` (ordered by ``e.key``, with ``:last`` and ``:size``), a chunk at a time."""
    last = ""
    while True:
        rows = conn.execute(sa.text(sql), {**params, "last": last, "size": CHUNK}).all()
        yield from rows
        if len(rows) < CHUNK:
            return
        last = rows[-1].key


# A household's head is masked as the member of that name would be: initials only when any
# such member is under 16 or a pupil (a head not registered as a member is taken for an adult).
_HEADS = """SELECT h.code AS key, h.head_name, EXISTS (
                SELECT 1 FROM people m WHERE m.household_id = h.id AND m.full_name = h.head_name
                  AND (m."group" = :pupils OR m.birth_year > :adult_born)) AS young
            FROM households h"""


def _head_label(head_name: str | None, young: bool, as_of: date) -> str:
    # A young head is masked as a pupil is (initials only), whatever else is known.
    return public_name(head_name, None, PUPIL_GROUP if young else None, as_of) if head_name else ""


def household_heads(connection, codes, as_of: date) -> dict[str, str]:
    """Household code → its head's name as public pages show it on ``as_of`` ("" without one)."""
    if not codes:
        return {}
    rows = connection.execute(sa.text(_HEADS + " WHERE h.code IN :codes").bindparams(
        sa.bindparam("codes", expanding=True)), {"codes": list(codes), **_head_params(as_of)})
    return {r.key: _head_label(r.head_name, r.young, as_of) for r in rows}


def _head_params(as_of: date) -> dict:
    return {"adult_born": _adult_born(as_of), "pupils": PUPIL_GROUP}


def _search_keys(conn, publication_id: int, as_of: date) -> Iterator[tuple]:
    """(board, key, search key) of every entry of the publication: its label folded."""
    params = {"pid": publication_id}
    for r in conn.execute(sa.text("""
            SELECT e.key, u.name FROM published_entries e JOIN units u ON u.id = e.unit_id
            WHERE e.publication_id = :pid AND e.board = 'units'"""), params).all():
        yield "units", r.key, fold(r.name)
    for r in _chunks(conn, """
            SELECT e.key, p.full_name, p.birth_year, p."group" FROM published_entries e
            JOIN people p ON p.external_id = e.key
            WHERE e.publication_id = :pid AND e.board = 'people' AND e.key > :last ORDER BY e.key LIMIT :size""",
                     params):
        yield "people", r.key, fold(public_name(r.full_name, r.birth_year, r.group, as_of))
    for r in _chunks(conn, f"""
            SELECT heads.* FROM ({_HEADS}) heads JOIN published_entries e ON e.key = heads.key
            WHERE e.publication_id = :pid AND e.board = 'households' AND e.key > :last ORDER BY e.key LIMIT :size""",
                     {**params, **_head_params(as_of)}):
        yield "households", r.key, fold(_head_label(r.head_name, r.young, as_of))


def _commune_ranks(conn, publication_id: int, previous: int | None) -> None:
    """Each entry's rank within its commune or ward (standard competition ranking over the
    published ranks of that commune's entries: the same order, so "1, 2, 2, 4" holds
    within it), and its movement against the ``previous`` publication's (its id, or None)."""
    communes = ", ".join(f"'{k}'" for k in COMMUNE_KINDS)
    # The ranks into a keyed scratch table first, then read back entry by entry through its
    # key: an UPDATE … FROM a ranked subquery was planned as a join without an index on
    # SQLite (228 s for the 653,471 entries of the 500,000-person province), and so was a
    # join to the units' communes unless they, too, are a keyed table (81 s).
    for table in ("tmp_unit_communes", "tmp_commune_ranks"):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    conn.exec_driver_sql("CREATE TEMPORARY TABLE tmp_unit_communes (unit_id INTEGER PRIMARY KEY, "
                         "commune_id INTEGER NOT NULL)")
    conn.exec_driver_sql("CREATE TEMPORARY TABLE tmp_commune_ranks (board VARCHAR(12) NOT NULL, "
                         "key VARCHAR(64) NOT NULL, commune_rank INTEGER NOT NULL, commune_id INTEGER NOT NULL, "
                         "PRIMARY KEY (board, key))")
    conn.execute(sa.text(f"""
        INSERT INTO tmp_unit_communes (unit_id, commune_id)
        SELECT u.id, c.id FROM units u JOIN units c ON c.kind IN ({communes}) AND u.path LIKE c.path || '%'"""))
    conn.execute(sa.text("""
        INSERT INTO tmp_commune_ranks (board, key, commune_rank, commune_id)
        SELECT e.board, e.key, RANK() OVER (PARTITION BY e.board, e.bracket, uc.commune_id ORDER BY e.rank),
               uc.commune_id
        FROM published_entries e JOIN tmp_unit_communes uc ON uc.unit_id = e.unit_id
        WHERE e.publication_id = :pid AND (e.board <> 'units' OR e.unit_id <> uc.commune_id)"""),
                 {"pid": publication_id})
    conn.execute(sa.text("""
        UPDATE published_entries SET commune_rank = (
            SELECT t.commune_rank FROM tmp_commune_ranks t
            WHERE t.board = published_entries.board AND t.key = published_entries.key), commune_id = (
            SELECT t.commune_id FROM tmp_commune_ranks t
            WHERE t.board = published_entries.board AND t.key = published_entries.key)
        WHERE publication_id = :pid"""), {"pid": publication_id})
    for table in ("tmp_unit_communes", "tmp_commune_ranks"):
        conn.exec_driver_sql(f"DROP TABLE {table}")
    if previous is not None:
        conn.execute(sa.text("""
            UPDATE published_entries SET commune_movement = (
                SELECT p.commune_rank FROM published_entries p
                WHERE p.publication_id = :prev AND p.board = published_entries.board
                  AND p.key = published_entries.key AND p.bracket = published_entries.bracket
                  AND p.unit_id = published_entries.unit_id) - commune_rank
            WHERE publication_id = :pid AND commune_rank IS NOT NULL"""), {"pid": publication_id, "prev": previous})


def _adult_born(as_of: date) -> int:
    """The latest birth year of a person who counts as 16 or older on ``as_of`` (privacy.under_16)."""
    year = as_of.year
    while under_16(year, None, as_of):
        year -= 1
    return year


def freeze(conn, publication_id: int, campaign_id: int, as_of: date, previous: int | None) -> None:
    """Write the search keys and totals of a publication's entries just inserted, and the
    units' coverage by target group (their public pages)."""
    conn.execute(sa.text("""
        UPDATE published_entries SET by_group = (
            SELECT s.by_group FROM unit_scores s WHERE s.campaign_id = :cid AND s.unit_id = published_entries.unit_id)
        WHERE publication_id = :pid AND board = 'units'"""), {"pid": publication_id, "cid": campaign_id})
    _commune_ranks(conn, publication_id, previous)
    update_entries(conn, publication_id, ("search_key",), _search_keys(conn, publication_id, as_of))
    totals = {f"{r.board}:{r.bracket}": r.n for r in conn.execute(sa.text(
        "SELECT board, bracket, COUNT(*) AS n FROM published_entries WHERE publication_id = :pid "
        "GROUP BY board, bracket"), {"pid": publication_id})}
    totals[COMMUNES_FROZEN] = 1
    conn.execute(sa.text("UPDATE publications SET totals = :totals WHERE id = :pid").bindparams(
        sa.bindparam("totals", type_=sa.JSON)), {"pid": publication_id, "totals": totals})

