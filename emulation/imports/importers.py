"""Importers for the seven files of SPEC §2 (units, households, people, mentorships,
skills, completions, activities), shared by the command line, uploads and the API.

How an import runs
------------------
1. The file is opened (CSV or XLSX, see ``reading``) and its header checked: unknown,
   missing and repeated columns reject the file before any row is read.
2. A worker thread reads chunks of rows and validates them *column by column*: each
   column's parser is mapped over the whole column (low-cardinality columns such as
   dates are memoised). When any cell fails, the chunk is validated again cell by cell
   with the same parsers to name every bad cell; the two paths cannot disagree because
   they call the same functions.
3. The main thread writes each validated chunk with one set-based statement
   (``bulk.BulkWriter``) inside a single transaction.
4. Checks that need the whole file (the unit tree, national ids) run at the end.
5. Any bad row (unless ``skip_invalid``), or a dry run, rolls the transaction back:
   nothing is written. Otherwise the batch is recorded in the audit log and committed.
"""
import gc
import getpass
import hashlib
import hmac
import itertools
import queue
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import insert, select

from accounts.models import AuditLog
from emulation.bulk import BulkWriter, Upsert, references_proven_by_lookups
from emulation.clock import province_today
from emulation.models import (ACTIVITY_KINDS, CODE_LENGTH, COMPLETION_SOURCES, EXTERNAL_ID_LENGTH, GROUPS, NAME_LENGTH,
                              REFERENCE_LENGTH, UNIT_KINDS, ImportBatch)
from web.i18n import N_, Message
from web.spreadsheets import csv_writer

from .reading import FileRejected, open_table

UNKNOWN_UNIT = N_("unknown unit \"%(value)s\"")
KINDS = ("units", "households", "people", "mentorships", "skills", "completions", "activities")
# What a unit manager may import for their subtree: everything but the skills framework.
SCOPED_KINDS = tuple(k for k in KINDS if k != "skills")
# Longest cell value quoted back in an error report (also in what the report keeps).
REPORT_VALUE_CHARS = 80
# A report keeps at most this many errors (a file with a wrong column can have one per
# row, millions); the counts stay exact (``errors_total``, ``rows_rejected``).
MAX_ERRORS_KEPT = 100_000
# Files whose rows are all held until the end of the file (the unit tree, the national
# ids of people are checked across the whole file): at most this many rows by default
# (IMPORT_MAX_HELD_ROWS), which bounds an import's memory.
HELD_KINDS = ("units", "people")


def quoted(value: str, limit: int = REPORT_VALUE_CHARS) -> str:
    """``value`` cut to ``limit`` characters (with "…"), as reports keep it."""
    return value if len(value) <= limit else value[:limit] + "…"


def masked_national_id(value: str) -> str:
    """A national id as reports and files show it: its last three characters only (as
    the database keeps them)."""
    value = value.strip()
    return value if value.startswith("…") else "…" + value[-3:]


# --------------------------------------------------------------------------- errors

class Invalid(Exception):
    """A cell's value is rejected; the message says why."""

    def __init__(self, msgid: str, **params):
        super().__init__(msgid)
        self.message = Message(msgid, params)


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    value: str
    reason: Message

    def __post_init__(self):
        # What a report keeps: a value of at most REPORT_VALUE_CHARS (a cell can hold a
        # gigabyte), never a whole national id; the reason's quoted values cut alike.
        value = self.value if isinstance(self.value, str) else str(self.value)
        if self.column == "national_id" and value:
            value = masked_national_id(value)
        object.__setattr__(self, "value", quoted(value))
        params = self.reason.params
        if params and any(isinstance(v, str) and len(v) > REPORT_VALUE_CHARS for v in params.values()):
            object.__setattr__(self, "reason", Message(self.reason.msgid, {
                k: quoted(v) if isinstance(v, str) else v for k, v in params.items()}))

    def render(self) -> str:
        value = self.value
        return Message(N_("Line %(line)d, column %(column)s, value \"%(value)s\": %(reason)s"),
                       dict(line=self.line, column=self.column or "-", value=value,
                            reason=self.reason.render())).render()


REQUIRED = N_("a value is required")


# --------------------------------------------------------------------------- parsers
# A parser takes the raw cell text and returns the stored value or raises Invalid.

def _stripped(raw: str, required: bool) -> str | None:
    """The cell without surrounding spaces; None when blank, which is an error if required."""
    s = raw.strip()
    if s:
        return s
    if required:
        raise Invalid(REQUIRED)
    return None


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def text(max_len: int = NAME_LENGTH, required: bool = False) -> Callable[[str], str | None]:
    def parse(raw: str):
        s = _stripped(raw, required)
        if s is None:
            return None
        if len(s) > max_len:
            raise Invalid(N_("longer than %(max)d characters"), max=max_len)
        if CONTROL_CHARACTERS.search(s):
            # NUL, line breaks and other control characters are copy-paste accidents and
            # PostgreSQL refuses NUL outright.
            raise Invalid(N_("contains a control character (line break, tab or similar)"))
        return s
    return parse


def code(max_len: int = CODE_LENGTH, required: bool = True) -> Callable[[str], str | None]:
    base = text(max_len, required)

    def parse(raw: str):
        s = base(raw)
        if s is not None and any(ch.isspace() for ch in s):
            raise Invalid(N_("a code may not contain spaces"))
        return s
    return parse


def choice(values, required: bool = True) -> Callable[[str], str | None]:
    allowed = {v.lower(): v for v in values}
    listing = ", ".join(values)

    def parse(raw: str):
        s = _stripped(raw, required)
        if s is None:
            return None
        try:
            return allowed[s.lower()]
        except KeyError:
            raise Invalid(N_("must be one of: %(allowed)s"), allowed=listing) from None
    return parse


def integer(lo: int, hi: int | None = None, required: bool = False) -> Callable[[str], int | None]:
    def parse(raw: str):
        s = _stripped(raw, required)
        if s is None:
            return None
        if not (s.isascii() and (s.isdigit() or (s[0] == "-" and s[1:].isdigit()))):
            raise Invalid(N_("must be a whole number"))
        n = int(s)
        if n < lo or (hi is not None and n > hi):
            if hi is None:
                raise Invalid(N_("must be at least %(lo)d"), lo=lo)
            raise Invalid(N_("must be between %(lo)d and %(hi)d"), lo=lo, hi=hi)
        return n
    return parse


def flag(default: bool) -> Callable[[str], bool]:
    def parse(raw: str):
        s = raw.strip()
        if not s:
            return default
        if s == "1":
            return True
        if s == "0":
            return False
        raise Invalid(N_("must be 0 or 1"))
    return parse


