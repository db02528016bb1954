"""The bounded reader refuses hostile files before a library parses them, and reads honest ones the same
in streaming mode; the one writer stores formula-like text as text that reads back unchanged."""

import csv
import io

import docx
import openpyxl
import pytest
import xlrd

from core import spreadsheets
from core.spreadsheets import SpreadsheetError, read_grid, workbook_bytes
from core.tests import hostile as h

SAMPLES = h.SAMPLES


@pytest.fixture
def parsers(monkeypatch):
    """Every library parser fails the test if it is reached: the refusal must come before them."""
    calls = []

    def forbidden(name):
        def call(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"{name} was called on a file that should have been refused")

        return call

    monkeypatch.setattr(openpyxl, "load_workbook", forbidden("openpyxl.load_workbook"))
    monkeypatch.setattr(xlrd, "open_workbook", forbidden("xlrd.open_workbook"))
    monkeypatch.setattr(docx, "Document", forbidden("docx.Document"))
    monkeypatch.setattr(csv, "reader", forbidden("csv.reader"))
    return calls


def refused(filename, content, message, parsers):
    with pytest.raises(SpreadsheetError, match=message):
        read_grid(filename, content)
    assert parsers == []


class TestRefusedBeforeParsing:
    def test_the_issues_file_declaring_the_whole_grid_in_a_run_of_repeated_cells(self, parsers):
        content = h.xlsx(h.repeated_cells(20))
        assert len(content) < 200_000  # 20 MB of sheet in a few dozen KB
        refused("plan.xlsx", content, "压缩比异常.*压缩炸弹", parsers)

    def test_a_declared_dimension_beyond_the_rows_allowed(self, parsers):
        content = h.xlsx(h.sheet_xml(h.text_rows([["序号", "任务"]]), dimension="A1:XFD1048576"))
        refused("plan.xlsx", content, "行数过多（声明了1,048,576 行）", parsers)

    def test_a_row_number_far_below_the_data(self, parsers):
        refused("plan.xlsx", h.xlsx(h.row_jump()), "行数过多", parsers)

    def test_more_rows_than_allowed(self, parsers, monkeypatch):
        monkeypatch.setattr(spreadsheets, "MAX_ROWS", 50)
        refused(
            "plan.xlsx", h.xlsx(h.many_cells(5_000)), "行数过多（[0-9,]+ 行），每个文件最多 50 行", parsers
        )

    def test_more_cells_than_allowed_counting_empty_formatted_ones(self, parsers, monkeypatch):
        monkeypatch.setattr(spreadsheets, "MAX_CELLS", 1_000)
        refused("plan.xlsx", h.xlsx(h.many_cells(2_000)), "单元格过多", parsers)

    def test_a_row_wider_than_excel_allows(self, parsers):
        refused("plan.xlsx", h.xlsx(h.wide_row(20_000)), "列数过多（一行有 20,000 个单元格）", parsers)

    def test_shared_strings_beyond_the_cells_allowed(self, parsers, monkeypatch):
        monkeypatch.setattr(spreadsheets, "MAX_CELLS", 1_000)
        content = h.xlsx(h.sheet_xml(h.text_rows([["a"]])), strings=h.shared_strings(5_000))
        refused("plan.xlsx", content, "单元格过多", parsers)

    def test_too_many_merged_ranges(self, parsers, monkeypatch):
        monkeypatch.setattr(spreadsheets, "MAX_MERGES", 100)
        refused("plan.xlsx", h.xlsx(h.merge_ranges(101)), "合并单元格过多", parsers)

    def test_elements_openpyxl_would_keep(self, parsers, monkeypatch):
        monkeypatch.setattr(spreadsheets, "MAX_ELEMENTS", 10_000)
        refused("plan.xlsx", h.xlsx(h.junk_elements(20_000)), "元素过多", parsers)

    def test_a_style_sheet_parsed_whole_beyond_its_bound(self, parsers):
        content = h.xlsx(h.sheet_xml(h.text_rows([["a"]])), styles=h.big_styles(9))
        refused("plan.xlsx", content, "styles.xml”解压后过大", parsers)

    def test_the_parts_the_checks_read_themselves_are_bounded_too(self, parsers, monkeypatch):
        monkeypatch.setattr(spreadsheets, "MAX_SMALL_PART_BYTES", 300)
        refused(
            "plan.xlsx", h.xlsx(h.sheet_xml(h.text_rows([["a"]]))), "Content_Types].xml”解压后过大", parsers
        )

    def test_a_classic_zip_bomb(self, parsers):
        refused(
            "plan.xlsx", h.zip_bomb(spreadsheets.MAX_UNCOMPRESSED_BYTES // (1 << 20) + 1), "压缩炸弹", parsers
        )

    def test_thousands_of_parts(self, parsers):
        refused("plan.xlsx", h.many_parts(6_000), "部件", parsers)

    def test_the_first_sheet_is_found_where_the_workbook_says_it_is(self, parsers):
        content = h.xlsx(h.row_jump(), sheet_path="xl/elsewhere/data.bin")
        refused("plan.xlsx", content, "行数过多", parsers)

    def test_a_prefixed_namespace_does_not_hide_cells(self, parsers, monkeypatch):
        monkeypatch.setattr(spreadsheets, "MAX_CELLS", 100)
        rows = "".join(f'<x:row r="{r}">' + "<x:c><x:v>1</x:v></x:c>" * 10 + "</x:row>" for r in range(1, 21))
        sheet = f'<x:worksheet xmlns:x="{h.MAIN}"><x:sheetData>{rows}</x:sheetData></x:worksheet>'
        refused("plan.xlsx", h.xlsx(sheet), "单元格过多", parsers)

    def test_another_sheet_without_a_dimension_is_counted_too(self, parsers, monkeypatch):
        # openpyxl sizes every sheet on opening; without a <dimension> that is a walk through all of it.
        monkeypatch.setattr(spreadsheets, "MAX_ROWS", 50)
        content = h.xlsx(
            h.sheet_xml(h.text_rows([["a"]])), more_sheets={"xl/worksheets/sheet2.xml": h.many_cells(5_000)}
        )
        refused("plan.xlsx", content, "行数过多", parsers)

    def test_xls_declaring_more_rows_than_allowed(self, parsers):
        refused("plan.xls", h.xls([], dimensions_rows=65_536), "行数过多（声明了65,536 行）", parsers)

    def test_xls_with_more_cells_than_allowed(self, parsers, monkeypatch):
        monkeypatch.setattr(spreadsheets, "MAX_CELLS", 5_000)
        refused("plan.xls", h.xls(h.mulrk_rows(30, first_row=100)), "单元格过多", parsers)

    def test_xls_rows_kept_as_wide_as_their_last_cell(self, parsers, monkeypatch):
        monkeypatch.setattr(spreadsheets, "MAX_CELLS", 10_000)
        refused("plan.xls", h.xls(h.far_cells(100)), "单元格过多", parsers)

    def test_xls_with_a_cell_on_a_row_beyond_those_allowed(self, parsers):
        refused("plan.xls", h.xls([h.number_at(65_535, 0)]), "行数过多", parsers)

    def test_docx_document_beyond_its_bound(self, parsers, monkeypatch):
        monkeypatch.setattr(spreadsheets, "MAX_DOCUMENT_BYTES", 2 * 1024 * 1024)
        refused("plan.docx", h.docx(h.big_document(3), level=1), "document.xml”解压后过大", parsers)

    def test_docx_zip_bomb(self, parsers):
        body = [b"<w:p><w:r><w:t>" + b"x" * (1 << 20) + b"</w:t></w:r></w:p>" for _ in range(20)]
        refused("plan.docx", h.docx(body), "压缩炸弹", parsers)

    def test_a_csv_line_of_a_hundred_thousand_fields(self, parsers):
        refused("plan.csv", h.csv_wide_line(100_000), "列数过多（一行有 100,001 个字段）", parsers)

    def test_oversized_upload(self, parsers, monkeypatch):
        monkeypatch.setattr(spreadsheets, "MAX_UPLOAD_BYTES", 1000)
        refused("plan.csv", b"a,b\n" * 1000, "文件过大", parsers)


class TestBoundedWhileReading:
    def test_time_budget(self, monkeypatch):
        monkeypatch.setattr(spreadsheets, "READ_SECONDS", -1)
        for name in ("city-2020.xlsx", "city-2020.xls", "city-2020.docx"):
            with pytest.raises(SpreadsheetError, match="秒内未能读完"):
                read_grid(name, (SAMPLES / name).read_bytes())
        with pytest.raises(SpreadsheetError, match="秒内未能读完"):
            read_grid("a.csv", b"a,b\n1,2\n")

    def test_reads_in_streaming_mode(self, monkeypatch):
        modes = []
        load = openpyxl.load_workbook

        def spy(*args, **kwargs):
            modes.append(kwargs.get("read_only"))
            return load(*args, **kwargs)

        monkeypatch.setattr(openpyxl, "load_workbook", spy)
        read_grid("city-2020.xlsx", (SAMPLES / "city-2020.xlsx").read_bytes())
        assert modes == [True]

    def test_rows_beyond_a_dimension_that_says_too_few_are_read(self):
        sheet = h.sheet_xml(
            h.text_rows([["序号", "任务"], ["1", "甲"], ["2", "乙"], ["3", "丙"]]), dimension="A1:B2"
        )
        assert read_grid("a.xlsx", h.xlsx(sheet))[-1] == ["3", "丙"]

    def test_merged_ranges_reaching_beyond_the_data_fill_only_the_data(self):
        grid = read_grid("a.xlsx", h.xlsx(h.merge_ranges(3)))
        assert len(grid) == 3 and len(grid[0]) == spreadsheets.MAX_COLUMNS
        assert grid[2][:3] == ["a", "a", "a"]  # A1:BH60001 holds what A1 holds

    def test_xls_merged_over_the_whole_sheet_reads_only_its_rows(self):
        grid = read_grid("plan.xls", h.xls(h.merged_everything()))
        plain = read_grid("plan.xls", (SAMPLES / "city-2020.xls").read_bytes())
        assert len(grid) == len(plain) and len(grid[0]) == spreadsheets.MAX_COLUMNS

    def test_a_long_vertical_merge_in_word(self, monkeypatch):
        from docx.table import _Row

        # python-docx's own walk recurses once per merged row above: refused to the reader here.
        monkeypatch.setattr(_Row, "cells", property(lambda row: pytest.fail("row.cells walked")))
        grid = read_grid("plan.docx", h.docx(h.vertical_merge(3_000)))
        assert len(grid) == 3_000 and grid[-1] == ["牵头部门", "任务 2999"]

    def test_a_word_cell_spanning_millions_of_columns(self, monkeypatch):
        from docx.table import _Row

        monkeypatch.setattr(_Row, "cells", property(lambda row: pytest.fail("row.cells walked")))
        grid = read_grid("plan.docx", h.docx(h.grid_span(5_000_000)))
        assert grid[0] == ["宽"] * spreadsheets.MAX_COLUMNS and grid[1][0] == "a"

    @pytest.mark.parametrize(
        "name", sorted(p.name for p in SAMPLES.iterdir() if p.suffix in {".xlsx", ".xls", ".docx"})
    )
    def test_samples_read_as_before(self, name):
        grid = read_grid(name, (SAMPLES / name).read_bytes())
        assert len(grid) > 5 and all(len(row) == len(grid[0]) for row in grid)


class TestWriterAndReader:
    TEXTS = [
        '=HYPERLINK("http://example.com/"&C4,"点我")',
        "=1+1区委",
        "+86 571",
        "-3月：启动",
        "@SUM(A1)",
        "\t=1",
        "'组织部",
        "''双引号",
    ]

    def workbook(self):
        book = openpyxl.Workbook()
        book.active.append(self.TEXTS)
        return workbook_bytes(book)

    def test_formula_like_text_is_stored_as_text_and_reads_back_unchanged(self):
        content = self.workbook()
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        cells = list(sheet[1])
        assert [cell.data_type for cell in cells] == ["s"] * len(self.TEXTS)
        assert all(cell.quotePrefix for cell in cells[:6]) and not any(cell.quotePrefix for cell in cells[6:])
        assert spreadsheets.read_xlsx_values(content)[0] == self.TEXTS
        assert read_grid("a.xlsx", content)[0] == [t.strip() for t in self.TEXTS]

    def test_a_users_leading_apostrophe_is_part_of_the_text(self):
        # Excel stores '=1+1 typed by hand as the text =1+1 with the quote prefix, and ''x as 'x.
        book = openpyxl.Workbook()
        book.active.append(["=1+1", "'x"])
        book.active["A1"].data_type, book.active["A1"].quotePrefix = "s", True
        buffer = io.BytesIO()
        book.save(buffer)
        assert read_grid("a.xlsx", buffer.getvalue())[0] == ["=1+1", "'x"]

    def test_values_keep_their_types(self):
        book = openpyxl.Workbook()
        book.active.append(["330100", 3, True, 2.5])
        assert spreadsheets.read_xlsx_values(workbook_bytes(book)) == [["330100", 3, True, 2.5]]


@pytest.mark.django_db
class TestInTheBrowserAndTheCommands:
    """Both go through read_grid: the refusal is the same, in Chinese, and nothing is written."""

    def test_plan_upload(self, login, tree, make_user, parsers):
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.urls import reverse

        from plans.models import Plan, PlanImport

        client = login(make_user(tree.zj, "editor"))
        upload = SimpleUploadedFile("plan.xlsx", h.xlsx(h.repeated_cells(20)))
        page = client.post(
            reverse("plans:import"), {"organisation": tree.zj.pk, "file": upload}
        ).content.decode()
        assert "文件被拒绝，未导入任何内容" in page and "压缩炸弹" in page
        assert not PlanImport.objects.exists() and not Plan.objects.exists() and parsers == []

    def test_figures_upload(self, login, tree, make_user, parsers):
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.urls import reverse

        from indicators.models import Value, ValueImport

        client = login(make_user(tree.hz, "admin"))
        upload = SimpleUploadedFile("figures.xlsx", h.xlsx(h.row_jump()))
        page = client.post(
            reverse("indicators:import"), {"organisation": tree.hz.pk, "file": upload}
        ).content.decode()
        assert "行数过多" in page and not ValueImport.objects.exists() and not Value.objects.exists()
        assert parsers == []

    def test_import_plan_command(self, tree, tmp_path, parsers):
        from django.core.management import CommandError, call_command

        from plans.models import Plan

        path = tmp_path / "plan.xls"
        path.write_bytes(h.xls([], dimensions_rows=65_536))
        with pytest.raises(CommandError, match="行数过多"):
            call_command("import_plan", str(path), "--org", tree.zj.code)
        assert not Plan.objects.exists() and parsers == []
