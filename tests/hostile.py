"""Hostile import files, built by the tests themselves (small on disk, or in tmp_path
only): XLSX decompression bombs (a giant shared string, millions of shared strings, a
giant cell, a lying dimension, a zip of many members) and CSV rows of a million cells.

``xlsx`` writes a minimal but valid workbook by hand (zipfile), so that each part can be
made as hostile as wanted and streamed in: nothing big is ever held in memory here.
"""
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = (f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
             f'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
            f'</sheets></workbook>')
WORKBOOK_RELS = (f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" '
                 f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/sharedStrings" '
                 f'Target="sharedStrings.xml"/></Relationships>')


def _column(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _row(number: int, cells) -> str:
    return f'<row r="{number}">' + "".join(
        f'<c r="{_column(i)}{number}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'
        for i, v in enumerate(cells, start=1) if v is not None) + "</row>"


def xlsx(path: Path, header: list[str], rows: list[list], *, shared_strings=(), giant_string: int = 0,
         giant_cell: int = 0, dimension: str | None = None, extra_members: int = 0,
         compression=zipfile.ZIP_DEFLATED) -> Path:
    """A workbook of ``header`` and ``rows`` (inline strings), with, to make it hostile:
    ``shared_strings`` (an iterable of texts, streamed into sharedStrings.xml),
    ``giant_string`` (one shared string of that many characters), ``giant_cell`` (one more
    data row whose first cell has that many characters), ``dimension`` (what the sheet
    claims its size is) and ``extra_members`` (empty parts in the zip)."""
    with zipfile.ZipFile(path, "w", compression=compression, compresslevel=9 if compression else None) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(f'<worksheet xmlns="{MAIN}">'.encode())
            if dimension:
                out.write(f'<dimension ref="{dimension}"/>'.encode())
            out.write(b"<sheetData>")
            out.write(_row(1, header).encode())
            for number, cells in enumerate(rows, start=2):
                out.write(_row(number, cells).encode())
            if giant_cell:
                out.write(f'<row r="{len(rows) + 2}"><c r="A{len(rows) + 2}" t="inlineStr"><is><t>'.encode())
                _repeat(out, b"A", giant_cell)
                out.write(b"</t></is></c></row>")
            out.write(b"</sheetData></worksheet>")
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(f'<sst xmlns="{MAIN}">'.encode())
            batch = []
            for text in shared_strings:
                batch.append(f"<si><t>{escape(text)}</t></si>")
                if len(batch) >= 10000:
                    out.write("".join(batch).encode())
                    batch = []
            out.write("".join(batch).encode())
            if giant_string:
                out.write(b"<si><t>")
                _repeat(out, b"A", giant_string)
                out.write(b"</t></si>")
            out.write(b"</sst>")
        for i in range(extra_members):
            z.writestr(f"docProps/extra{i}.xml", "")
    return path


def _repeat(out, byte: bytes, count: int) -> None:
    block = byte * min(count, 1 << 20)
    while count > 0:
        out.write(block[:count])
        count -= len(block)


def wide_csv(path: Path, header: list[str], first: list[str], cells: int, rows: int = 3) -> Path:
    """A CSV whose data rows start like ``first`` and then have ``cells`` more (non-empty) cells."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(header) + "\r\n")
        tail = ",x" * cells
        for _ in range(rows):
            out.write(",".join(first) + tail + "\r\n")
    return path