def day(latest: date, required: bool = True) -> Callable[[str], str | None]:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY``; returns ISO text, the form both databases store."""
    def parse(raw: str):
        s = _stripped(raw, required)
        if s is None:
            return None
        try:
            if len(s) == 10 and s[4] == "-" and s[7] == "-" and s[:4].isdigit() and s[5:7].isdigit() and s[8:].isdigit():
                d = date(int(s[:4]), int(s[5:7]), int(s[8:]))
            else:
                parts = s.split("/")
                if not (len(parts) == 3 and len(parts[2]) == 4 and all(p.isascii() and p.isdigit() and p for p in parts)
                        and len(parts[0]) <= 2 and len(parts[1]) <= 2):
                    raise Invalid(N_("not a date: use YYYY-MM-DD or DD/MM/YYYY"))
                d = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise Invalid(N_("this date does not exist")) from None
        if d.year < 1900:
            raise Invalid(N_("the date is before 1900"))
        if d > latest:
            raise Invalid(N_("the date is in the future"))
        return d.isoformat()
    return parse


OUTSIDE_SCOPE = N_("\"%(value)s\" belongs to a unit outside the units you manage")


class Lookup(dict):
    """Code → database id; a miss raises Invalid naming what was not found.

    ``outside`` holds the codes that exist but lie outside the importing manager's
    subtree: they are refused with their own reason, not as unknown."""

    def __init__(self, pairs, msgid: str, outside: frozenset = frozenset()):
        super().__init__(pairs)
        self.msgid = msgid
        self.outside = outside

    def __missing__(self, raw: str):
        s = raw.strip()
        if not s:
            raise Invalid(REQUIRED)
        if s != raw and s in self:
            return dict.__getitem__(self, s)
        if s in self.outside:
            raise Invalid(OUTSIDE_SCOPE, value=s)
        raise Invalid(self.msgid, value=s)

    def optional(self) -> Callable[[str], int | None]:
        get = self.__getitem__
        return lambda raw: get(raw) if raw.strip() else None


NO_BLANK = object()


def _without_trailing_blanks(cells: list[str], width: int) -> list[str]:
    """Cut empty cells beyond the header: Excel writes trailing commas in CSV and pads
    sheets with formatted empty cells. A non-empty cell there keeps the row too long."""
    if len(cells) > width and not any(c.strip() for c in cells[width:]):
        return cells[:width]
    return cells


def _parse_filled(parse, blank, column) -> list:
    """``parse`` over the non-empty cells of a column only; empty cells get ``blank``.
    (Optional columns are mostly empty; the empty ones are skipped at C speed.)"""
    values = [blank] * len(column)
    for i in itertools.compress(range(len(column)), column):
        values[i] = parse(column[i])
    return values


def _blank_value(parse):
    try:
        return parse("")
    except Invalid:
        return NO_BLANK


class Memo(dict):
    """Memoises a parser for low-cardinality columns (dates, codes of a small vocabulary)."""

    def __init__(self, parse):
        super().__init__()
        self.parse = parse

    def __missing__(self, raw):
        value = self.parse(raw)
        self[raw] = value
        return value


def national_id_hasher(key: str) -> Callable[[str], tuple | None]:
    """Parser for a 12-digit national id: returns (keyed hash, last three digits)."""
    key_bytes = key.encode()

    def parse(raw: str):
        s = raw.strip()
        if not s:
            return None
        if not (len(s) == 12 and s.isascii() and s.isdigit()):
            if s.isascii() and s.isdigit() and len(s) < 12:
                raise Invalid(N_("a national id has 12 digits (a leading 0 may have been lost: format the column as Text)"))
            raise Invalid(N_("a national id has exactly 12 digits"))
        return hmac.new(key_bytes, s.encode(), hashlib.sha256).hexdigest(), s[-3:]
    return parse


def hash_national_id(key: str, national_id: str) -> str:
    """The stored form of a national id (see ``national_id_hasher``)."""
    return national_id_hasher(key)(national_id)[0]


def groups_list(raw: str) -> str:
    """``;``-separated target groups, stored in the canonical order of GROUPS."""
    names = [p.strip().lower() for p in raw.split(";") if p.strip()]
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        raise Invalid(N_("unknown target group \"%(group)s\"; allowed: %(allowed)s"),
                      group=unknown[0], allowed=", ".join(GROUPS))
    return ";".join(g for g in GROUPS if g in names)


# --------------------------------------------------------------------------- columns

@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any]
    required: bool = False
    memo: bool = False


@dataclass
class Parsed:
    """A validated chunk, column-wise: ``cols[name][i]`` belongs to ``lines[i]``."""

    lines: list[int]
    cols: dict[str, list]
    errors: list[RowError] = field(default_factory=list)
    rows_in: int = 0
    # Keys (e.g. unit codes) of the rows rejected in this chunk, when readable: lets a
    # whole-file check say "its parent was rejected" rather than "unknown".
    rejected_keys: set = field(default_factory=set)
    # The chunk encoded for the database writer, prepared on the validation thread.
    payload: Any = None

    def drop(self, bad: set[int]) -> None:
        """Remove rows by index (after row-level checks rejected them)."""
        if not bad:
            return
        keep = [i for i in range(len(self.lines)) if i not in bad]
        self.lines = [self.lines[i] for i in keep]
        self.cols = {k: [v[i] for i in keep] for k, v in self.cols.items()}


@dataclass
class ImportContext:
    conn: Any
    national_id_key: str
    today: date
    skip_invalid: bool = False
    # The materialised path of the unit a manager imports for ("/1/7/"): every record the
    # file references or changes must lie in that subtree. None: the whole province.
    scope_path: str | None = None
    # Under a scope: how many more national ids held by people outside the subtree this
    # account may be told about (see ``national_id_budget``); None: no limit.
    national_id_budget: int | None = None
    national_id_limit: int = 0
    national_id_hours: int = 0

    def in_scope(self, path: str) -> bool:
        return self.scope_path is None or path.startswith(self.scope_path)


class Importer:
    """One kind of file. Subclasses declare columns and how rows reach the database."""

    kind: str = ""
    key_column: str | None = None  # the file column that identifies a record, if one does

    def __init__(self, ctx: ImportContext, header: list[str]):
        self.ctx = ctx
        self.header = header
        self.all_columns = self.columns()
        self.check_header()
        columns = {c.name: c for c in self.all_columns}
        self.present = [columns[name] for name in header]
        self.parsers = [Memo(c.parse).__getitem__ if c.memo else c.parse for c in self.present]
        # What each column's parser gives for an empty cell (NO_BLANK if that is an error):
        # optional columns are mostly empty, and skipping the call for them is measurable.
        self.blanks = [NO_BLANK if c.memo else _blank_value(c.parse) for c in self.present]

    # -- declared by each importer
    def columns(self) -> list[Column]:
        raise NotImplementedError

    def check(self, parsed: Parsed) -> None:
        """Row-level and in-file checks (worker thread; no database access)."""

    def prepare(self, parsed: Parsed) -> None:
        """Encode a validated chunk for writing (worker thread; no database access)."""

    def accept(self, parsed: Parsed) -> None:
        """Write (or keep for ``finish``) a validated chunk (main thread)."""
        raise NotImplementedError

    def finish(self) -> list[RowError]:
        """Whole-file checks and deferred writes; returns errors found."""
        return []

    @property
    def changed(self) -> int:
        raise NotImplementedError

    # -- shared machinery
    def check_header(self) -> None:
        names = {c.name for c in self.all_columns}
        if any(h == "" for h in self.header):
            raise FileRejected(N_("Column %(n)d of the header has no name."), n=self.header.index("") + 1)
        seen = set()
        for h in self.header:
            if h in seen:
                raise FileRejected(N_("Column \"%(column)s\" appears twice in the header."), column=h)
            seen.add(h)
        unknown = [h for h in self.header if h not in names]
        if unknown:
            raise FileRejected(
                N_("Unknown column(s): %(unknown)s. The columns of a %(kind)s file are: %(allowed)s."),
                unknown=", ".join(unknown), kind=self.kind, allowed=", ".join(c.name for c in self.all_columns))
        missing = [c.name for c in self.all_columns if c.required and c.name not in seen]
        if missing:
            raise FileRejected(N_("Missing required column(s): %(missing)s."), missing=", ".join(missing))

    def parse_chunk(self, chunk: list[tuple[int, list[str]]]) -> Parsed:
        """Validate ``(line, cells)`` pairs (see ``parse_records``)."""
        if not chunk:
            return self.parse_records([], [])
        lines, cells = zip(*chunk)
        return self.parse_records(lines, cells)

    def parse_records(self, lines, cells) -> Parsed:
        """Validate a chunk column by column; fall back to cell by cell to name every bad cell."""
        width = len(self.header)
        names = [c.name for c in self.present]
        lines = list(lines)
        if not cells:
            return Parsed(lines, {n: [] for n in names})
        if set(map(len, cells)) != {width}:
            cells = [_without_trailing_blanks(c, width) for c in cells]
        if set(map(len, cells)) == {width}:
            try:
                values = [list(map(fn, col)) if blank is NO_BLANK else _parse_filled(fn, blank, col)
                          for fn, blank, col in zip(self.parsers, self.blanks, zip(*cells))]
                return Parsed(lines, dict(zip(names, values)), rows_in=len(lines))
            except Invalid:
                pass
        return self._parse_cellwise(list(zip(lines, cells)), names, width)

    def _parse_cellwise(self, chunk, names, width) -> Parsed:
        out = Parsed([], {n: [] for n in names})
        for line, cells in chunk:
            if not any(c.strip() for c in cells):
                continue  # a blank line carries no data
            out.rows_in += 1
            if len(cells) != width:
                out.errors.append(RowError(line, "", "", Message(
                    N_("the row has %(n)d cells but the header has %(m)d columns"), dict(n=len(cells), m=width))))
                continue
            values, bad = [], False
            for col, fn, raw in zip(self.present, self.parsers, cells):
                try:
                    values.append(fn(raw))
                except Invalid as exc:
                    out.errors.append(RowError(line, col.name, raw, exc.message))
                    bad = True
            if bad:
                if self.key_column in names:
                    out.rejected_keys.add(cells[names.index(self.key_column)].strip())
                continue
            out.lines.append(line)
            for n, v in zip(names, values):
                out.cols[n].append(v)
        return out

    def reject(self, parsed: Parsed, index: int, column: str, value: str, msgid: str, **params) -> None:
        """Record a row-level error found by ``check`` (``value`` as the user wrote it)."""
        parsed.errors.append(RowError(parsed.lines[index], column, value, Message(msgid, params)))

    def lookup(self, sql: str, msgid: str) -> Lookup:
        return Lookup(self.ctx.conn.exec_driver_sql(sql).all(), msgid)

    def scoped_lookup(self, table: str, key: str, unit_join: str, msgid: str) -> Lookup:
        """``key`` → id of ``table``; under a manager's scope, records whose unit lies
        outside it are left out (and named as such when referenced)."""
        if self.ctx.scope_path is None:
            return self.lookup(f"SELECT {key}, id FROM {table}", msgid)
        inside, outside = {}, set()
        for k, i, path in self.ctx.conn.exec_driver_sql(
                f"SELECT t.{key}, t.id, u.path FROM {table} t JOIN units u ON {unit_join}"):
            if self.ctx.in_scope(path):
                inside[k] = i
            else:
                outside.add(k)
        return Lookup(inside, msgid, frozenset(outside))

    def unit_lookup(self) -> Lookup:
        return self.scoped_lookup("units", "code", "u.id = t.id", UNKNOWN_UNIT)

    def household_lookup(self) -> Lookup:
        return self.scoped_lookup("households", "code", "u.id = t.unit_id", N_("unknown household \"%(value)s\""))

    def person_lookup(self) -> Lookup:
        return self.scoped_lookup("people", "external_id", "u.id = t.unit_id", N_("unknown person \"%(value)s\""))

    def reject_outside(self, parsed: Parsed, outside: frozenset) -> None:
        """Reject rows whose key is a record of another unit than the manager's: an import
        may not take over (or change) records outside the manager's subtree."""
        if not outside:
            return
        bad = set()
        for i, k in enumerate(parsed.cols[self.key_column]):
            if k in outside:
                parsed.errors.append(RowError(parsed.lines[i], self.key_column, k, Message(OUTSIDE_SCOPE, dict(value=k))))
                bad.add(i)
        parsed.drop(bad)


