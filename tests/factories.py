"""Factories for the tests: a small Lai Châu province as import rows, and writers for the
CSV and XLSX files that the importers read.

Rows are dicts (column -> value). A value may be a string, an int, a ``date`` or
``None`` (an empty cell); the CSV writer turns everything into text, the XLSX writer keeps
the types (so dates become real date cells and numbers integer cells).
"""
import csv
import io
from datetime import date, datetime
from pathlib import Path

# "Today" for every import that is not about the real clock: dates after it are in the future.
TODAY = date(2025, 10, 15)

KINDS = ("units", "households", "people", "mentorships", "skills", "completions", "activities")
DATED_KINDS = {"mentorships": "started_on", "completions": "completed_on", "activities": "occurred_on"}
REQUIRED_COLUMNS = {
    "units": ("code", "name", "kind"),
    "households": ("code", "unit_code"),
    "people": ("external_id", "full_name", "group", "unit_code"),
    "mentorships": ("mentor_id", "mentee_id", "started_on"),
    "skills": ("code", "name", "domain", "level", "points"),
    "completions": ("person_id", "skill_code", "completed_on", "source"),
    "activities": ("person_id", "kind", "occurred_on"),
}
# The key column of each kind, as written in the file.
KEY_COLUMNS = {
    "units": ("code",),
    "households": ("code",),
    "people": ("external_id",),
    "mentorships": ("mentor_id", "mentee_id"),
    "skills": ("code",),
    "completions": ("person_id", "skill_code"),
    "activities": ("person_id", "kind", "occurred_on"),
}

# National ids (12 digits; the leading 0 is what Excel loses when the column is a number).
NID_P1 = "012345678901"
NID_P4 = "001122334455"
NID_P5 = "098765432109"
NID_FREE = "079204001234"

# ----------------------------------------------------------------------------- the seed
# Imported (through the real importers) by ``imports.seed()``: the base every test builds on.

SEED_UNITS = [
    {"code": "LC", "name": "Tỉnh Lai Châu", "kind": "province", "parent_code": None},
    {"code": "TP", "name": "Phường Tân Phong", "kind": "ward", "parent_code": "LC",
     "headcount_cadre": 40, "headcount_citizen": 900},
    {"code": "BL", "name": "Bản Làng", "kind": "village", "parent_code": "TP"},
    {"code": "THCS", "name": "Trường THCS Tân Phong", "kind": "school", "parent_code": "TP",
     "headcount_student": 300},
]
SEED_HOUSEHOLDS = [
    {"code": "H1", "unit_code": "BL", "head_name": "Lò Văn Páo"},
    {"code": "H2", "unit_code": "BL", "head_name": "Tẩn Thị Mai"},
]
SEED_PEOPLE = [
    {"external_id": "P1", "full_name": "Nguyễn Văn An", "group": "cadre", "unit_code": "TP",
     "household_code": None, "birth_year": 1980, "gender": "M", "national_id": NID_P1,
     "party_member": 1, "position": "Chủ tịch UBND phường", "eligible": 1},
    {"external_id": "P2", "full_name": "Lò Thị Bình", "group": "citizen", "unit_code": "BL",
     "household_code": "H1", "birth_year": 1990, "gender": "F", "national_id": None,
     "party_member": 0, "position": None, "eligible": 1},
    {"external_id": "P3", "full_name": "Giàng A Chứ", "group": "student", "unit_code": "THCS",
     "household_code": None, "birth_year": 2011, "gender": "M", "national_id": None,
     "party_member": 0, "position": None, "eligible": 1},
    {"external_id": "P4", "full_name": "Tẩn Văn Dũng", "group": "citizen", "unit_code": "BL",
     "household_code": "H2", "birth_year": 1975, "gender": "M", "national_id": NID_P4,
     "party_member": 0, "position": "Trưởng bản", "eligible": 1},
]
SEED_SKILLS = [
    {"code": "S1", "name": "Sử dụng điện thoại thông minh", "domain": "thiet_bi", "level": 1, "points": 10,
     "required_for": "cadre;citizen"},
    {"code": "S2", "name": "Tìm kiếm thông tin", "domain": "thong_tin", "level": 2, "points": 20,
     "required_for": "student"},
    {"code": "S3", "name": "An toàn trên mạng", "domain": "an_toan", "level": 3, "points": 0,
     "required_for": None},
]
SEED = {"units": SEED_UNITS, "households": SEED_HOUSEHOLDS, "people": SEED_PEOPLE, "skills": SEED_SKILLS}

