"""Set-based upsert of validated rows, one statement per chunk.

SQLite: each chunk is handed over as one JSON array and inserted with
``INSERT … SELECT … FROM json_each(?) … ON CONFLICT``. The whole chunk is one
``sqlite3_step``, which runs without the GIL, so the import's validation thread keeps
working meanwhile. (End-to-end figures against a raw ``executemany``: bench/README.md.)

PostgreSQL: rows are streamed with ``COPY`` into a temporary staging table and merged
when the import finishes (event tables: one ``INSERT … SELECT DISTINCT ON … ON
CONFLICT``, whose sort also feeds the key's index in order; entity tables: an ``UPDATE``
of what differs and an ``INSERT`` of what is new).

Three conflict policies cover every importer:
``update`` (entities: update the attributes when they differ), ``earliest`` (events:
keep the earliest date) and ``ignore`` (keep what exists).
"""
import json
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter

from sqlalchemy.schema import AddConstraint, DropConstraint

# PostgreSQL: from this many staged rows on, the table's foreign keys are dropped for the
# merge and added back (one set-based validation of the whole table) in the same
# transaction, instead of a trigger and a row lock on the parent for every row (measured:
# 77k -> 150k rows/s on 1M completions, bench/README.md). The referenced ids come from
# lookups made in this transaction, and the re-validation still proves them before
# commit. The price: the table is locked against other sessions until the import commits.
FK_REVALIDATE_ROWS = 100_000