def db_rows(parsed: Parsed, mapping: list[tuple[str, str]]) -> tuple[tuple[str, ...], list[tuple]]:
    """Pick ``(file column, db column)`` pairs present in the chunk, as db columns + row tuples."""
    present = [(f, d) for f, d in mapping if f in parsed.cols]
    return tuple(d for _, d in present), list(zip(*(parsed.cols[f] for f, _ in present)))


class StreamingImporter(Importer):
    """Writes each chunk as it comes (households, events)."""

    mapping: list[tuple[str, str]] = []
    table = ""
    key: tuple[str, ...] = ()
    policy = "update"
    date_column: str | None = None
    # The file column whose people's scores the rows change (events), if any.
    scored_column: str | None = None

    def __init__(self, ctx, header):
        super().__init__(ctx, header)
        self.scored_people: set[int] = set()
        columns = tuple(d for f, d in self.mapping if f in header)
        self.writer = BulkWriter(ctx.conn, Upsert(self.table, columns, self.key, self.policy, self.date_column))

    def prepare(self, parsed: Parsed) -> None:
        parsed.payload = self.writer.encode(db_rows(parsed, self.mapping)[1])

    def accept(self, parsed: Parsed) -> None:
        self.writer.add_encoded(parsed.payload)
        if self.scored_column:
            self.scored_people.update(parsed.cols[self.scored_column])

    def finish(self) -> list[RowError]:
        self.writer.finish()
        return []

    @property
    def changed(self) -> int:
        return self.writer.changed


class UniqueKeyMixin:
    """Rejects a key repeated inside one file (which row should win is ambiguous)."""

    key_column = "code"

    def check_unique(self, parsed: Parsed) -> None:
        seen = self.__dict__.setdefault("_seen_keys", {})
        bad = set()
        for i, (line, k) in enumerate(zip(parsed.lines, parsed.cols[self.key_column])):
            first = seen.setdefault(k, line)
            if first != line:
                self.reject(parsed, i, self.key_column, k, N_("repeats the key already given on line %(first)d"),
                            first=first)
                bad.add(i)
        parsed.drop(bad)


# --------------------------------------------------------------------------- importers

# The kinds of unit a manager may add below their unit: the villages, residential groups,
# classes and teams a commune, school or agency organises. The collectives that compete
# province-wide for commendation (communes, wards, agencies, schools, enterprises,
# cooperatives) and their brackets are the province administrators' (README, Security).
MANAGER_UNIT_KINDS = ("village", "residential_group", "class", "other")
KIND_IS_THE_PROVINCES = N_("only the province administrators may change the kind of a unit "
                           "(it decides whom the unit competes with)")