# ----------------------------------------------------------------------------- new rows
# Four valid rows of each kind, all new on top of the seed (they reference seeded records).

NEW = {
    "units": [
        {"code": "U1", "name": "Bản Nà Khum", "kind": "village", "parent_code": "TP", "bracket": None,
         "headcount_citizen": 120},
        {"code": "U2", "name": "Lớp 6A", "kind": "class", "parent_code": "THCS", "bracket": None,
         "headcount_student": 35},
        {"code": "U3", "name": "Tổ dân phố 3", "kind": "residential_group", "parent_code": "TP",
         "bracket": "village", "headcount_citizen": 200},
        # Its parent is in the same file.
        {"code": "U4", "name": "Nhóm Nà Khum trên", "kind": "other", "parent_code": "U1", "bracket": None,
         "headcount_citizen": 10},
    ],
    "households": [
        {"code": "H3", "unit_code": "BL", "head_name": "Lò Văn Sáng"},
        {"code": "H4", "unit_code": "BL", "head_name": "Vàng Thị Dợ"},
        {"code": "H5", "unit_code": "TP", "head_name": "Trần Văn Hải"},
        {"code": "H6", "unit_code": "TP", "head_name": None},
    ],
    "people": [
        {"external_id": "P5", "full_name": "Lò Văn Sáng", "group": "citizen", "unit_code": "BL",
         "household_code": "H1", "birth_year": 1968, "gender": "M", "national_id": NID_P5, "party_member": 0,
         "position": None, "eligible": 1},
        {"external_id": "P6", "full_name": "Vàng Thị Dợ", "group": "worker", "unit_code": "TP",
         "household_code": None, "birth_year": 1995, "gender": "F", "national_id": None, "party_member": 0,
         "position": "Công nhân", "eligible": 1},
        {"external_id": "P7", "full_name": "Hoàng Văn Tuấn", "group": "cadre", "unit_code": "TP",
         "household_code": None, "birth_year": 1985, "gender": "M", "national_id": None, "party_member": 1,
         "position": "Phó chủ tịch", "eligible": 0},
        {"external_id": "P8", "full_name": "Giàng Thị Mỷ", "group": "student", "unit_code": "THCS",
         "household_code": "H2", "birth_year": 2012, "gender": "F", "national_id": None, "party_member": 0,
         "position": None, "eligible": 1},
    ],
    "mentorships": [
        {"mentor_id": "P1", "mentee_id": "P2", "started_on": date(2025, 3, 10)},
        {"mentor_id": "P1", "mentee_id": "P3", "started_on": date(2025, 3, 11)},
        {"mentor_id": "P1", "mentee_id": "P4", "started_on": date(2025, 4, 1)},
        {"mentor_id": "P2", "mentee_id": "P4", "started_on": date(2025, 5, 20)},
    ],
    "skills": [
        {"code": "S4", "name": "Dịch vụ công trực tuyến", "domain": "giao_tiep", "level": 2, "points": 15,
         "required_for": "cadre;worker"},
        {"code": "S5", "name": "Thanh toán không dùng tiền mặt", "domain": "giao_dich", "level": 2, "points": 10,
         "required_for": None},
        {"code": "S6", "name": "Tạo nội dung số", "domain": "sang_tao", "level": 4, "points": 30,
         "required_for": None},
        {"code": "S7", "name": "Giải quyết vấn đề", "domain": "giai_quyet", "level": 8, "points": 0,
         "required_for": "citizen"},
    ],
    "completions": [
        {"person_id": "P1", "skill_code": "S1", "completed_on": date(2025, 3, 15), "source": "mooc",
         "reference": "MOOC-001"},
        {"person_id": "P1", "skill_code": "S2", "completed_on": date(2025, 4, 2), "source": "assessment",
         "reference": None},
        {"person_id": "P2", "skill_code": "S1", "completed_on": date(2025, 5, 5), "source": "session",
         "reference": "Buổi học bản Làng"},
        {"person_id": "P3", "skill_code": "S2", "completed_on": date(2025, 6, 1), "source": "vneid",
         "reference": None},
    ],
    "activities": [
        {"person_id": "P1", "kind": "vneid_level2", "occurred_on": date(2025, 4, 1), "reference": "VNEID-1"},
        {"person_id": "P2", "kind": "festival", "occurred_on": date(2025, 5, 2), "reference": None},
        {"person_id": "P2", "kind": "festival", "occurred_on": date(2025, 6, 2), "reference": None},
        {"person_id": "P3", "kind": "learning_session", "occurred_on": date(2025, 7, 7), "reference": "Lớp tối"},
    ],
}

