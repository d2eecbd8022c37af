"""A nominee list as the Home Affairs office files it: "Danh sách đề nghị khen thưởng".

- XLSX (openpyxl): one sheet, the title, then collectives, individuals and families in
  separate tables titled in Vietnamese (STT, name, position and unit, summary of
  achievements, form of commendation, then the code and the rank), column widths, wrapped
  text, A4 landscape print set-up fitted to the page width.
- PDF (fpdf2): the same tables on A4 landscape, in Be Vietnam Pro (``drawing``), header
  rows repeated on every page, pages numbered.
- CSV: UTF-8 with a BOM (Excel then reads Vietnamese right), one row per nominee in list
  order, with the columns of SPEC §5.

Text that a spreadsheet would run as a formula is neutralised in every format that a
spreadsheet opens (``web.spreadsheets``: ``csv_writer``, ``xlsx_bytes``).
"""
import io

from emulation.clock import as_date
from web.spreadsheets import csv_writer, xlsx_bytes

from .documents import FONT, new_pdf, print_a4_landscape
from .nominees import SECTIONS

CSV_COLUMNS = ("STT", "Họ và tên / Tên tập thể", "Chức vụ / Đơn vị", "Tóm tắt thành tích", "Hình thức khen thưởng",
               "section", "code", "rank")
TITLE = "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"
SECTION_TITLES = {"collective": "I. TẬP THỂ", "individual": "II. CÁ NHÂN", "family": "III. GIA ĐÌNH"}
NAME_HEADERS = {"collective": "Tên tập thể", "individual": "Họ và tên", "family": "Tên hộ gia đình"}
HEADERS = ("STT", None, "Chức vụ, đơn vị", "Tóm tắt thành tích", "Hình thức khen thưởng", "Mã", "Hạng")
WIDTHS = (6, 30, 34, 62, 28, 16, 8)  # characters (XLSX)
PDF_WIDTHS = (10, 48, 52, 104, 44, 19)  # millimetres; A4 landscape less margins is 277 mm
STATUS = {"draft": "bản nháp", "frozen": "đã chốt"}


def _subtitle(campaign, lst) -> str:
    return (f"{campaign.name} — số liệu tính đến ngày {as_date(lst.as_of).strftime('%d/%m/%Y')}; "
            f"phiên bản {lst.version} ({STATUS[lst.status]})")


NONE = "Không có đề nghị."


def _sections(entries):
    """Every section, in order, with its rows (an official list shows the empty ones too)."""
    for section in SECTIONS:
        yield section, [e for e in entries if e.section == section]


def to_csv(entries) -> bytes:
    out = io.StringIO()
    w = csv_writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for e in entries:
        w.writerow([e.position, e.name, e.role_unit, e.summary, e.award_form, e.section, e.code,
                    "" if e.rank is None else e.rank])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(campaign, lst, entries) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách đề nghị"
    last = get_column_letter(len(HEADERS))
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append([TITLE])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([_subtitle(campaign, lst)])
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].alignment = Alignment(horizontal="center", wrap_text=True)
    for section, rows in _sections(entries):
        ws.append([])
        ws.append([SECTION_TITLES[section]])
        ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
        if not rows:
            ws.append([NONE])
            continue
        ws.append([NAME_HEADERS[section] if h is None else h for h in HEADERS])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = box
        for e in rows:
            ws.append([e.position, e.name, e.role_unit, e.summary, e.award_form, e.code, e.rank])
            for cell in ws[ws.max_row]:
                cell.alignment = wrap
                cell.border = box
    print_a4_landscape(ws, WIDTHS)
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "Trang &P / &N"
    return xlsx_bytes(wb)


def to_pdf(campaign, lst, entries) -> bytes:
    from fpdf.fonts import FontFace

    pdf = new_pdf(TITLE, "L")
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 8, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 5, _subtitle(campaign, lst), align="C", new_x="LMARGIN", new_y="NEXT")
    for section, rows in _sections(entries):
        pdf.ln(4)
        pdf.set_font(FONT, "B", 11)
        pdf.cell(0, 7, SECTION_TITLES[section], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 9)
        if not rows:
            pdf.cell(0, 6, NONE, new_x="LMARGIN", new_y="NEXT")
            continue
        with pdf.table(col_widths=PDF_WIDTHS, text_align=("CENTER", "LEFT", "LEFT", "LEFT", "LEFT", "CENTER"),
                       line_height=4.5, repeat_headings=1, headings_style=FontFace(emphasis="BOLD"),
                       first_row_as_headings=True) as table:
            header = table.row()
            for h in (*HEADERS[:1], NAME_HEADERS[section], *HEADERS[2:5], "Hạng"):
                header.cell(h)
            for e in rows:
                row = table.row()
                for value in (e.position, e.name, e.role_unit, e.summary, e.award_form, e.rank):
                    row.cell("" if value is None else str(value))
    return bytes(pdf.output())


FORMATS = {"csv": ("text/csv", lambda c, l, e: to_csv(e)), "xlsx": (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx), "pdf": ("application/pdf", to_pdf)}


def export(fmt: str, campaign, lst, entries) -> bytes:
    return FORMATS[fmt][1](campaign, lst, entries)