BRACKET_IS_THE_PROVINCES = N_("only the province administrators may set the competition bracket of a unit; "
                              "leave the column empty or as it is")


class UnitsImporter(UniqueKeyMixin, Importer):
    kind = "units"

    def columns(self):
        hc = [Column(f"headcount_{g}", integer(0, 10_000_000), memo=True) for g in GROUPS]
        return [
            Column("code", code(), required=True),
            Column("name", text(required=True), required=True),
            Column("kind", choice(UNIT_KINDS), required=True, memo=True),
            Column("parent_code", code(required=False)),
            Column("bracket", code(required=False), memo=True),
            *hc,
        ]

    def __init__(self, ctx, header):
        super().__init__(ctx, header)
        self.rows: list[Parsed] = []
        self.rejected_codes: set[str] = set()
        self._changed = 0

    def check(self, parsed):
        self.check_unique(parsed)

    def accept(self, parsed):
        # The tree can only be checked once the whole file is read.
        self.rows.append(parsed)
        self.rejected_codes |= parsed.rejected_keys

    def finish(self) -> list[RowError]:
        conn = self.ctx.conn
        before = _unit_states(conn)
        parent_of = {c: state[-1] for c, state in before.items()}
        line_of: dict[str, int] = {}
        for chunk in self.rows:
            for i, c in enumerate(chunk.cols["code"]):
                line_of[c] = chunk.lines[i]
                if "parent_code" in chunk.cols:
                    parent_of[c] = chunk.cols["parent_code"][i]
                elif c not in before:
                    parent_of[c] = None
        errors: list[RowError] = []
        bad: set[str] = set()

        def fail(c, msgid, **params):
            errors.append(RowError(line_of[c], "parent_code", parent_of[c] or "", Message(msgid, params)))
            bad.add(c)

        for c in line_of:
            p = parent_of[c]
            if p is not None and p not in parent_of:
                if p in self.rejected_codes:
                    fail(c, N_("its parent unit \"%(value)s\" was rejected"), value=p)
                else:
                    fail(c, UNKNOWN_UNIT, value=p)
        path_of = dict(conn.exec_driver_sql("SELECT code, path FROM units").all())
        if self.ctx.scope_path is not None:
            errors.extend(self._outside_scope(line_of, parent_of, before, path_of, bad))
        for c in line_of:
            trail, node = [c], parent_of[c]
            while node is not None and node in parent_of and node not in trail:
                trail.append(node)
                node = parent_of[node]
            if node is not None and node in trail:
                cycle = trail[trail.index(node):] + [node]
                fail(c, N_("the unit tree would have a cycle: %(cycle)s"), cycle=" → ".join(cycle))
        # With --skip-invalid, a unit whose parent is rejected and not yet in the database
        # cannot be attached either.
        grew = True
        while grew:
            grew = False
            for c in line_of:
                p = parent_of[c]
                if c not in bad and p in bad and p not in before:
                    fail(c, N_("its parent unit \"%(value)s\" was rejected"), value=p)
                    grew = True
        errors.extend(self._final_tree(line_of, parent_of, before, path_of, bad))
        if errors and not self.ctx.skip_invalid:
            return errors  # the file is rejected: write nothing
        for chunk in self.rows:
            chunk.drop({i for i, c in enumerate(chunk.cols["code"]) if c in bad})
        written = self._write(parent_of, before)
        after = _unit_states(conn)
        self._changed = sum(1 for c in written if before.get(c) != after[c])
        return errors

    def _outside_scope(self, line_of, parent_of, before, path_of, bad) -> list[RowError]:
        """Under a manager's scope, row by row: existing units must lie in the subtree and
        keep their kind and bracket (the province's: they decide who a unit competes with),
        new units are of the kinds a manager organises (MANAGER_UNIT_KINDS) in their own
        bracket, the subtree's own root keeps its parent, and every other unit hangs below
        a unit in the subtree. Where the file's rows lead once rejected rows are dropped is
        checked by ``_final_tree``."""
        errors = []
        kind_of, bracket_of = {}, {}
        for chunk in self.rows:
            brackets = chunk.cols.get("bracket") or [NO_BLANK] * len(chunk.lines)
            for c, k, b in zip(chunk.cols["code"], chunk.cols["kind"], brackets):
                kind_of[c], bracket_of[c] = k, b
        for c, line in line_of.items():
            p = parent_of[c]
            kind, bracket = kind_of[c], bracket_of[c]
            if c in path_of and not self.ctx.in_scope(path_of[c]):
                error = RowError(line, "code", c, Message(OUTSIDE_SCOPE, dict(value=c)))
            elif c in before and kind != before[c][1]:
                error = RowError(line, "kind", kind, Message(KIND_IS_THE_PROVINCES))
            elif c in before and bracket is not NO_BLANK and (bracket or kind) != before[c][2]:
                error = RowError(line, "bracket", bracket or "", Message(BRACKET_IS_THE_PROVINCES))
            elif c not in before and kind not in MANAGER_UNIT_KINDS:
                error = RowError(line, "kind", kind, Message(
                    N_("a unit manager may add units of the kinds %(allowed)s only; the province administrators "
                       "add the others"), dict(allowed=", ".join(MANAGER_UNIT_KINDS))))
            elif c not in before and bracket not in (NO_BLANK, None, kind):
                error = RowError(line, "bracket", bracket, Message(BRACKET_IS_THE_PROVINCES))
            elif c in path_of and path_of[c] == self.ctx.scope_path:
                if p == before[c][-1]:
                    continue
                error = RowError(line, "parent_code", p or "", Message(
                    N_("the unit you manage cannot be moved; ask the province administrators")))
            elif p is None:
                error = RowError(line, "parent_code", "", Message(N_("a unit must belong to a unit you manage")))
            elif p in path_of and not self.ctx.in_scope(path_of[p]):
                # Even when that unit is a row of the file too: its row is refused (it lies
                # outside), so it stays where it is, outside.
                error = RowError(line, "parent_code", p, Message(OUTSIDE_SCOPE, dict(value=p)))
            else:
                continue
            errors.append(error)
            bad.add(c)
        return errors

    def _final_tree(self, line_of, parent_of, before, path_of, bad) -> list[RowError]:
        """The tree as it will be once the rejected rows are dropped: a rejected row leaves
        its unit where it was (or unwritten, if new), which can leave another row's unit
        under a unit outside the manager's subtree, under nothing, or in a cycle. Those rows
        are rejected in turn, until nothing changes. Under a scope every written unit ends
        inside the subtree; for everyone the tree stays a tree."""
        scope_root = next((c for c, path in path_of.items() if path == self.ctx.scope_path), None) \
            if self.ctx.scope_path is not None else None
        errors: list[RowError] = []
        while True:
            accepted = {c for c in line_of if c not in bad}
            failed: dict[str, tuple] = {}
            for c in accepted:
                trail, node, outcome = [], c, "ok"
                while node is not None and node != scope_root:
                    if node in trail:
                        outcome = "cycle"
                        trail = trail[trail.index(node):] + [node]
                        break
                    trail.append(node)
                    if node in accepted:
                        node = parent_of[node]
                    elif node in before:
                        if self.ctx.scope_path is not None and not self.ctx.in_scope(path_of[node]):
                            outcome = "outside"
                            break
                        node = before[node][-1]
                    else:
                        outcome = "missing"
                        break
                else:
                    if node is None and self.ctx.scope_path is not None:
                        outcome = "outside"
                if outcome != "ok":
                    failed[c] = (outcome, trail)
            if not failed:
                return errors
            for c in sorted(failed, key=line_of.get):
                outcome, trail = failed[c]
                p = parent_of[c]
                if outcome == "cycle" and trail[0] == c:
                    reason = Message(N_("the unit tree would have a cycle: %(cycle)s"), dict(cycle=" → ".join(trail)))
                elif p in failed or p in bad or p in self.rejected_codes:
                    reason = Message(N_("its parent unit \"%(value)s\" was rejected"), dict(value=p))
                elif p is None:
                    reason = Message(N_("a unit must belong to a unit you manage"))
                elif outcome == "outside":
                    reason = Message(OUTSIDE_SCOPE, dict(value=p))
                else:
                    reason = Message(UNKNOWN_UNIT, dict(value=p))
                errors.append(RowError(line_of[c], "parent_code", p or "", reason))
                bad.add(c)

    def _write(self, parent_of, before) -> list[str]:
        """Upsert the file's units, attach them to their parents; returns the codes written."""
        conn = self.ctx.conn
        mapping = [("code", "code"), ("name", "name"), ("kind", "kind"), ("bracket", "bracket")] + [
            (f"headcount_{g}", f"headcount_{g}") for g in GROUPS]
        # Without a bracket column a new unit's bracket defaults to its kind and an existing
        # unit keeps the bracket it has; an empty bracket cell means "the kind".
        insert_only = () if "bracket" in self.header else ("bracket",)
        writer, written = None, []
        for chunk in self.rows:
            brackets = chunk.cols.get("bracket") or [None] * len(chunk.lines)
            chunk.cols["bracket"] = [b or k for b, k in zip(brackets, chunk.cols["kind"])]
            columns, rows = db_rows(chunk, mapping)
            if writer is None:
                writer = BulkWriter(conn, Upsert("units", columns, ("code",), "update", insert_only=insert_only))
            writer.add(rows)
            written.extend(chunk.cols["code"])
        if writer is None:
            return written
        writer.finish()
        ids = dict(conn.exec_driver_sql("SELECT code, id FROM units").all())
        moves = [(c, parent_of[c]) for c in written if c not in before or before[c][-1] != parent_of[c]]
        if moves:
            conn.connection.driver_connection.cursor().executemany(
                _p(conn, "UPDATE units SET parent_id = ? WHERE id = ?"),
                [(ids[p] if p else None, ids[c]) for c, p in moves])
        rebuild_unit_paths(conn)
        return written

    @property
    def changed(self):
        return self._changed


