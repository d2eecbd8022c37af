"""Property: the fast column-wise validation and the cell-by-cell path agree.

Completion files are generated from cells whose validity is known by construction (valid
ids, dates, sources, references, and each way of getting them wrong). For any mix:

- every invalid cell is reported, at its line and column, with its value;
- the accepted rows are exactly the rows whose cells are all valid — and each column's
  parser, called on its own, agrees with that label;
- chunk by chunk, the column-wise path gives what the cell-by-cell path gives;
- the database holds, per (person, skill), the earliest accepted completion.
"""
import itertools
from datetime import date, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extensions import db
from tests import factories as f
from tests.checks import assert_rich, describe

COLUMNS = ("person_id", "skill_code", "completed_on", "source", "reference")
PEOPLE = {"P1", "P2", "P3", "P4"}
SKILLS = {"S1", "S2", "S3"}
LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyÁÀẢÃẠấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ0123456789"


def labelled(valid, invalid):
    """A strategy of (cell text, is it valid?)."""
    return st.one_of(valid.map(lambda s: (s, True)), invalid.map(lambda s: (s, False)))


def date_text(d: date):
    return st.sampled_from([d.isoformat(), f.dmy(d), f.d_m_y(d), f" {d.isoformat()} "])


VALID = {
    "person_id": st.sampled_from(["P1", "P2", "P3", "P4", " P2 ", "P3\t"]),
    "skill_code": st.sampled_from(["S1", "S2", "S3", " S1"]),
    "completed_on": st.dates(date(1990, 1, 1), f.TODAY).flatmap(date_text),
    "source": st.sampled_from(["mooc", "vneid", "session", "assessment", "manual", "MOOC", " Vneid "]),
    "reference": st.one_of(st.just(""), st.text(LETTERS + " ,;\"'", max_size=60)),
}
INVALID = {
    "person_id": st.sampled_from(["", "   ", "P9", "p1", "NOPE", "P 1"]),
    "skill_code": st.sampled_from(["", "S9", "s1", "S1;S2"]),
    "completed_on": st.one_of(
        st.sampled_from(["", "2026-02-31", "31/04/2025", "2025-13-01", "29/02/2025", "2025-3-5", "abc",
                         "1899-12-31", "00/01/2025", "15.03.2025", "2025/03/15"]),
        st.dates(f.TODAY + timedelta(days=1), date(2030, 12, 31)).flatmap(date_text),  # the future
    ),
    "source": st.sampled_from(["", "web", "mooc;vneid", "m00c"]),
    "reference": st.text(LETTERS, min_size=256, max_size=300),
}
cells = {c: labelled(VALID[c], INVALID[c]) for c in COLUMNS}
# Half the rows are wholly valid (a row of random cells is valid once in 32): with 12 keys
# (4 people, 3 skills), accepted rows that repeat a key, earlier or later, are common.
row_strategy = st.one_of(st.fixed_dictionaries({c: VALID[c].map(lambda s: (s, True)) for c in COLUMNS}),
                         st.fixed_dictionaries({c: cells[c] for c in COLUMNS}))


@st.composite
def file_rows(draw):
    """Rows of a file; valid rows repeated further down with another date, earlier or
    later (the earliest of a key is the one kept, whichever line it is on)."""
    rows = draw(st.lists(row_strategy, min_size=1, max_size=25))
    valid = [r for r in rows if all(ok for _, ok in r.values())]
    for _ in range(draw(st.integers(0, 3)) if valid else 0):
        row = draw(st.sampled_from(valid))
        d = _parse_date(row["completed_on"][0].strip())
        other = draw(st.one_of(st.dates(date(1990, 1, 1), d - timedelta(days=1)) if d > date(1990, 1, 1) else st.nothing(),
                               st.dates(d + timedelta(days=1), f.TODAY) if d < f.TODAY else st.nothing()))
        at = draw(st.integers(rows.index(row) + 1, len(rows)))
        rows.insert(at, {**row, "completed_on": (draw(date_text(other)), True)})
    return rows


def blank(row):
    return not any(text.strip() for text, _ in row.values())


# What the examples must exercise, as a share of those run (checked after them).
RICHNESS = {"a key repeated, the later line earlier": 0.25, "a key repeated, the later line later": 0.25,
            "a rejected row": 0.5, "an accepted row": 0.6}


def _dates_by_key(rows) -> dict:
    out = {}
    for row in rows:
        if all(ok for _, ok in row.values()):
            key = (row["person_id"][0].strip(), row["skill_code"][0].strip())
            out.setdefault(key, []).append(_parse_date(row["completed_on"][0].strip()))
    return out


