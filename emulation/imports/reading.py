"""Reading import files: CSV (UTF-8, with or without BOM) and .xlsx (first sheet).
(Writing: ``web.spreadsheets``.)

Both readers yield the same thing: a normalised header and chunks ``(lines, records)``
where each record is a list of strings and ``lines`` their line numbers, so that one
validator serves both formats. Line numbers are the row numbers a user sees in Excel
(header = line 1).

Memory is bounded whatever the file: a chunk ends at ``size`` rows or at CHUNK_CHARS
characters, a row keeps at most MAX_EXTRA_CELLS cells beyond the header, and an .xlsx
file is inspected before openpyxl parses anything (``check_xlsx``: members, their
uncompressed sizes and compression ratios, the count of shared strings, the longest text).
"""
import codecs
import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

from web.i18n import N_, Message

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"

# A chunk of rows holds at most this many characters (besides ``size`` rows): a file of
# a few very long rows is read in small chunks.
CHUNK_CHARS = 4_000_000
# Cells kept beyond the header's columns (enough to report "too many cells"; a row of a
# million commas must not become a million strings).
MAX_EXTRA_CELLS = 100
# The .xlsx limits (checked on the zip's directory and by one streaming pass over the
# sheets and the shared strings, before openpyxl reads anything).
XLSX_LIMITS = dict(
    members=1_000,             # files inside the zip
    sheet_bytes=512 * 2**20,   # uncompressed size of one worksheet (streamed by openpyxl)
    strings_bytes=64 * 2**20,  # uncompressed sharedStrings.xml (held whole by openpyxl)
    strings=1_000_000,         # shared strings
    other_bytes=8 * 2**20,     # any other member (styles, workbook, relations, ...)
    ratio=100,                 # uncompressed / compressed, for members above 1 MB
    text_bytes=256 * 2**10,    # longest text between two tags (Excel's own cell limit is
                               # 32,767 characters, at most 8 bytes each once escaped)
)


class FileRejected(Exception):
    """The file as a whole cannot be read (encoding, format, header)."""

    def __init__(self, msgid: str, **params):
        # Bounded: the message is kept in reports (a header cell can be a gigabyte long).
        params = {k: v if not isinstance(v, str) or len(v) <= 500 else v[:500] + "…" for k, v in params.items()}
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
        self._width = None  # cells kept per row: set once the header is known
        first = (self._read(1) or [None])[0]
        if first is None or not any(c.strip() for c in first):
            raise FileRejected(N_("The file is empty: it has no header row."))
        if len(first) == 1 and ";" in first[0]:
            raise FileRejected(N_("The columns are separated by \";\". Use a comma-separated file (CSV UTF-8)."))
        self.header = _normalise_header(first)
        self._width = len(self.header) + MAX_EXTRA_CELLS

    def _read(self, n: int) -> list[list[str]]:
        """Up to ``n`` records (fewer once CHUNK_CHARS bytes are read); read errors become a
        clear FileRejected."""
        out, width = [], self._width
        budget = self._counter.count + CHUNK_CHARS
        try:
            for record in self._reader:
                out.append(record if width is None or len(record) <= width else _cut(record, width))
                if len(out) >= n or self._counter.count > budget:
                    break
            return out
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


def _cut(record: list, width: int) -> list:
    """A row cut to ``width`` cells (a row longer than the header is an error anyway)."""
    return record[:width]


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

        super().__init__(stream)
        check_xlsx(stream)
        stream.seek(0)
        try:
            self._wb = load_workbook(stream, read_only=True, data_only=True)
            ws = self._wb.worksheets[0]
            first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), None)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError, SyntaxError) as exc:
            # The reason, not openpyxl's sentence: that one names the server's path of the file.
            raise FileRejected(N_("The .xlsx file cannot be read (%(reason)s)."),
                               reason=_reason(exc.__cause__ or exc, stream)) from None
        if first is None or not any(_cell_text(c).strip() for c in first):
            raise FileRejected(N_("The file is empty: it has no header row."))
        self.header = _normalise_header(first)
        # Rows are cut to the header's width plus one cell (enough to reject a row too long):
        # a sheet whose dimension claims column XFD must not pad every row to 16,384 cells.
        self._rows = ws.iter_rows(min_row=2, max_col=len(self.header) + 1, values_only=True)
        self._line = 1
        self._done = 0
        self._rows_total = max(ws.max_row or 1, 1)

    def chunks(self, size: int):
        while True:
            records, chars = [], 0
            for row in self._rows:
                record = [_cell_text(c) for c in row]
                records.append(record)
                chars += sum(map(len, record))
                if len(records) >= size or chars > CHUNK_CHARS:
                    break
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


