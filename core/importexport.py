"""django-import-export in the admin, through the project's one safe writer and one bounded reader."""

from import_export.formats.base_formats import XLSX

from .spreadsheets import SpreadsheetError, read_xlsx_values, workbook_bytes


class SafeXLSX(XLSX):
    """django-import-export's .xlsx through the project's one writer (formula-like text stored as text)
    and its one bounded reader; the admin offers no other format (CSV and the rest would carry live
    formulas to whoever opens them)."""

    def export_data(self, dataset, **kwargs):
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        sheet.title = (dataset.title or "导出")[:31].translate(str.maketrans("[]:*?/\\", "-------"))
        if dataset.headers:
            sheet.append([str(header) for header in dataset.headers])
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            sheet.freeze_panes = "A2"
        for row in dataset:
            sheet.append(list(row))
        return workbook_bytes(book)

    def create_dataset(self, in_stream):
        import tablib

        rows = read_xlsx_values(bytes(in_stream))
        dataset = tablib.Dataset()
        if rows:
            dataset.headers = ["" if value is None else str(value).strip() for value in rows[0]]
            for row in rows[1:]:
                if any(value not in (None, "") for value in row):
                    dataset.append(row)
        return dataset


class SafeImportExport:
    """Mixed into every import/export admin: only SafeXLSX, and a refused file says why in Chinese."""

    formats = [SafeXLSX]

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            form.add_error("import_file", f"文件被拒绝：{e}")
        else:
            super().add_data_read_fail_error_to_form(form, e)
