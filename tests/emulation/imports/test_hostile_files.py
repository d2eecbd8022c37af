"""Hostile import files (issue 13, items 6, 7, 9, 14, 19): decompression bombs and huge
cells are refused before they are parsed, reports keep bounded values with masked
national ids, rows held until the end of a file are capped, no server path is shown."""
import csv
import io
import re
import stat
import zipfile

from emulation.imports import reading as tabular
from web import spreadsheets
from tests import factories as f
from tests import hostile
from tests.checks import describe

HOUSEHOLDS = ["code", "unit_code", "head_name"]
GOOD = [["H3", "BL", "Lò Văn Sáng"], ["H4", "BL", "Vàng Thị Dợ"]]


def refused(report, fragment: str) -> None:
    assert report.file_error is not None and fragment in report.file_error.msgid, describe(report)
    assert not report.committed


def test_the_hand_made_workbook_imports(world, tmp_path, probe):
    """The generator's workbook is a real one: without anything hostile, it imports."""
    path = hostile.xlsx(tmp_path / "ok.xlsx", HOUSEHOLDS, GOOD, shared_strings=["a", "b"])
    report = world.run("households", path)
    assert report.ok and report.committed and report.rows_in == 2, describe(report)


def test_a_giant_shared_string_is_refused_before_parsing(world, tmp_path, probe):
    # 80 MB of one text, compressed to a few kilobytes (the review's 1.5 GB one, smaller).
    path = hostile.xlsx(tmp_path / "bomb.xlsx", HOUSEHOLDS, GOOD, giant_string=80 * 2**20)
    assert path.stat().st_size < 2**20
    before = probe.snapshot()
    refused(world.run("households", path), "too large once uncompressed")
    assert probe.snapshot() == before


def test_millions_of_shared_strings_compressed_are_refused(world, tmp_path):
    path = hostile.xlsx(tmp_path / "bomb.xlsx", HOUSEHOLDS, GOOD, shared_strings=("a" for _ in range(2_000_000)))
    assert path.stat().st_size < 2**20
    refused(world.run("households", path), "compressed %(ratio)s times")


def test_too_many_shared_strings_are_refused_even_uncompressed(world, tmp_path):
    path = hostile.xlsx(tmp_path / "many.xlsx", HOUSEHOLDS, GOOD, compression=zipfile.ZIP_STORED,
                        shared_strings=(str(i % 10) for i in range(tabular.XLSX_LIMITS["strings"] + 1)))
    refused(world.run("households", path), "different texts")


def test_a_cell_longer_than_excel_allows_is_refused(world, tmp_path):
    path = hostile.xlsx(tmp_path / "cell.xlsx", HOUSEHOLDS, GOOD, giant_cell=300_000, compression=zipfile.ZIP_STORED)
    refused(world.run("households", path), "longer than a cell can hold")


def test_a_zip_of_many_parts_is_refused(world, tmp_path):
    path = hostile.xlsx(tmp_path / "parts.xlsx", HOUSEHOLDS, GOOD, extra_members=1_001)
    refused(world.run("households", path), "parts inside")


def test_a_lying_dimension_does_not_widen_the_rows(tmp_path):
    path = hostile.xlsx(tmp_path / "wide.xlsx", HOUSEHOLDS, GOOD * 50, dimension="A1:XFD1048576")
    table = tabular.open_table(path)
    try:
        widths = {len(record) for _, records in table.chunks(10_000) for record in records}
    finally:
        table.close()
    assert max(widths) <= len(HOUSEHOLDS) + 1, widths


def test_a_csv_row_of_a_million_cells_is_cut_and_rejected(world, tmp_path):
    path = hostile.wide_csv(tmp_path / "commas.csv", HOUSEHOLDS, ["H9", "BL", "X"], cells=1_000_000)
    table = tabular.open_table(path)
    try:
        widths = {len(r) for _, records in table.chunks(10_000) for r in records}
    finally:
        table.close()
    assert max(widths) <= len(HOUSEHOLDS) + tabular.MAX_EXTRA_CELLS
    report = world.run("households", path)
    assert not report.ok and {e.line for e in report.errors} == {2, 3, 4}, describe(report)


def test_chunks_are_bounded_in_characters(tmp_path):
    path = tmp_path / "fat.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("code,unit_code,head_name\r\n")
        for i in range(100):
            out.write(f"H{i},BL,{'x' * 100_000}\r\n")  # 10 MB in 100 rows
    table = tabular.open_table(path)
    try:
        sizes = [sum(len(c) for r in records for c in r) for _, records in table.chunks(10_000)]
    finally:
        table.close()
    assert len(sizes) > 1 and max(sizes) <= tabular.CHUNK_CHARS + 2 * 2**16 + 100_010