@contextmanager
def references_proven_by_lookups(conn):
    """SQLite: no per-row foreign-key checks while an import writes on ``conn``.

    Every id an importer writes comes from a lookup made in the import's own transaction
    (the codes of units, households, people and skills it read), so SQLite's check of
    each row against its parents is redundant, and it costs about a quarter of the write
    time of a completions file in date order (bench/README.md). Nothing can remove a
    parent in between: SQLite has one writer, and an import's transaction holds the write
    lock from its BEGIN IMMEDIATE (``extensions.for_writing``). The pragma only takes
    effect outside a transaction, so this wraps the whole transaction; the connection gets
    its checks back before it returns to the pool, or is discarded. PostgreSQL: see
    FK_REVALIDATE_ROWS.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        try:
            raw.execute("PRAGMA foreign_keys=ON")
        except Exception:
            conn.invalidate()  # never hand a connection without checks back to the pool
            raise


@dataclass(frozen=True)
class Upsert:
    table: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    policy: str  # "update" | "earliest" | "ignore"
    date_column: str | None = None  # for "earliest"
    # Written when a record is created, never on update (e.g. a default taken from
    # another column when the file does not carry the column itself).
    insert_only: tuple[str, ...] = ()

    @property
    def updates(self) -> list[str]:
        return [c for c in self.columns if c not in self.key and c not in self.insert_only]

    def __post_init__(self):
        assert self.policy in ("update", "earliest", "ignore")
        assert self.policy != "earliest" or self.date_column in self.columns
        assert set(self.key) <= set(self.columns)


def _conflict_clause(spec: Upsert, q, dialect: str) -> str:
    keys = ", ".join(q(k) for k in spec.key)
    updates = spec.updates
    if spec.policy == "ignore" or not updates:
        return f" ON CONFLICT ({keys}) DO NOTHING"
    table = q(spec.table)
    sets = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in updates)
    if spec.policy == "earliest":
        d = q(spec.date_column)
        where = f"excluded.{d} < {table}.{d}"
    else:
        where = _differs(table, "excluded", updates, q, dialect)
    return f" ON CONFLICT ({keys}) DO UPDATE SET {sets} WHERE {where}"


def _differs(a: str, b: str, columns, q, dialect: str) -> str:
    neq = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"{a}.{q(c)} {neq} {b}.{q(c)}" for c in columns)


class BulkWriter:
    """Writes rows (tuples in ``spec.columns`` order) into ``spec.table``.

    ``changed`` counts the records created or modified, so a re-import reports 0. On
    PostgreSQL the file is merged once and the count is exact. On SQLite each chunk is
    written as it comes, so a key that the file repeats with an ever earlier date counts
    once per effective write (exactness would need per-key state for millions of rows).
    """

    def __init__(self, conn, spec: Upsert):
        self.spec = spec
        self.conn = conn
        self.dialect = conn.dialect.name
        self.raw = conn.connection.driver_connection
        self.changed = 0
        self._key_of = itemgetter(*(spec.columns.index(k) for k in spec.key))
        q = conn.dialect.identifier_preparer.quote
        cols = ", ".join(q(c) for c in spec.columns)
        conflict = _conflict_clause(spec, q, self.dialect)
        if self.dialect == "sqlite":
            extracts = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(spec.columns)))
            # "WHERE true" resolves SQLite's parsing ambiguity between a join's ON and upsert's ON.
            self._sql = f"INSERT INTO {q(spec.table)} ({cols}) SELECT {extracts} FROM json_each(?) WHERE true{conflict}"
        else:
            self._stage = f"_stage_{spec.table}"
            self._staged = False
            self._staged_rows = 0
            self._copy_sql = f"COPY {self._stage} ({cols}) FROM STDIN"
            self._create_stage = (
                f"CREATE TEMP TABLE IF NOT EXISTS {self._stage} ON COMMIT DROP AS "
                f"SELECT {cols} FROM {q(spec.table)} WITH NO DATA"
            )
            keys = ", ".join(q(k) for k in spec.key)
            table = q(spec.table)
            if spec.policy == "update":
                # Update what exists, then insert only what is new: INSERT … ON CONFLICT
                # would draw a sequence id for every row, even unchanged ones, and daily
                # re-imports of a province would wear the id sequence out. Keys are unique
                # within a file for these (entity) tables.
                match = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in spec.key)
                sets = ", ".join(f"{q(c)} = s.{q(c)}" for c in spec.updates)
                self._merge_sql = [
                    f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {self._stage} s "
                    f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {match})",
                ]
                if spec.updates:
                    self._merge_sql.insert(0, f"UPDATE {table} t SET {sets} FROM {self._stage} s "
                                              f"WHERE {match} AND ({_differs('t', 's', spec.updates, q, 'postgresql')})")
            else:
                order = keys + (f", {q(spec.date_column)}" if spec.policy == "earliest" else "")
                # DISTINCT ON: a file may repeat a key (e.g. the same completion twice); one
                # INSERT … ON CONFLICT DO UPDATE may not touch a row twice, so keep the row
                # that the policy would keep anyway (the earliest).
                self._merge_sql = [
                    f"INSERT INTO {table} ({cols}) SELECT DISTINCT ON ({keys}) {cols} "
                    f"FROM {self._stage} ORDER BY {order}{conflict}"
                ]

    def encode(self, rows: list[tuple]):
        """What ``add_encoded`` takes. Pure, so the import's validation thread can do it.

        Rows are put in key order first: a file in date order reaches the clustered key at
        random, and sorted chunks touch each index page once. No policy depends on the order
        (the earliest date wins by comparison; entity keys are unique within a file).
        """
        rows = sorted(rows, key=self._key_of)
        if self.dialect == "sqlite":
            return json.dumps(rows, ensure_ascii=False, default=str) if rows else None
        return rows

    def add(self, rows: list[tuple]) -> None:
        self.add_encoded(self.encode(rows))

    def add_encoded(self, payload) -> None:
        if not payload:
            return
        if self.dialect == "sqlite":
            before = self.raw.total_changes
            self.raw.execute(self._sql, (payload,))
            self.changed += self.raw.total_changes - before
        else:
            rows = payload
            self._staged_rows += len(rows)
            with self.raw.cursor() as cur:
                if not self._staged:
                    cur.execute(self._create_stage)
                    cur.execute(f"TRUNCATE {self._stage}")
                    self._staged = True
                with cur.copy(self._copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)

    def _foreign_keys(self) -> list:
        from extensions import db

        return sorted(db.metadata.tables[self.spec.table].foreign_key_constraints, key=lambda fk: fk.name)

    def finish(self) -> None:
        if self.dialect != "sqlite" and self._staged:
            fks = self._foreign_keys() if self._staged_rows >= FK_REVALIDATE_ROWS else []
            with self.raw.cursor() as cur:
                # isolate_from_table=False (AddConstraint): by default SQLAlchemy marks the
                # constraint as no longer part of its table's CREATE TABLE, which silently
                # dropped the foreign keys from every schema created afterwards in the same
                # process (the test suite's create_all).
                for fk in fks:
                    cur.execute(str(DropConstraint(fk).compile(dialect=self.conn.dialect)))
                for sql in self._merge_sql:
                    cur.execute(sql)
                    self.changed += max(cur.rowcount, 0)
                for fk in fks:
                    cur.execute(str(AddConstraint(fk, isolate_from_table=False).compile(dialect=self.conn.dialect)))
                cur.execute(f"DROP TABLE {self._stage}")
                if self._staged_rows >= FK_REVALIDATE_ROWS:
                    # Fresh statistics for what comes next in this process (the scores are
                    # brought up to date right after the import): until autovacuum gets to
                    # the table, the planner still sees it as it was before. Measured on the
                    # 500,000-person province, after its load: the scores after a
                    # 10,000-completion import took 2.1 s, 1.6 s with statistics. A sample,
                    # about 0.2 s for 7.4M completions.
                    cur.execute(f"ANALYZE {self.conn.dialect.identifier_preparer.quote(self.spec.table)}")
            self._staged = False
