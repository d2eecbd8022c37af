"""Fuzzing every importer with malformed files: whatever the bytes, the import ends in a
clean report (a file error or row errors naming line and column, never an exception),
and a rejected file writes nothing: the database is byte for byte the same."""
import csv
import io

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from emulation.imports.importers import IMPORTERS
from tests import factories as f

KINDS = tuple(f.KINDS)
# The importers' own column names, and some that are not.
NAMES = sorted({c for kind in KINDS for c in f.REQUIRED_COLUMNS[kind]} | {"national_id", "household_code",
                                                                          "parent_code", "birth_year", "kind",
                                                                          "eligible", "x", "", "Họ tên"})
# Cells that are valid somewhere (codes of the seeded world, dates, groups), and junk.
GOOD = ["P1", "P2", "TP", "BL", "THCS", "H1", "S1", "S2", "citizen", "student", "mooc", "village", "2025-04-01",
        "01/04/2025", "1", "0", "10", "Nguyễn Văn An"]
JUNK = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "2026-02-31", "=1+1", "-5", "99999999999999999999", "\x00", "a\nb", '"', "'",
                     "P1;P2", "null", "NaN", "🙂", "\ufeff", "x" * 300]),
)
CELL = st.one_of(st.sampled_from(GOOD), JUNK)


@st.composite
def cases(draw):
    """A kind and a file's bytes: mostly the kind's own header (so that rows are checked),
    else a header of real and unreal names; rows of good and bad cells, mostly as wide as
    the header; written as CSV, sometimes with a BOM, sometimes not as UTF-8, sometimes cut
    short."""
    kind = draw(st.sampled_from(KINDS))
    own = list(f.REQUIRED_COLUMNS[kind])
    header = draw(st.one_of(st.just(own), st.just(own[::-1]), st.lists(st.sampled_from(NAMES), max_size=7)))
    width = st.just(len(header)) if header and draw(st.integers(0, 4)) else st.integers(0, 8)
    rows = draw(st.lists(width.flatmap(lambda n: st.lists(CELL, min_size=n, max_size=n)), max_size=6))
    out = io.StringIO()
    w = csv.writer(out)
    if header or draw(st.booleans()):
        w.writerow(header)
    w.writerows(rows)
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1258"]))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    if not draw(st.integers(0, 4)):
        data = data[:draw(st.integers(0, len(data)))]
    return kind, data


@pytest.fixture
def seeded(world, probe):
    return world


@settings(max_examples=120, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=cases())
def test_any_file_gives_a_clean_report_and_a_rejected_one_writes_nothing(seeded, probe, case):
    kind, data = case
    assert set(KINDS) == set(IMPORTERS)
    before = probe.snapshot(sequences=False)
    report = seeded.run(kind, io.BytesIO(data), file_name="fuzz.csv")
    event("file error" if report.file_error is not None else "row errors" if report.errors else "accepted")
    if report.file_error is None:
        # Every data row is accounted for, accepted or rejected, and rejected rows are reported.
        assert report.rows_in == report.rows_accepted + report.rows_rejected
        assert report.rows_rejected == len({e.line for e in report.errors})
        assert report.ok == (not report.errors) and report.committed == report.ok
    else:
        assert report.file_error.render() and not report.committed and report.rows_accepted == 0
    for e in report.errors:
        assert e.line >= 2 and e.reason.render()  # line 1 is the header
    if not report.ok:
        assert probe.snapshot(sequences=False) == before