def _reason(exc: BaseException, stream) -> str:
    """An exception's text for a user: without the server's path of the file, and short."""
    text = str(exc) or type(exc).__name__
    name = getattr(stream, "name", None)
    if isinstance(name, str) and name:
        text = text.replace(name, "…")
    text = re.sub(r"(?:/[^\s/'\"]+){2,}/?", "…", text)  # any other absolute path
    return text if len(text) <= 200 else text[:200] + "…"


_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


def check_xlsx(stream) -> None:
    """Refuse an .xlsx file that would take unbounded memory or time to open: too many
    members, a member too large once uncompressed or compressed too well (a "zip bomb"),
    too many shared strings, or a text longer than a cell can hold. Reads the zip's
    directory, then streams the worksheets and the shared strings once (constant memory)."""
    limits = XLSX_LIMITS
    stream.seek(0)
    end = zipfile._EndRecData(stream)  # the directory's size, before zipfile reads it whole
    if end is None:
        raise FileRejected(N_("The .xlsx file cannot be read (%(reason)s)."), reason="not a zip file")
    if end[zipfile._ECD_ENTRIES_TOTAL] > limits["members"]:
        raise FileRejected(N_("The .xlsx file has %(count)s parts inside; at most %(limit)s are accepted."),
                           count=end[zipfile._ECD_ENTRIES_TOTAL], limit=limits["members"])
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected(N_("The .xlsx file cannot be read (%(reason)s)."), reason=_reason(exc, stream)) from None
    with archive:
        scans = []
        for info in archive.infolist():
            name = info.filename.lower()
            if name.endswith("sharedstrings.xml"):
                limit, what = limits["strings_bytes"], "strings"
            elif name.startswith("xl/worksheets/") and name.endswith(".xml"):
                limit, what = limits["sheet_bytes"], "sheet"
            else:
                limit, what = limits["other_bytes"], None
            if info.file_size > limit:
                raise FileRejected(
                    N_("The .xlsx file is too large once uncompressed (%(part)s: %(size)s MB; at most %(limit)s MB). "
                       "Save it as CSV UTF-8, or split it."),
                    part=_part(info.filename), size=info.file_size // 2**20, limit=limit // 2**20)
            if info.file_size > 2**20 and info.file_size > limits["ratio"] * max(info.compress_size, 1):
                raise FileRejected(
                    N_("The .xlsx file is compressed %(ratio)s times (%(part)s); at most %(limit)s times is accepted "
                       "(a file built to exhaust the server's memory looks like this)."),
                    part=_part(info.filename), ratio=info.file_size // max(info.compress_size, 1),
                    limit=limits["ratio"])
            if what:
                scans.append((info, what))
        for info, what in scans:
            _scan_member(archive, info, what)


def _part(name: str) -> str:
    return name if len(name) <= 80 else name[:80] + "…"


def _scan_member(archive, info, what: str) -> None:
    """Stream one member: its true uncompressed size (the directory may lie), its longest
    run of text between two tags and, for the shared strings, their count."""
    limits = XLSX_LIMITS
    size_limit = limits["strings_bytes" if what == "strings" else "sheet_bytes"]
    longest = limits["text_bytes"]
    size = run = strings = 0
    tail = b""
    with archive.open(info) as member:
        while block := member.read(1 << 20):
            size += len(block)
            if size > size_limit:
                raise FileRejected(
                    N_("The .xlsx file is too large once uncompressed (%(part)s: %(size)s MB; at most %(limit)s MB). "
                       "Save it as CSV UTF-8, or split it."),
                    part=_part(info.filename), size=size // 2**20, limit=size_limit // 2**20)
            first = block.find(b"<")
            if first < 0:
                run += len(block)
            else:
                run = max(run + first, max(map(len, block[first:].split(b"<"))))
                if run <= longest:
                    run = len(block) - block.rfind(b"<") - 1  # carried into the next block
            if run > longest:
                raise FileRejected(N_("The .xlsx file has a text longer than a cell can hold (%(part)s)."),
                                   part=_part(info.filename))
            if what == "strings":
                window = tail + block
                strings += len(_SHARED_STRING.findall(window))
                if strings > limits["strings"]:
                    raise FileRejected(
                        N_("The .xlsx file has more than %(limit)s different texts; save it as CSV UTF-8, or split it."),
                        limit=limits["strings"])
                # The last bytes are read again with the next block: what starts there counts then.
                tail = window[max(0, len(window) - 64):]
                strings -= len(_SHARED_STRING.findall(tail))
