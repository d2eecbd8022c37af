"""Import files as files (SPEC §2): encodings, BOM, empty files, headers, huge cells, XLSX.

Every test runs for each of the seven kinds, on SQLite and PostgreSQL. A file that cannot
be read is a file-level error (``report.file_error``) and writes nothing.
"""
import copy
from datetime import date, datetime

import pytest

from tests import factories as f
from tests.checks import assert_file_error, assert_imported, assert_row_errors, describe

# A text column of each kind (for Vietnamese text and long values).
TEXT_COLUMN = {
    "units": "name", "households": "head_name", "people": "full_name", "mentorships": "mentor_id",
    "skills": "name", "completions": "reference", "activities": "reference",
}


def new_rows(kind):
    return copy.deepcopy(f.NEW[kind])


@pytest.mark.parametrize("kind", f.KINDS)
def test_utf8_with_bom_is_accepted(world, probe, kind):
    before = probe.count(kind)
    report = world.csv(kind, new_rows(kind), bom=True)
    assert_imported(report, rows_in=4, changed=4)
    assert probe.count(kind) == before + 4


# File-level errors are found before any row is read, so each of these tests goes through
# the seven kinds in one database (a fresh PostgreSQL schema per kind would only cost time).

def test_legacy_encodings_are_a_file_error(world, files, probe):
    before = probe.snapshot()
    for kind in f.KINDS:
        rows = new_rows(kind)
        rows[1][TEXT_COLUMN[kind]] = "Bản Làng"
        text = f.csv_bytes(rows).decode("utf-8")
        # Windows-1258 writes Vietnamese with some tone marks combining: "Bản Làng" is b"Ba\xd2n L\xe0ng".
        cp1258 = f.to_cp1258(text)
        assert b"Ba\xd2n L\xe0ng" in cp1258
        cases = [
            (cp1258, "not UTF-8"),
            (text.encode("utf-16"), "UTF-16"),  # what Excel's "Unicode text" writes: BOM + UTF-16-LE
            (b"\xfe\xff" + text.encode("utf-16-be"), "UTF-16"),
        ]
        for data, fragment in cases:
            report = world.run(kind, files.raw(data))
            assert_file_error(report, fragment)
            assert report.rows_in == 0
    assert probe.snapshot() == before


def test_empty_files_are_a_file_error(world, files, probe):
    before = probe.snapshot()
    for kind in f.KINDS:
        header = ",".join(f.header_of(f.NEW[kind])).encode()
        cases = [
            (b"", "The file is empty"),
            (b"\xef\xbb\xbf", "The file is empty"),
            (b"\r\n\r\n", "The file is empty"),
            (header + b"\r\n", "no data rows"),
            (b"\xef\xbb\xbf" + header, "no data rows"),
            (header + b"\r\n\r\n,,\r\n", "no data rows"),  # blank lines carry no data
        ]
        for data, fragment in cases:
            assert_file_error(world.run(kind, files.raw(data)), fragment)
        assert_file_error(world.run(kind, files.xlsx([], header=[])), "The file is empty")
        assert_file_error(world.run(kind, files.xlsx([], header=f.header_of(f.NEW[kind]))), "no data rows")
    assert probe.snapshot() == before


def test_enormous_cell_is_a_file_error(world, probe):
    before = probe.snapshot()
    for kind in f.KINDS:
        rows = new_rows(kind)
        rows[1][TEXT_COLUMN[kind]] = "x" * 200_000  # above csv's field size limit (131,072)
        report = world.csv(kind, rows)
        assert_file_error(report, "a cell is longer than", line=3)
    assert probe.snapshot() == before


@pytest.mark.parametrize("kind", f.KINDS)
def test_long_cell_is_a_row_error(world, probe, kind):
    column = TEXT_COLUMN[kind]
    rows = new_rows(kind)
    long_value = "Nguyễn " * 43  # 301 characters: parseable, but over the column's 255
    rows[2][column] = long_value
    before = probe.snapshot()
    report = world.csv(kind, rows)
    # A person id that long cannot exist, so mentorships say so instead.
    fragment = "unknown person" if kind == "mentorships" else "longer than %(max)d characters"
    # The report quotes the value's first 80 characters (it keeps no whole cell).
    assert_row_errors(report, [(4, column, long_value[:80] + "…", fragment)])
    if kind != "mentorships":
        assert report.errors[0].reason.params == {"max": 255}
    assert probe.snapshot() == before


@pytest.mark.parametrize("kind", f.KINDS)
def test_xlsx_gives_the_same_records_as_csv(world, files, probe, kind):
    rows = new_rows(kind)
    # Real date cells (some datetime, some date), integer cells for numbers.
    for i, row in enumerate(rows):
        for k, v in row.items():
            if isinstance(v, date) and i % 2:
                row[k] = datetime(v.year, v.month, v.day)
    report = world.run(kind, files.xlsx(rows))
    assert_imported(report, rows_in=4, changed=4)
    after_xlsx = probe.records()
    # The same rows as CSV text change nothing: XLSX cells were read as the same values.
    report = world.csv(kind, f.NEW[kind])
    assert_imported(report, rows_in=4, changed=0)
    assert probe.records() == after_xlsx


