"""A progress report as filed with the province: XLSX (tables and a bar chart of the
communes' coverage, openpyxl) and PDF (A4, the same tables and the chart drawn as bars,
fpdf2 with Be Vietnam Pro). The texts are the official Vietnamese ones."""
from web.spreadsheets import xlsx_bytes

from .documents import FONT, new_pdf, print_a4_landscape
from .reports import Report

GROUP_NAMES = {"cadre": "Cán bộ, công chức, viên chức", "student": "Học sinh, sinh viên",
               "worker": "Công nhân, người lao động", "citizen": "Người dân"}
TITLE = "BÁO CÁO TIẾN ĐỘ PHONG TRÀO \"BÌNH DÂN HỌC VỤ SỐ\""


def period_label(code: str) -> str:
    if "-Q" in code:
        return f"Quý {code[-1]} năm {code[:4]}"
    if "-H" in code:
        return f"6 tháng {'đầu' if code.endswith('1') else 'cuối'} năm {code[:4]}"
    return f"Năm {code}"


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def _num(value) -> str:
    return "—" if value is None else f"{value:,}".replace(",", ".")


def _points(now, before) -> str:
    """The change of a share, in percentage points."""
    if now is None or before is None:
        return "—"
    return f"{(now - before) * 100:+.1f} điểm %".replace(".", ",")


def _delta(now: int, before: int) -> str:
    return f"{now - before:+,}".replace(",", ".")


def subtitle(r: Report) -> str:
    return (f"{r.campaign.name} — {period_label(r.period.code)} (số liệu tính đến ngày {r.as_of.strftime('%d/%m/%Y')}; "
            f"so sánh với {period_label(r.previous.code).lower()})")


def group_rows(r: Report) -> list[list]:
    """The province by target group: denominator, universalized, coverage, target, met, change."""
    p = r.province
    rows = []
    for g in r.groups:
        share = p.share(g)
        target = r.targets.get(g)
        rows.append([GROUP_NAMES.get(g, g), _num(p.d.get(g, 0)), _num(p.n[g]), _pct(share), _pct(target),
                     "Đạt" if share is not None and target is not None and share >= target else "Chưa đạt",
                     _delta(p.n[g], p.before[g]), _points(share, p.share(g, before=True))])
    total = p.share()
    rows.append(["Tổng", _num(sum(p.d.values())), _num(sum(p.n[g] for g in r.groups)), _pct(total), "", "",
                 _delta(sum(p.n[g] for g in r.groups), sum(p.before[g] for g in r.groups)),
                 _points(total, p.share(before=True))])
    return rows


GROUP_HEADERS = ("Nhóm đối tượng", "Số người (mẫu số)", "Đã đạt phổ cập", "Tỷ lệ", "Chỉ tiêu", "Đánh giá",
                 "Tăng so với kỳ trước", "Thay đổi tỷ lệ")


def key_rows(r: Report) -> list[list]:
    return [
        ["Người dân (trừ học sinh, sinh viên) đạt phổ cập", _num(r.certified),
         _num(r.certified_target) if r.certified_target is not None else "—", _delta(r.certified, r.certified_before)],
        ["Gia đình số", _num(r.province.families), "—", _delta(r.province.families, r.province.families_before)],
        [f"Đại sứ số (kèm cặp từ {r.ambassador_mentees} người đạt phổ cập)", _num(r.ambassadors), "—",
         _delta(r.ambassadors, r.ambassadors_before)],
    ]


KEY_HEADERS = ("Chỉ số", "Kết quả", "Chỉ tiêu", "Tăng so với kỳ trước")


def commune_headers(r: Report) -> list[str]:
    return ["STT", "Xã, phường", "Tỷ lệ phổ cập", *(GROUP_NAMES.get(g, g) for g in r.groups), "Đạt chỉ tiêu",
            "Thay đổi tỷ lệ", "Gia đình số"]


def commune_rows(r: Report) -> list[list]:
    return [[i, c.name, _pct(c.share()), *(_pct(c.share(g)) for g in r.groups),
             "Đạt" if c.meets(r.targets) and sum(c.d.values()) else "Chưa đạt",
             _points(c.share(), c.share(before=True)), _num(c.families)]
            for i, c in enumerate(r.communes, start=1)]


