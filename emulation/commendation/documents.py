"""What the official documents (nominee lists, progress reports) share: an A4 PDF in Be
Vietnam Pro (``drawing``) with numbered pages."""
from web.drawing import FONT_FILES

FONT = "BeVietnamPro"


def new_pdf(title: str, orientation: str = "P"):
    """An A4 fpdf2 document, fonts registered, margins set, pages numbered in the footer."""
    from fpdf import FPDF

    class Document(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font(FONT, "", 8)
            self.cell(0, 8, f"Trang {self.page_no()}/{{nb}}", align="C")

    pdf = Document(orientation=orientation, format="A4")
    pdf.set_title(title)
    pdf.set_creator("Thi Đua Số")
    pdf.add_font(FONT, "", str(FONT_FILES["regular"]))
    pdf.add_font(FONT, "B", str(FONT_FILES["bold"]))
    pdf.set_margins(10 if orientation == "L" else 12, 12, 10 if orientation == "L" else 12)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    return pdf


def print_a4_landscape(ws, widths) -> None:
    """An openpyxl sheet's column widths (characters) and its print set-up: A4 landscape,
    fitted to the page's width, as many pages down as it takes, centred."""
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