# One bad row per kind (a cell-level error) and the column it is bad in.
BAD = {
    "units": ({"code": "U9", "name": "Sai", "kind": "castle", "parent_code": "TP"}, "kind"),
    "households": ({"code": "H9", "unit_code": "NOPE", "head_name": "Sai"}, "unit_code"),
    "people": ({"external_id": "P9", "full_name": "Sai", "group": "farmer", "unit_code": "BL"}, "group"),
    "mentorships": ({"mentor_id": "P1", "mentee_id": "NOPE", "started_on": date(2025, 5, 1)}, "mentee_id"),
    "skills": ({"code": "S9", "name": "Sai", "domain": "x", "level": 9, "points": 1}, "level"),
    "completions": ({"person_id": "P4", "skill_code": "S1", "completed_on": date(2025, 5, 1), "source": "web"},
                    "source"),
    "activities": ({"person_id": "P4", "kind": "karaoke", "occurred_on": date(2025, 5, 1)}, "kind"),
}

# The domain tables each kind writes to.
TABLE_OF = {kind: kind for kind in KINDS}


def header_of(rows: list[dict]) -> list[str]:
    """The union of the rows' columns, in first-seen order."""
    header: list[str] = []
    for row in rows:
        for k in row:
            if k not in header:
                header.append(k)
    return header


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_bytes(rows: list[dict], header: list[str] | None = None, *, bom: bool = False,
              delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """CSV text of ``rows`` (every cell as text, dates as ISO)."""
    header = header if header is not None else header_of(rows)
    out = io.StringIO(newline="")
    w = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow([cell_text(row.get(k)) for k in header])
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None, **kw) -> Path:
    path.write_bytes(csv_bytes(rows, header, **kw))
    return path


def write_xlsx(path: Path, rows: list[dict], header: list[str] | None = None) -> Path:
    """First sheet with ``header`` and typed cells (dates as date cells, numbers as numbers)."""
    from openpyxl import Workbook

    header = header if header is not None else header_of(rows)
    wb = Workbook()
    ws = wb.active
    ws.title = "Dữ liệu"
    ws.append(header)
    for row in rows:
        ws.append([_xlsx_value(row.get(k)) for k in header])
    # A second sheet that must be ignored.
    wb.create_sheet("Ghi chú").append(["this sheet is not read"])
    wb.save(path)
    return path


def _xlsx_value(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def with_dates(rows: list[dict], fmt) -> list[dict]:
    """``rows`` with every date value rewritten by ``fmt(date) -> str``."""
    return [{k: fmt(v) if isinstance(v, date) else v for k, v in row.items()} for row in rows]


def dmy(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def d_m_y(d: date) -> str:
    return f"{d.day}/{d.month}/{d.year}"


def to_cp1258(text: str) -> bytes:
    """``text`` as a Windows-1258 file: precomposed letters where the code page has them
    (â, ê, ô, ơ, ư, đ, ...), tone marks as combining characters (the way Windows writes it)."""
    import unicodedata

    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        # Fold into the base every mark the code page has precomposed (ô, ơ, ư, â, ê, ă);
        # the tone marks stay combining, e.g. ệ = ê + dot below.
        folded = True
        while folded:
            folded = False
            for mark in marks:
                composed = unicodedata.normalize("NFC", base + mark)
                if len(composed) == 1 and _in_cp1258(composed):
                    base, folded = composed, True
                    marks.remove(mark)
                    break
        out += (base + "".join(marks)).encode("cp1258")
    return bytes(out)


def _in_cp1258(ch: str) -> bool:
    try:
        ch.encode("cp1258")
        return True
    except UnicodeEncodeError:
        return False