def test_column_wise_and_cell_wise_validation_agree(world, files, app, probe):
    seen, runs = dict.fromkeys(RICHNESS, 0), []

    @settings(max_examples=120, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(rows=file_rows(),
           header=st.permutations(COLUMNS),
           chunk_rows=st.integers(1, 7))
    def check(rows, header, chunk_rows):
        _check_validation(world, files, app, probe, rows, header, chunk_rows)
        runs.append(1)
        dated = _dates_by_key(rows).values()
        found = {"a key repeated, the later line earlier": any(b < a for ds in dated for a, b in zip(ds, ds[1:])),
                 "a key repeated, the later line later": any(b > a for ds in dated for a, b in zip(ds, ds[1:])),
                 "a rejected row": any(not all(ok for _, ok in r.values()) for r in rows),
                 "an accepted row": any(all(ok for _, ok in r.values()) for r in rows)}
        for k, v in found.items():
            seen[k] += v

    check()
    assert_rich(seen, len(runs), RICHNESS)


def _check_validation(world, files, app, probe, rows, header, chunk_rows):
    from emulation.imports.importers import CompletionsImporter, ImportContext, quoted

    header = list(header)
    lines = {i + 2: row for i, row in enumerate(rows)}
    expect_errors = {(line, c) for line, row in lines.items() if not blank(row)
                     for c, (_, ok) in row.items() if not ok}
    expect_accepted = {line for line, row in lines.items() if all(ok for _, ok in row.values())}
    expect_rejected = {line for line, _ in expect_errors}

    path = files.csv([{c: text for c, (text, _) in row.items()} for row in rows], header)
    try:
        report = world.run("completions", path, skip_invalid=True, chunk_rows=chunk_rows)
        if all(blank(row) for row in rows):
            assert report.file_error is not None and "no data rows" in report.file_error.msgid
            return
        assert report.ok and report.file_error is None, describe(report)

        # Every invalid cell is reported, with its line, column and value.
        assert {(e.line, e.column) for e in report.errors} == expect_errors, describe(report)
        for e in report.errors:
            assert e.value == quoted(lines[e.line][e.column][0])  # cut to 80 characters
        assert report.rows_rejected == len(expect_rejected)
        assert report.rows_accepted == len(expect_accepted)

        # The accepted rows are in the database: per key, the earliest date, with that row's source.
        keep = {}
        for line in sorted(expect_accepted):
            row = {c: text.strip() for c, (text, _) in lines[line].items()}
            d = _parse_date(row["completed_on"])
            key = (row["person_id"], row["skill_code"])
            keep.setdefault(key, []).append((d, row["source"].lower(), row["reference"] or None))
        stored = probe.all(
            "SELECT p.external_id, s.code, c.completed_on, c.source, c.reference FROM completions c "
            "JOIN people p ON p.id = c.person_id JOIN skills s ON s.id = c.skill_id")
        assert {(p, s) for p, s, *_ in stored} == set(keep)
        for p, s, d, source, reference in stored:
            earliest = min(x[0] for x in keep[(p, s)])
            assert d == earliest
            assert (d, source, reference) in keep[(p, s)]

        # Each column's parser agrees with the labels, and both validation paths agree.
        with app.app_context(), db.engine.connect() as conn:
            importer = CompletionsImporter(ImportContext(conn, app.config["NATIONAL_ID_KEY"], f.TODAY), header)
            for col, parse in zip(importer.present, importer.parsers):
                for row in rows:
                    text, ok = row[col.name]
                    assert _accepts(parse, text) == ok, (col.name, text)
            chunk = [(line, [row[c][0] for c in header]) for line, row in lines.items()]
            names = [c.name for c in importer.present]
            for start in range(0, len(chunk), chunk_rows):
                part = chunk[start:start + chunk_rows]
                fast, slow = importer.parse_chunk(part), importer._parse_cellwise(part, names, len(header))
                assert (fast.lines, fast.cols, fast.errors) == (slow.lines, slow.cols, slow.errors)
            # All the valid rows at once take the column-wise path; it gives the same.
            good = [(line, cells) for line, cells in chunk if line in expect_accepted]
            fast, slow = importer.parse_chunk(good), importer._parse_cellwise(good, names, len(header))
            assert fast.errors == [] and (fast.lines, fast.cols) == (slow.lines, slow.cols)
            assert fast.lines == sorted(expect_accepted)
    finally:
        with app.app_context(), db.engine.begin() as conn:
            for table in ("completions", "import_batches", "audit_log"):
                conn.execute(sa.text(f"DELETE FROM {table}"))
        for p in itertools.chain([path], path.parent.glob("*.rejects.csv")):
            p.unlink(missing_ok=True)


def _parse_date(s: str) -> date:
    if "/" in s:
        d, m, y = map(int, s.split("/"))
        return date(y, m, d)
    return date.fromisoformat(s)


def _accepts(parse, text) -> bool:
    from emulation.imports.importers import Invalid

    try:
        parse(text)
        return True
    except Invalid:
        return False
