"""Reading import files: CSV (UTF-8, with or without BOM) and .xlsx (first sheet).

Both yield the same thing: a normalised header and chunks ``(lines, records)`` where
each record is a list of strings and ``lines`` their line numbers, so that one validator
serves both formats. Line numbers are the row numbers a user sees in Excel (header = line 1).
"""
import codecs
import csv
import io
import itertools
from datetime import date, datetime
from pathlib import Path

from .i18n import N_, Message

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


class FileRejected(Exception):
    """The file as a whole cannot be read (encoding, format, header)."""

    def __init__(self, msgid: str, **params):
        self.message = Message(msgid, params)
        super().__init__(self.message.render())


class _CountingReader(io.RawIOBase):
    """Counts bytes read from a binary stream, for the progress bar."""

    def __init__(self, raw):
        self.raw = raw
        self.count = 0

    def readable(self):
        return True

    def readinto(self, b):
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        return n


class Table:
    """An opened import file."""

    header: list[str]
    size: int

    def __init__(self, stream):
        stream.seek(0, io.SEEK_END)
        self.size = stream.tell()
        stream.seek(0)
        self._stream = stream

    def chunks(self, size: int):
        raise NotImplementedError

    @property
    def bytes_read(self) -> int:
        raise NotImplementedError

    def close(self):
        pass


def open_table(source, file_name: str | None = None) -> Table:
    """Open ``source`` (a path or a binary file object) as CSV or XLSX, by its content."""
    if isinstance(source, (str, Path)):
        file_name = file_name or Path(source).name
        stream = open(source, "rb")
    else:
        stream = source
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(XLS_MAGIC):
        stream.close()
        raise FileRejected(N_("This is an old Excel 97-2003 (.xls) file. Save it as .xlsx or as CSV UTF-8."))
    if head.startswith(XLSX_MAGIC):
        return _XlsxTable(stream)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        stream.close()
        raise FileRejected(N_("The file is in UTF-16 (\"Unicode text\"). Save it as \"CSV UTF-8\"."))
    return _CsvTable(stream)


def _first_undecodable_line(stream) -> int:
    """The physical line number of the first line that is not valid UTF-8.

    The text decoder reads ahead of the CSV reader, so the reader's position cannot say
    where the bad bytes are; this runs only when a file has already failed.
    """
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    number = 1
    for number, raw in enumerate(stream, start=1):
        try:
            decoder.decode(raw)
        except UnicodeDecodeError:
            return number
    return number


def _normalise_header(cells) -> list[str]:
    """Lower-case names without surrounding spaces; trailing unnamed columns dropped
    (Excel writes trailing commas, and pads sheets with formatted empty cells)."""
    header = [("" if c is None else str(c)).strip().lower() for c in cells]
    while header and header[-1] == "":
        header.pop()
    return header


class _CsvTable(Table):
    def __init__(self, stream):
        super().__init__(stream)
        self._counter = _CountingReader(stream)
        self._text = io.TextIOWrapper(
            io.BufferedReader(self._counter, 1 << 16), encoding="utf-8-sig", errors="strict", newline=""
        )
        self._reader = csv.reader(self._text, strict=True)
        self._line = 1
        first = (self._read(1) or [None])[0]
        if first is None or not any(c.strip() for c in first):
            raise FileRejected(N_("The file is empty: it has no header row."))
        if len(first) == 1 and ";" in first[0]:
            raise FileRejected(N_("The columns are separated by \";\". Use a comma-separated file (CSV UTF-8)."))
        self.header = _normalise_header(first)

    def _read(self, n: int) -> list[list[str]]:
        """Up to ``n`` records; read errors become a clear FileRejected."""
        try:
            return list(itertools.islice(self._reader, n))
        except UnicodeDecodeError:
            raise FileRejected(
                N_("The file is not UTF-8 (line %(line)d): it may be in a legacy Vietnamese encoding "
                   "(Windows-1258, TCVN3/ABC or VNI). Open it in Excel and save it as \"CSV UTF-8\"."),
                line=_first_undecodable_line(self._stream),
            ) from None
        except csv.Error as exc:
            text = str(exc)
            if "field larger than field limit" in text:
                raise FileRejected(N_("Line %(line)d: a cell is longer than %(limit)d characters."),
                                   line=self._reader.line_num, limit=csv.field_size_limit()) from None
            raise FileRejected(N_("Line %(line)d: the CSV is malformed (%(reason)s)."),
                               line=self._reader.line_num, reason=text) from None

    def chunks(self, size: int):
        # Whole chunks at C speed: one islice per chunk, not one Python call per row.
        while True:
            records = self._read(size)
            if not records:
                return
            start = self._line + 1
            self._line += len(records)
            yield range(start, self._line + 1), records

    @property
    def bytes_read(self) -> int:
        return self._counter.count

    def close(self):
        self._stream.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _XlsxTable(Table):
    def __init__(self, stream):
        from openpyxl import load_workbook
        from zipfile import BadZipFile

        super().__init__(stream)
        try:
            self._wb = load_workbook(stream, read_only=True, data_only=True)
        except (BadZipFile, KeyError, OSError, ValueError) as exc:
            raise FileRejected(N_("The .xlsx file cannot be read (%(reason)s)."), reason=str(exc)) from None
        ws = self._wb.worksheets[0]
        self._rows = ws.iter_rows(values_only=True)
        self._line = 1
        self._done = 0
        first = next(self._rows, None)
        if first is None or not any(_cell_text(c).strip() for c in first):
            raise FileRejected(N_("The file is empty: it has no header row."))
        self.header = _normalise_header(first)
        self._rows_total = max(ws.max_row or 1, 1)

    def chunks(self, size: int):
        while True:
            records = [[_cell_text(c) for c in row] for row in itertools.islice(self._rows, size)]
            if not records:
                return
            start = self._line + 1
            self._line += len(records)
            self._done = self._line
            yield range(start, self._line + 1), records

    @property
    def bytes_read(self) -> int:
        # Progress by rows, scaled to the file size.
        return int(self.size * min(1.0, self._done / self._rows_total))

    def close(self):
        self._wb.close()
        self._stream.close()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would run as a formula (=, +, -, @, a tab or a carriage
    return first), behind an apostrophe (OWASP, "CSV injection"); anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