def _unit_states(conn) -> dict[str, tuple]:
    """code -> (every imported attribute …, parent code) for all units (a few thousand)."""
    headcounts = ", ".join(f"u.headcount_{g}" for g in GROUPS)
    return {row[0]: tuple(row[1:]) for row in conn.exec_driver_sql(
        f"SELECT u.code, u.name, u.kind, u.bracket, {headcounts}, p.code "
        "FROM units u LEFT JOIN units p ON p.id = u.parent_id").all()}


def _p(conn, sql: str) -> str:
    """Driver placeholders: SQLite takes ``?``, psycopg ``%s``."""
    return sql if conn.dialect.name == "sqlite" else sql.replace("?", "%s")


def rebuild_unit_paths(conn) -> int:
    """Recompute every unit's materialised path and depth; returns units updated.

    Cheap (a province has ~2,000 units) and run after any change to the tree.
    """
    rows = conn.exec_driver_sql("SELECT id, parent_id, path, depth FROM units").all()
    parent = {i: p for i, p, _, _ in rows}
    memo: dict[int, tuple[str, int]] = {}

    def path_of(i):
        if i in memo:
            return memo[i]
        chain = []
        node = i
        while node is not None and node not in memo:
            chain.append(node)
            node = parent[node]
        base, depth = memo[node] if node is not None else ("/", -1)
        for n in reversed(chain):
            base, depth = f"{base}{n}/", depth + 1
            memo[n] = (base, depth)
        return memo[i]

    updates = [(p, d, i) for i, _, old_p, old_d in rows for p, d in [path_of(i)] if (p, d) != (old_p, old_d)]
    if updates:
        conn.connection.driver_connection.cursor().executemany(
            _p(conn, "UPDATE units SET path = ?, depth = ? WHERE id = ?"), updates)
    return len(updates)


class HouseholdsImporter(UniqueKeyMixin, StreamingImporter):
    kind = "households"
    table = "households"
    key = ("code",)
    mapping = [("code", "code"), ("unit_code", "unit_id"), ("head_name", "head_name")]

    def columns(self):
        units = self.unit_lookup()
        return [
            Column("code", code(), required=True),
            Column("unit_code", units.__getitem__, required=True),
            Column("head_name", text()),
        ]

    def __init__(self, ctx, header):
        super().__init__(ctx, header)
        self.outside = self.household_lookup().outside if ctx.scope_path is not None else frozenset()

    def check(self, parsed):
        self.check_unique(parsed)
        self.reject_outside(parsed, self.outside)


NATIONAL_ID_LIMIT = N_(
    "This file is refused: too many of its national ids are already registered to people outside the units "
    "you manage (your account may be told of at most %(limit)d in %(hours)d hours). Check the ids with the "
    "people concerned, or ask the province administrators.")


def national_id_budget(conn, actor: str, limit: int, hours: int, sha256: str) -> int:
    """How many more national ids held outside their subtree a unit manager's account may
    be told about now: ``limit`` less those reported to ``actor`` (dry runs, rejected and
    committed people files alike, from the audit log) in the last ``hours``. A file is
    counted once (the dry run and the import of one file reveal nothing twice): this one's
    earlier runs are left out."""
    from datetime import timedelta

    since = datetime.now(timezone.utc) - timedelta(hours=hours)
    table = AuditLog.__table__
    rows = conn.execute(select(table.c.details).where(
        table.c.at >= since, table.c.actor == actor, table.c.action.like("import.people%"))).scalars()
    per_file: dict[str, int] = {}
    for d in rows:
        d = d or {}
        if d.get("sha256") != sha256:
            per_file[d.get("sha256")] = max(per_file.get(d.get("sha256"), 0), int(d.get("national_id_conflicts", 0)))
    return limit - sum(per_file.values())