def test_xlsx_national_id_typed_as_a_number(world, files, probe):
    rows = new_rows("people")
    rows[0]["national_id"] = int(f.NID_P5)  # Excel dropped the leading 0: 11 digits left
    rows[1]["national_id"] = 179204001234  # a number, but all 12 digits are there
    before = probe.snapshot()
    report = world.run("people", files.xlsx(rows))
    # The report shows a national id masked, like the database keeps it: its last three digits.
    assert_row_errors(report, [(2, "national_id", "…" + str(int(f.NID_P5))[-3:], "leading 0")])
    assert probe.snapshot() == before
    rows[0]["national_id"] = f.NID_P5  # typed as text
    assert_imported(world.run("people", files.xlsx(rows)), rows_in=4)
    assert probe.scalar("SELECT national_id_last3 FROM people WHERE external_id = 'P6'") == "234"


@pytest.mark.parametrize("kind", f.KINDS)
def test_header_is_case_insensitive_and_trimmed(world, probe, kind):
    header = f.header_of(f.NEW[kind])
    messy = [f"  {h.upper()} " if i % 2 else f"{h.title()}\t" for i, h in enumerate(header)]
    rows = [{m: row.get(h) for h, m in zip(header, messy)} for row in f.NEW[kind]]
    assert_imported(world.csv(kind, rows, messy), rows_in=4, changed=4)
    # The same rows with a clean header change nothing.
    assert_imported(world.csv(kind, f.NEW[kind]), rows_in=4, changed=0)


def test_header_errors_are_file_errors(world, files, probe):
    before = probe.snapshot()
    for kind in f.KINDS:
        rows = new_rows(kind)
        header = f.header_of(rows)

        report = world.csv(kind, rows, header + ["ghi_chu"])
        assert_file_error(report, "Unknown column")
        assert report.file_error.params["unknown"] == "ghi_chu"
        assert report.file_error.params["kind"] == kind

        for column in f.REQUIRED_COLUMNS[kind]:
            report = world.csv(kind, rows, [h for h in header if h != column])
            assert_file_error(report, "Missing required column", missing=column)

        report = world.csv(kind, rows, header + [header[0].upper()])
        assert_file_error(report, "appears twice", column=header[0])

        report = world.csv(kind, rows, header + ["", "ghi_chu"])
        assert_file_error(report, "has no name", n=len(header) + 1)

        report = world.run(kind, files.csv(rows, delimiter=";"))
        assert_file_error(report, '";"')
    assert probe.snapshot() == before


def test_trailing_unnamed_empty_columns_are_ignored(world, files, probe):
    # Excel writes trailing commas ("code,name,kind,,") when a sheet once had more columns.
    rows = new_rows("households")
    path = files.raw(f.csv_bytes(rows).replace(b"\r\n", b",,\r\n"))
    report = world.run("households", path)
    assert report.ok and report.rows_in == len(rows), describe(report)


def test_utf16_without_bom_is_a_file_error(world, files, probe):
    # Not what Excel writes, but seen from other tools: every other byte is NUL.
    data = f.csv_bytes(f.NEW["households"]).decode().encode("utf-16-le")
    before = probe.snapshot()
    report = world.run("households", files.raw(data))
    assert report.file_error is not None and not report.committed, describe(report)
    assert probe.snapshot() == before


def test_malformed_csv_is_a_file_error(world, files, probe):
    data = b'code,unit_code,head_name\r\nH7,BL,L\xc3\xb2 V\xc4\x83n\r\nH8,BL,"Tr\xe1\xba\xa7n" Hai\r\n'
    before = probe.snapshot()
    report = world.run("households", files.raw(data))
    assert report.file_error is not None and report.file_error.params.get("line") == 3, describe(report)
    assert probe.snapshot() == before


def test_a_row_with_too_few_or_too_many_cells(world, files, probe):
    data = b"code,unit_code,head_name\r\nH7,BL\r\nH8,BL,Hai,extra\r\nH9,BL,Ba\r\n"
    report = world.run("households", files.raw(data))
    assert [(e.line, e.column) for e in report.errors] == [(2, ""), (3, "")], describe(report)
    assert [e.reason.params for e in report.errors] == [{"n": 2, "m": 3}, {"n": 4, "m": 3}]
    assert not report.committed


def test_a_nul_character_in_a_cell_is_a_clear_error(world, files, probe):
    # Broken exports carry NUL bytes; PostgreSQL cannot store them in text at all. Whatever
    # the database, the import must end in a report naming the line, not in an exception,
    # and both databases must agree on the outcome.
    rows = copy.deepcopy(f.NEW["households"])
    rows[0]["head_name"] = "Lò\x00Páo"
    before = probe.snapshot()
    report = world.csv("households", rows)  # must not raise
    assert not report.committed, describe(report)
    lines = {e.line for e in report.errors} or {report.file_error and report.file_error.params.get("line")}
    assert lines == {2}, describe(report)
    assert probe.snapshot() == before


def test_a_legacy_encoded_line_deep_in_a_file_is_located(world, files, probe):
    # A file that is UTF-8 except for one line pasted from an old Windows-1258 document.
    rows = [{"code": f"H{i}", "unit_code": "BL", "head_name": f"Lò Văn {i}"} for i in range(10, 5000)]
    data = bytearray(f.csv_bytes(rows))
    bad_line = 3001  # line 1 is the header
    start = data.index(b"\r\nH3009,") + 2
    data[start:start] = f.to_cp1258("H2999X,BL,Bản Làng\r\n")
    before = probe.snapshot()
    report = world.run("households", files.raw(bytes(data)), chunk_rows=500)
    assert_file_error(report, "not UTF-8")
    # The user is sent to the line to fix: "near" may be off by one, not by a screenful.
    assert abs(report.file_error.params["line"] - bad_line) <= 1, report.file_error.params
    assert probe.snapshot() == before