def to_xlsx(r: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    def table(title, headers, rows):
        ws.append([])
        ws.append([title])
        ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
        ws.append(list(headers))
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
            cell.border = box
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                cell.border = box

    ws.append([TITLE])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([subtitle(r)])
    table("I. TỶ LỆ PHỔ CẬP KỸ NĂNG SỐ THEO NHÓM ĐỐI TƯỢNG (TOÀN TỈNH)", GROUP_HEADERS, group_rows(r))
    table("II. CÁC CHỈ SỐ CHÍNH", KEY_HEADERS, key_rows(r))
    table("III. THEO XÃ, PHƯỜNG", commune_headers(r), commune_rows(r))
    print_a4_landscape(ws, (30, 16, 16, 12, 12, 12, 16, 16, 14, 14))

    # The chart: each commune's coverage, from a data sheet of plain numbers.
    data = wb.create_sheet("Số liệu biểu đồ")
    data.append(["Xã, phường", "Tỷ lệ phổ cập (%)", "Kỳ trước (%)"])
    for c in r.communes:
        now, before = c.share(), c.share(before=True)
        data.append([c.name, round(now * 100, 1) if now is not None else None,
                     round(before * 100, 1) if before is not None else None])
    if r.communes:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Tỷ lệ phổ cập kỹ năng số theo xã, phường (%)"
        chart.y_axis.title = "%"
        chart.height = max(8, 0.6 * len(r.communes))
        chart.width = 18
        chart.add_data(Reference(data, min_col=2, max_col=3, min_row=1, max_row=len(r.communes) + 1),
                       titles_from_data=True)
        chart.set_categories(Reference(data, min_col=1, min_row=2, max_row=len(r.communes) + 1))
        ws.add_chart(chart, f"A{ws.max_row + 3}")
    return xlsx_bytes(wb)


def to_pdf(r: Report) -> bytes:
    from fpdf.fonts import FontFace

    pdf = new_pdf(TITLE)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 7, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(0, 5, subtitle(r), align="C", new_x="LMARGIN", new_y="NEXT")

    def table(title, headers, rows, widths):
        pdf.ln(3)
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 7.5)
        with pdf.table(col_widths=widths, line_height=4, repeat_headings=1,
                       headings_style=FontFace(emphasis="BOLD")) as t:
            for row in [headers, *rows]:
                cells = t.row()
                for value in row:
                    cells.cell(str(value))

    table("I. Tỷ lệ phổ cập kỹ năng số theo nhóm đối tượng (toàn tỉnh)", GROUP_HEADERS, group_rows(r),
          (40, 20, 18, 14, 14, 16, 22, 22))
    table("II. Các chỉ số chính", KEY_HEADERS, key_rows(r), (80, 30, 30, 40))
    headers = commune_headers(r)
    table("III. Theo xã, phường", headers, commune_rows(r),
          (8, 40, 18, *([16] * len(r.groups)), 16, 20, 16))
    _bars(pdf, r)
    return bytes(pdf.output())


def _bars(pdf, r: Report) -> None:
    """Each commune's coverage now (dark) and at the end of the previous period (light)."""
    if not r.communes:
        return
    pdf.add_page()
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(0, 6, "IV. Biểu đồ: tỷ lệ phổ cập kỹ năng số theo xã, phường", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 7)
    label_w, bar_w, row_h = 50, pdf.epw - 50 - 16, 5
    for c in r.communes:
        if pdf.will_page_break(row_h + 1):
            pdf.add_page()
        y = pdf.get_y() + 1
        now, before = c.share() or 0, c.share(before=True) or 0
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label_w - 2, row_h, c.name[:40], align="R")
        pdf.set_fill_color(206, 229, 220)
        pdf.rect(pdf.l_margin + label_w, y + 0.5, bar_w * min(before, 1), row_h - 1, style="F")
        pdf.set_fill_color(11, 83, 69)
        pdf.rect(pdf.l_margin + label_w, y + 1.5, bar_w * min(now, 1), row_h - 3, style="F")
        pdf.set_xy(pdf.l_margin + label_w + bar_w * min(now, 1) + 1, y)
        pdf.cell(15, row_h, _pct(c.share()))
        pdf.set_y(y + row_h)
    pdf.ln(3)
    pdf.cell(0, 5, "Thanh đậm: kỳ này; thanh nhạt: kỳ trước.", new_x="LMARGIN", new_y="NEXT")


FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


def export(fmt: str, report: Report) -> bytes:
    return {"xlsx": to_xlsx, "pdf": to_pdf}[fmt](report)