class PeopleImporter(UniqueKeyMixin, Importer):
    kind = "people"
    key_column = "external_id"
    mapping = [("external_id", "external_id"), ("full_name", "full_name"), ("group", "group"),
               ("unit_code", "unit_id"), ("household_code", "household_id"), ("birth_year", "birth_year"),
               ("gender", "gender"), ("national_id_hash", "national_id_hash"),
               ("national_id_last3", "national_id_last3"), ("party_member", "party_member"),
               ("position", "position"), ("eligible", "eligible")]

    def columns(self):
        units = self.unit_lookup()
        households = self.household_lookup()
        return [
            Column("external_id", code(EXTERNAL_ID_LENGTH), required=True),
            Column("full_name", text(required=True), required=True),
            Column("group", choice(GROUPS), required=True, memo=True),
            Column("unit_code", units.__getitem__, required=True),
            Column("household_code", households.optional()),
            Column("birth_year", integer(1900, self.ctx.today.year), memo=True),
            Column("gender", choice(("M", "F"), required=False), memo=True),
            Column("national_id", national_id_hasher(self.ctx.national_id_key)),
            Column("party_member", flag(False), memo=True),
            Column("position", text()),
            Column("eligible", flag(True), memo=True),
        ]

    def __init__(self, ctx, header):
        super().__init__(ctx, header)
        self.chunks: list[Parsed] = []
        # national id hash -> (line, external id, last three digits), for this file
        self.nid_line: dict[str, tuple[int, str, str]] = {}
        self.writer = None
        self.outside = self.person_lookup().outside if ctx.scope_path is not None else frozenset()
        # National ids of the file found held by people outside the importer's subtree.
        self.hidden_conflicts = 0

    def check(self, parsed):
        self.check_unique(parsed)
        self.reject_outside(parsed, self.outside)
        if "national_id" not in parsed.cols:
            return
        bad = set()
        for i, (line, ext, nid) in enumerate(zip(parsed.lines, parsed.cols["external_id"], parsed.cols["national_id"])):
            if nid is None:
                continue
            first = self.nid_line.setdefault(nid[0], (line, ext, nid[1]))
            if first[0] != line:
                self.reject(parsed, i, "national_id", "…" + nid[1],
                            N_("this national id is already given to %(other)s on line %(first)d"),
                            other=first[1], first=first[0])
                parsed.cols["national_id"][i] = None
                bad.add(i)
        parsed.drop(bad)

    def accept(self, parsed):
        # Kept until the end: whether a national id clashes with someone already in the
        # database depends on the whole file (two people may swap ids in one correction).
        self.chunks.append(parsed)

    def finish(self) -> list[RowError]:
        conn = self.ctx.conn
        errors = []
        if "national_id" in self.header:
            errors = self._national_id_conflicts()
            if errors and not self.ctx.skip_invalid:
                return errors  # the file is rejected: write nothing
        for chunk in self.chunks:
            if "national_id" in chunk.cols:
                nids = chunk.cols.pop("national_id")
                chunk.cols["national_id_hash"] = [n[0] if n else None for n in nids]
                chunk.cols["national_id_last3"] = [n[1] if n else None for n in nids]
            columns, rows = db_rows(chunk, self.mapping)
            if self.writer is None:
                self.writer = BulkWriter(conn, Upsert("people", columns, ("external_id",), "update"))
            self.writer.add(rows)
        if self.writer:
            self.writer.finish()
        return errors

    def _national_id_conflicts(self) -> list[RowError]:
        """Ids already held by a person who is not (or no longer) written by this file are
        an error; ids held by a person of this file who is given another id are released
        first (a swap). Rejecting a row can make another row's claim fail in turn, so the
        check runs until nothing changes."""
        conn, raw = self.ctx.conn, self.ctx.conn.connection.driver_connection
        accepted = {ext for chunk in self.chunks for ext in chunk.cols["external_id"]}
        hashes = list(self.nid_line)
        claims = []  # (hash, current owner in the database) where the owner is someone else
        owners_path = {}
        for start in range(0, len(hashes), 500):
            part = hashes[start:start + 500]
            marks = ", ".join("?" * len(part))
            for h, owner, path in conn.exec_driver_sql(
                    _p(conn, "SELECT p.national_id_hash, p.external_id, u.path FROM people p "
                             f"JOIN units u ON u.id = p.unit_id WHERE p.national_id_hash IN ({marks})"),
                    tuple(part)).all():
                if owner != self.nid_line[h][1]:
                    claims.append((h, owner))
                    owners_path[owner] = path
        errors, bad_lines = [], set()
        changed = True
        while changed:
            changed = False
            for h, owner in claims:
                line, ext, last3 = self.nid_line[h]
                if line not in bad_lines and owner not in accepted:
                    if self.ctx.in_scope(owners_path[owner]):
                        reason = Message(N_("this national id already belongs to person %(other)s"), dict(other=owner))
                    else:
                        # Someone the importer may not see: never named (an oracle of ids otherwise).
                        reason = Message(N_("this national id is already registered to another person"))
                        self.hidden_conflicts += 1
                    errors.append(RowError(line, "national_id", "…" + last3, reason))
                    bad_lines.add(line)
                    accepted.discard(ext)
                    changed = True
        budget = self.ctx.national_id_budget
        if budget is not None and self.hidden_conflicts > budget:
            raise FileRejected(NATIONAL_ID_LIMIT, limit=self.ctx.national_id_limit, hours=self.ctx.national_id_hours)
        if errors and not self.ctx.skip_invalid:
            return errors
        for chunk in self.chunks:
            chunk.drop({i for i, line in enumerate(chunk.lines) if line in bad_lines})
        release = [(owner,) for h, owner in claims if self.nid_line[h][0] not in bad_lines]
        if release:
            raw.cursor().executemany(_p(conn, "UPDATE people SET national_id_hash = NULL WHERE external_id = ?"), release)
        return errors

    @property
    def changed(self):
        return self.writer.changed if self.writer else 0


class MentorshipsImporter(StreamingImporter):
    kind = "mentorships"
    scored_column = "mentor_id"
    table = "mentorships"
    key = ("mentor_id", "mentee_id")
    policy = "earliest"
    date_column = "started_on"
    mapping = [("mentor_id", "mentor_id"), ("mentee_id", "mentee_id"), ("started_on", "started_on")]

    def columns(self):
        people = self.person_lookup()
        return [
            Column("mentor_id", people.__getitem__, required=True),
            Column("mentee_id", people.__getitem__, required=True),
            Column("started_on", day(self.ctx.today), required=True, memo=True),
        ]

    def check(self, parsed):
        bad = {i for i, (a, b) in enumerate(zip(parsed.cols["mentor_id"], parsed.cols["mentee_id"])) if a == b}
        for i in sorted(bad):
            self.reject(parsed, i, "mentee_id", "", N_("a person cannot mentor themselves"))
        parsed.drop(bad)


class SkillsImporter(UniqueKeyMixin, StreamingImporter):
    kind = "skills"
    table = "skills"
    key = ("code",)
    mapping = [("code", "code"), ("name", "name"), ("domain", "domain"), ("level", "level"),
               ("points", "points"), ("required_for", "required_for")]

    def columns(self):
        return [
            Column("code", code(), required=True),
            Column("name", text(required=True), required=True),
            Column("domain", text(64, required=True), required=True, memo=True),
            Column("level", integer(1, 8, required=True), required=True, memo=True),
            Column("points", integer(0, 100_000, required=True), required=True, memo=True),
            Column("required_for", groups_list, memo=True),
        ]

    def check(self, parsed):
        self.check_unique(parsed)


