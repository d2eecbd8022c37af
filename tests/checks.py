"""Assertions on import reports.

Messages are translated (Vietnamese by default), so tests never compare rendered text:
they compare structure (lines, columns, values, counts) and message ids, by fragment of
the English msgid used in the code.
"""


def describe(report) -> str:
    """A report as text for assertion messages."""
    out = [f"{report.kind} {report.file_name}: ok={report.ok} committed={report.committed} rows_in={report.rows_in} "
           f"accepted={report.rows_accepted} rejected={report.rows_rejected} changed={report.rows_changed}"]
    if report.file_error is not None:
        out.append(f"file_error={report.file_error.msgid!r} {report.file_error.params}")
    out += [f"line {e.line} {e.column}={e.value[:40]!r}: {e.reason.msgid!r} {e.reason.params}" for e in report.errors]
    return "\n".join(out)


def assert_file_error(report, fragment: str, **params) -> None:
    """The whole file was rejected with a message whose msgid contains ``fragment``
    (and whose parameters include ``params``); no row error, nothing committed."""
    assert report.file_error is not None, describe(report)
    assert fragment in report.file_error.msgid, describe(report)
    for k, v in params.items():
        assert report.file_error.params.get(k) == v, describe(report)
    assert not report.ok and not report.committed, describe(report)
    assert report.errors == [], describe(report)


def assert_row_errors(report, expected) -> None:
    """The file was rejected by row errors, exactly ``expected``: a list of
    ``(line, column, value, msgid fragment)``; ``value=None`` means "not checked"."""
    assert report.file_error is None, describe(report)
    assert not report.committed, describe(report)
    got = sorted(report.errors, key=lambda e: (e.line, e.column))
    assert len(got) == len(expected), describe(report)
    for err, (line, column, value, fragment) in zip(got, sorted(expected, key=lambda x: (x[0], x[1]))):
        assert err.line == line, describe(report)
        assert err.column == column, describe(report)
        if value is not None:
            assert err.value == value, describe(report)
        assert fragment in err.reason.msgid, describe(report)


def assert_imported(report, rows_in=None, changed=None) -> None:
    assert report.ok and report.committed and report.file_error is None and not report.errors, describe(report)
    if rows_in is not None:
        assert report.rows_in == report.rows_accepted == rows_in, describe(report)
    if changed is not None:
        assert report.rows_changed == changed, describe(report)


def assert_rich(seen: dict[str, int], runs: int, floors: dict[str, float]) -> None:
    """Each rule of a property test was exercised in at least its floor's share of the
    examples run. Enforced on the fixed examples of the "ci" profile (derandomized, as CI
    runs them: a green run is reproducible); a random run ("dev") that falls short warns
    instead, since Hypothesis's examples are drawn from one another and a run may now and
    then stay away from a rare case without anything being wrong with the generator."""
    import warnings

    from hypothesis import settings

    shares = {k: n / runs for k, n in seen.items()}
    short = {k: round(v, 3) for k, v in shares.items() if v < floors[k]}
    if short and not settings().derandomize:
        warnings.warn(f"a random run exercised some rules less than their floors: {short} (all: {shares})")
        return
    assert short == {}, shares
