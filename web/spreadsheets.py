"""Every CSV and XLSX file the application writes goes through ``csv_writer`` or
``xlsx_bytes`` (a test scans the code for any other writer): no cell reaches a spreadsheet
un-neutralised (OWASP, "CSV injection")."""
import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would run as a formula (=, +, -, @, a tab or a carriage
    return first), behind an apostrophe (OWASP, "CSV injection"); anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# --------------------------------------------------------------------------- writing
# Every CSV and XLSX file the application writes goes through these two (a test scans
# the code for any other writer): a cell cannot reach a spreadsheet un-neutralised.

class _SafeCsvWriter:
    def __init__(self, out, cell, **options):
        self._w = csv.writer(out, **options)
        self._cell = cell

    def writerow(self, row) -> None:
        cell = self._cell
        self._w.writerow([cell(neutralise(v)) for v in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out, *, cell=None, **options):
    """A ``csv.writer`` on ``out`` whose every text cell is neutralised (``neutralise``)
    before ``cell`` (optional) formats the values: numbers formatted as text stay numbers."""
    return _SafeCsvWriter(out, cell or (lambda v: v), **options)


def xlsx_bytes(workbook) -> bytes:
    """The workbook saved, every text cell of every sheet neutralised first (whether it
    was appended or assigned)."""
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS):
                    c.value = neutralise(c.value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