class CompletionsImporter(StreamingImporter):
    kind = "completions"
    scored_column = "person_id"
    table = "completions"
    key = ("person_id", "skill_id")
    policy = "earliest"
    date_column = "completed_on"
    mapping = [("person_id", "person_id"), ("skill_code", "skill_id"), ("completed_on", "completed_on"),
               ("source", "source"), ("reference", "reference")]

    def columns(self):
        people = self.person_lookup()
        skills = self.lookup("SELECT code, id FROM skills", N_("unknown skill \"%(value)s\""))
        return [
            Column("person_id", people.__getitem__, required=True),
            Column("skill_code", skills.__getitem__, required=True),
            Column("completed_on", day(self.ctx.today), required=True, memo=True),
            Column("source", choice(COMPLETION_SOURCES), required=True, memo=True),
            Column("reference", text(REFERENCE_LENGTH)),
        ]


class ActivitiesImporter(StreamingImporter):
    kind = "activities"
    scored_column = "person_id"
    table = "activities"
    key = ("person_id", "kind", "occurred_on")
    policy = "ignore"
    mapping = [("person_id", "person_id"), ("kind", "kind"), ("occurred_on", "occurred_on"),
               ("reference", "reference")]

    def columns(self):
        people = self.person_lookup()
        return [
            Column("person_id", people.__getitem__, required=True),
            Column("kind", choice(ACTIVITY_KINDS), required=True, memo=True),
            Column("occurred_on", day(self.ctx.today), required=True, memo=True),
            Column("reference", text(REFERENCE_LENGTH)),
        ]


IMPORTERS: dict[str, type[Importer]] = {cls.kind: cls for cls in (
    UnitsImporter, HouseholdsImporter, PeopleImporter, MentorshipsImporter, SkillsImporter,
    CompletionsImporter, ActivitiesImporter)}


# --------------------------------------------------------------------------- running

@dataclass
class ImportReport:
    kind: str
    file_name: str
    sha256: str = ""
    rows_in: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_changed: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_error: Message | None = None
    dry_run: bool = False
    skip_invalid: bool = False
    committed: bool = False
    rejects_path: Path | None = None
    errors_total: int = 0  # errors found; ``errors`` keeps the first MAX_ERRORS_KEPT
    # One byte per line of the file, 1 where the line was rejected (exact counts and the
    # rejected rows' file without keeping every error).
    rejected_lines: bytearray = field(default_factory=bytearray, repr=False)

    def note(self, errors: list[RowError]) -> None:
        """Count ``errors``; keep them while the report has room."""
        if not errors:
            return
        marks = self.rejected_lines
        top = max(e.line for e in errors)
        if top >= len(marks):
            marks.extend(bytes(top - len(marks) + 1 + 65536))
        for e in errors:
            marks[e.line] = 1
        self.errors_total += len(errors)
        room = MAX_ERRORS_KEPT - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])

    @property
    def ok(self) -> bool:
        return self.file_error is None and (not self.errors or self.skip_invalid)

    def summary(self) -> str:
        """One line for the command line and the page (counts grouped as the locale writes them)."""
        if self.file_error is not None:
            return Message(N_("Import of %(file)s rejected: %(reason)s"),
                           dict(file=self.file_name, reason=self.file_error.render())).render()
        params = dict(file=self.file_name, kind=self.kind, **_counts(
            rows=self.rows_in, accepted=self.rows_accepted, rejected=self.rows_rejected, changed=self.rows_changed))
        if not self.ok:
            return Message(N_("Import of %(file)s rejected: %(rejected)s of %(rows)s rows are invalid; nothing was written."),
                           params).render()
        if self.dry_run:
            return Message(N_("Dry run of %(file)s (%(kind)s): %(rows)s rows, %(accepted)s valid, %(rejected)s invalid, "
                              "%(changed)s records would change; nothing was written."), params).render()
        return Message(N_("Imported %(file)s (%(kind)s): %(rows)s rows, %(accepted)s accepted, %(rejected)s rejected, "
                          "%(changed)s records created or changed."), params).render()


