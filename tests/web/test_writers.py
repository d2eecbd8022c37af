"""Every CSV and XLSX file the application writes goes through one writer
(``web.spreadsheets.csv_writer`` and ``xlsx_bytes``), which neutralises formulas; this
test scans the code so that no new writer can forget it (issue 13, item 8)."""
import ast
import csv
import io
from pathlib import Path

from openpyxl import Workbook, load_workbook

from web.spreadsheets import FORMULA_STARTS, csv_writer, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "api", "badges", "emulation", "leaderboards", "web")
# Files that are not for a spreadsheet: the importer's own input, written and read back
# by the application (neutralising would change the data).
NOT_FOR_SPREADSHEETS = {
    "emulation/demo/province.py": "the demo province's import files, in a temporary folder, imported at once",
    "api/views.py": "the JSON rows of POST /completions as the completions file the importer reads",
}
WRITER = "web/spreadsheets.py"
HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\tX", "\rY"]


def _sources():
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))
    yield from sorted(ROOT.glob("*.py"))


def _writer_calls(tree) -> list[str]:
    """``csv.writer``/``csv.DictWriter`` calls and ``.save(...)`` of an openpyxl workbook."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            f = node.func
            if isinstance(f.value, ast.Name) and f.value.id == "csv" and f.attr in ("writer", "DictWriter"):
                found.append(f"csv.{f.attr} line {node.lineno}")
        if isinstance(node, ast.ImportFrom) and node.module == "openpyxl" and any(
                a.name == "Workbook" for a in node.names):
            found.append(f"openpyxl Workbook imported line {node.lineno}")
    return found


def test_no_csv_or_xlsx_writer_but_the_one():
    offenders = {}
    for path in _sources():
        name = path.relative_to(ROOT).as_posix()
        calls = _writer_calls(ast.parse(path.read_text(encoding="utf-8")))
        workbooks = [c for c in calls if "Workbook" in c]
        uses_xlsx_bytes = "xlsx_bytes(" in path.read_text(encoding="utf-8")
        bad = [c for c in calls if "Workbook" not in c] + ([] if uses_xlsx_bytes else workbooks)
        if bad and name not in (WRITER, *NOT_FOR_SPREADSHEETS):
            offenders[name] = bad
        if workbooks and uses_xlsx_bytes and ".save(" in path.read_text(encoding="utf-8"):
            offenders.setdefault(name, []).append("a workbook saved directly")
    assert not offenders, f"write CSV with web.spreadsheets.csv_writer and XLSX with xlsx_bytes: {offenders}"


def test_the_csv_writer_neutralises_every_text_cell_and_keeps_numbers():
    out = io.StringIO()
    csv_writer(out, cell=lambda v: f"{v:.2f}" if isinstance(v, float) else v).writerow([*HOSTILE, -1.5, -2])
    cells = next(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert cells[:len(HOSTILE)] == ["'" + h for h in HOSTILE], cells
    assert cells[-2:] == ["-1.50", "-2"]


def test_the_xlsx_writer_neutralises_every_text_cell_however_it_was_set():
    wb = Workbook()
    ws = wb.active
    ws.append(HOSTILE)
    ws["A5"] = "=1+1"
    wb.create_sheet("two").cell(1, 1, "@x")
    back = load_workbook(io.BytesIO(xlsx_bytes(wb)))
    texts = [c.value for s in back.worksheets for row in s.iter_rows() for c in row if isinstance(c.value, str)]
    assert texts and not any(t.startswith(FORMULA_STARTS) for t in texts), texts
    assert back.worksheets[0]["A5"].data_type == "s"