def test_no_server_path_in_the_message_of_a_broken_workbook(signed_in, app):
    from tests.emulation.test_pages import follow, upload

    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        z.writestr("[Content_Types].xml", hostile.CONTENT_TYPES)
        z.writestr("_rels/.rels", hostile.ROOT_RELS)
        z.writestr("xl/_rels/workbook.xml.rels", hostile.WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
        z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{hostile.MAIN}"/>')
        # openpyxl's error for this one names the file's path on the server.
        z.writestr("xl/workbook.xml", hostile.WORKBOOK.replace('sheetId="1"', 'sheetId="1" state="bogus"'))
    web = signed_in("admin")
    page = follow(web, upload(web, "households", None, name="danh-sach.xlsx", data=data.getvalue())).get_data(as_text=True)
    assert "danh-sach.xlsx" in page and "Không đọc được tệp .xlsx" in page
    jobs_dir = app.config["IMPORT_JOBS_DIR"]
    assert jobs_dir not in page and "upload.xlsx" not in page and app.instance_path not in page
    assert not re.search(r"(/[\w.-]+){3,}", page.split("<main", 1)[1].replace("/imports", ""))


def test_reports_keep_no_whole_cell(signed_in, app):
    from emulation.imports import jobs as import_jobs

    from tests.emulation.test_pages import follow, upload

    web = signed_in("admin")
    huge = "Z" * 100_000  # under the CSV cell limit (131,072): a row error, quoted back
    r = upload(web, "households", [{"code": "H9", "unit_code": huge, "head_name": "X"},
                                   {"code": "H10", "unit_code": "BL", "head_name": huge}])
    page = follow(web, r)
    assert len(page.get_data()) < 200_000
    job_id = r.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        folder = import_jobs.load_job(job_id).folder
        assert (folder / "job.json").stat().st_size < 20_000
    report = web.get(f"/imports/{job_id}/report.csv").get_data(as_text=True)
    assert len(report) < 5_000 and "Z" * 80 + "…" in report and "Z" * 81 not in report


def test_a_file_error_is_bounded(world, tmp_path):
    path = tmp_path / "header.csv"
    unknown = ",".join(f"{i}{'q' * 100}" for i in range(2_000))  # 200 KB of unknown column names
    path.write_text("code,unit_code," + unknown + "\r\nH9,BL,X\r\n", encoding="utf-8")
    report = world.run("households", path)
    refused(report, "Unknown column")
    assert len(report.file_error.render()) < 2_000


def test_a_report_keeps_a_bounded_number_of_errors_and_exact_counts(world, monkeypatch):
    from emulation.imports import importers as importing

    monkeypatch.setattr(importing, "MAX_ERRORS_KEPT", 3)
    rows = [{"code": f"H{i}", "unit_code": "NOPE", "head_name": "X"} for i in range(10, 20)]
    report = world.csv("households", rows)
    assert len(report.errors) == 3 and report.errors_total == 10 and report.rows_rejected == 10, describe(report)


def test_files_whose_rows_are_held_are_capped(world, make_app, imports, probe):
    world.app.config["IMPORT_MAX_HELD_ROWS"] = 3
    before = probe.snapshot()
    refused(world.csv("people", f.NEW["people"] + f.SEED["people"][:2]), "at most %(limit)s rows")
    assert probe.snapshot() == before
    # Files read in one pass (households, events) are not held: no such cap.
    assert world.csv("households", f.NEW["households"]).committed


def test_rejected_rows_mask_national_ids_and_are_private(world, tmp_path):
    people = [dict(p) for p in f.NEW["people"]]
    people[0]["unit_code"] = "NOPE"
    nid = people[0]["national_id"]
    assert nid
    report = world.csv("people", people, skip_invalid=True)
    assert report.ok and report.rejects_path, describe(report)
    text = report.rejects_path.read_text(encoding="utf-8-sig")
    assert nid not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["national_id"] == "…" + nid[-3:]
    assert stat.S_IMODE(report.rejects_path.stat().st_mode) == 0o600


def test_report_and_rejects_neutralise_formulas(signed_in):
    from tests.emulation.test_pages import follow, upload

    hostile_values = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\tX", "\rY"]
    rows = [{"code": f"H{10 + i}", "unit_code": v, "head_name": v} for i, v in enumerate(hostile_values)]
    rows.append({"code": "H3", "unit_code": "BL", "head_name": "ok"})
    web = signed_in("admin")
    r = upload(web, "households", rows, skip_invalid=True)
    follow(web, r)
    job = r.headers["Location"]
    for name in ("report.csv", "rejects.csv"):
        text = web.get(f"{job}/{name}").get_data(as_text=True).lstrip("\ufeff")
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        assert cells and not any(c.startswith(spreadsheets.FORMULA_STARTS) for c in cells), (name, cells)
        assert "'" + hostile_values[0] in cells