def _counts(**numbers: int) -> dict[str, str]:
    """Numbers written the user's way: 151.516 in Vietnamese, 151,516 in English."""
    from flask import has_app_context

    if not has_app_context():
        return {k: str(v) for k, v in numbers.items()}
    from flask_babel import format_number

    return {k: format_number(v) for k, v in numbers.items()}


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector for an import.

    An import allocates millions of short-lived tuples and makes no reference cycles, so
    the collector only walks the live chunks again and again: measured, it doubled the
    validation time (bench/README.md). Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _pipeline(produce, depth: int = 4):
    """Run the generator ``produce()`` in a worker thread, yielding its items here.

    Exceptions in the worker are re-raised in the caller; if the caller stops early the
    worker is told to stop.
    """
    q: queue.Queue = queue.Queue(depth)
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
        """Hand ``item`` over unless the caller has stopped listening."""
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work():
        try:
            for item in produce():
                if not put(item):
                    return
            put(done)
        except BaseException as exc:  # handed to the caller
            put(exc)

    worker = threading.Thread(target=work, name="import-validate", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def run_import(kind: str, source, *, file_name: str | None = None, dry_run: bool = False,
               skip_invalid: bool = False, actor: str | None = None, progress=None,
               engine=None, national_id_key: str | None = None, today: date | None = None,
               chunk_rows: int | None = None, scope_path: str | None = None) -> ImportReport:
    """Import one file of ``kind`` from ``source`` (a path or a binary stream).

    Nothing is written when the file or any row is invalid (unless ``skip_invalid``),
    or when ``dry_run``. ``progress(done_bytes, total_bytes)`` is called as the file is read.
    ``scope_path`` (a unit's materialised path) confines the import to that unit's subtree:
    what a unit manager may import (not the skills framework, which is province-wide).
    """
    from flask import current_app

    from extensions import db, for_writing

    if kind not in IMPORTERS:
        raise ValueError(f"unknown import kind {kind!r}")
    if scope_path is not None and kind not in SCOPED_KINDS:
        raise ValueError(f"{kind} files are province-wide: no scoped import")
    engine = engine or db.engine
    national_id_key = national_id_key or current_app.config["NATIONAL_ID_KEY"]
    chunk_rows = chunk_rows or current_app.config.get("IMPORT_CHUNK_ROWS", 10000)
    max_rows = current_app.config.get("IMPORT_MAX_HELD_ROWS", 1_000_000) if kind in HELD_KINDS else None
    actor = actor or f"cli:{getpass.getuser()}"
    if file_name is None:
        file_name = Path(source).name if isinstance(source, (str, Path)) else getattr(source, "name", "upload")
    report = ImportReport(kind, file_name, dry_run=dry_run, skip_invalid=skip_invalid)
    started = datetime.now(timezone.utc)
    sha = hashlib.sha256()
    stream = open(source, "rb") if isinstance(source, (str, Path)) else source
    for block in iter(lambda: stream.read(1 << 20), b""):
        sha.update(block)
    stream.seek(0)
    report.sha256 = sha.hexdigest()

    try:
        table = open_table(stream, file_name)
    except FileRejected as exc:
        report.file_error = exc.message
        stream.close()
        if dry_run:
            _record_attempt(engine, report, actor, 0)
        return report

    # A dry run only reads; an import writes, and takes its turn as a writer from the start.
    connection = engine.connect() if dry_run else for_writing(engine.connect())
    importer = None
    with _gc_paused(), connection as conn, references_proven_by_lookups(conn):
        trans = conn.begin()
        try:
            ctx = ImportContext(conn, national_id_key, today or province_today(), skip_invalid, scope_path)
            importer = IMPORTERS[kind](ctx, table.header)  # rejects a bad header
            if kind == "people" and scope_path is not None and "national_id" in table.header:
                ctx.national_id_limit = current_app.config.get("NATIONAL_ID_CONFLICTS_LIMIT", 20)
                ctx.national_id_hours = current_app.config.get("NATIONAL_ID_CONFLICTS_HOURS", 24)
                ctx.national_id_budget = national_id_budget(
                    conn, actor, ctx.national_id_limit, ctx.national_id_hours, report.sha256)
                if ctx.national_id_budget <= 0:
                    raise FileRejected(NATIONAL_ID_LIMIT, limit=ctx.national_id_limit, hours=ctx.national_id_hours)

            def produce():
                for lines, records in table.chunks(chunk_rows):
                    parsed = importer.parse_records(lines, records)
                    importer.check(parsed)
                    importer.prepare(parsed)
                    yield parsed

            for parsed in _pipeline(produce):
                report.rows_in += parsed.rows_in
                if max_rows is not None and report.rows_in > max_rows:
                    raise FileRejected(
                        N_("A %(kind)s file may have at most %(limit)s rows (this one has more): split it, "
                           "for example by commune, and import the parts one after the other."),
                        kind=kind, **_counts(limit=max_rows))
                report.note(parsed.errors)
                if skip_invalid or not report.errors_total:
                    importer.accept(parsed)
                if progress:
                    progress(table.bytes_read, table.size)
            if report.rows_in == 0:
                raise FileRejected(N_("The file has a header but no data rows."))
            if skip_invalid or not report.errors_total:
                report.note(importer.finish())
            report.rows_rejected = report.rejected_lines.count(1)
            report.rows_accepted = report.rows_in - report.rows_rejected
            report.rows_changed = importer.changed if report.ok else 0
            if report.ok and not dry_run:
                _record(conn, report, actor, started, getattr(importer, "hidden_conflicts", 0))
                trans.commit()
                report.committed = True
            else:
                trans.rollback()
        except FileRejected as exc:
            trans.rollback()
            report.file_error = exc.message
        except BaseException:
            trans.rollback()
            raise
        finally:
            table.close()
    report.errors.sort(key=lambda e: e.line)
    hidden = getattr(importer, "hidden_conflicts", 0)
    if not report.committed and (dry_run or hidden):
        # Dry runs, and rejected files that reported national ids held elsewhere, leave an
        # audit entry of their own: who checked what (never the ids), and what the
        # throttle counts. If it cannot be written, the report is not given either.
        _record_attempt(engine, report, actor, hidden)
    if report.committed:
        _update_scores(kind, getattr(importer, "scored_people", None))
    if report.ok and skip_invalid and report.errors and isinstance(source, (str, Path)) and not dry_run:
        report.rejects_path = write_rejects(Path(source), report.errors, report.rejected_lines)
    return report


def _update_scores(kind: str, people: set[int] | None) -> None:
    """Bring the stored scores up to date after a committed import: only the people the
    events concern (and their mentors, households, units) for an event file; every run
    again for a file of units, households, people or skills, which can move anyone.

    A failure here leaves the import committed and the scores marked stale (their run
    names an older import batch), to be recomputed by the next export or recompute."""
    from flask import current_app

    from emulation.scoring.scores import apply_events, recompute_all

    try:
        if people is not None:
            apply_events(people)
        else:
            recompute_all()
    except Exception:
        current_app.logger.exception("scores not updated after the import of a %s file", kind)


def _record_attempt(engine, report: ImportReport, actor: str, national_id_conflicts: int) -> None:
    """An audit entry (its own transaction) for an import that wrote nothing: a dry run,
    or a rejected file that reported national ids held outside the importer's subtree."""
    from extensions import for_writing

    details = dict(sha256=report.sha256, rows_in=report.rows_in, rows_accepted=report.rows_accepted,
                   rows_rejected=report.rows_rejected, skip_invalid=report.skip_invalid, dry_run=report.dry_run)
    if national_id_conflicts:
        details["national_id_conflicts"] = national_id_conflicts
    if report.file_error is not None:
        details["file_error"] = report.file_error.msgid
    with for_writing(engine.connect()) as conn, conn.begin():
        conn.execute(insert(AuditLog.__table__).values(
            at=datetime.now(timezone.utc), actor=actor, target=report.file_name, details=details,
            action=f"import.{report.kind}.{'dry_run' if report.dry_run else 'rejected'}"))


def _record(conn, report: ImportReport, actor: str, started: datetime, national_id_conflicts: int = 0) -> None:
    finished = datetime.now(timezone.utc)
    conn.execute(insert(ImportBatch.__table__).values(
        kind=report.kind, file_name=report.file_name, sha256=report.sha256, actor=actor,
        started_at=started, finished_at=finished, rows_in=report.rows_in, rows_accepted=report.rows_accepted,
        rows_rejected=report.rows_rejected, rows_changed=report.rows_changed, skip_invalid=report.skip_invalid))
    conn.execute(insert(AuditLog.__table__).values(
        at=finished, actor=actor, action=f"import.{report.kind}", target=report.file_name,
        details=dict(sha256=report.sha256, rows_in=report.rows_in, rows_accepted=report.rows_accepted,
                     rows_rejected=report.rows_rejected, rows_changed=report.rows_changed,
                     skip_invalid=report.skip_invalid,
                     **({"national_id_conflicts": national_id_conflicts} if national_id_conflicts else {}))))


def write_rejects(source: Path, errors: list[RowError], rejected_lines: bytearray | None = None) -> Path:
    """The rejected rows as they were in the file, with their reasons, beside the input:
    ``<name>.rejects.csv`` (UTF-8 with BOM for Excel; readable by its owner only). The
    file is read again so that no raw row has to be held in memory during the import.
    National ids are written masked (the last three digits), every cell neutralised;
    ``rejected_lines`` names the rows rejected beyond the errors the report kept."""
    import os

    path = source.with_name(source.stem + ".rejects.csv")
    reasons: dict[int, list[str]] = {}
    for e in errors:
        reasons.setdefault(e.line, []).append(f"{e.column or '-'}: {e.reason.render()}")
    if rejected_lines is None:
        rejected_lines = bytearray(max(reasons, default=0) + 1)
        for line in reasons:
            rejected_lines[line] = 1
    untold = Message(N_("(the reason was not kept: more than %(limit)s errors)"), _counts(limit=MAX_ERRORS_KEPT)).render()
    table = open_table(source)
    try:
        ids = [i for i, name in enumerate(table.header) if name == "national_id"]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # also when the file was there before
        with open(fd, "w", encoding="utf-8-sig", newline="") as f:
            w = csv_writer(f)
            w.writerow(["line", *table.header, "errors"])
            for lines, records in table.chunks(10000):
                for line, cells in zip(lines, records):
                    if line < len(rejected_lines) and rejected_lines[line]:
                        for i in ids:
                            if i < len(cells) and cells[i].strip():
                                cells[i] = masked_national_id(cells[i])
                        w.writerow([line, *cells, "; ".join(reasons.get(line, [untold]))])
    finally:
        table.close()
    return path
