"""Reading a 任务分解表 (.xlsx or .csv) into a clean table of tasks.

Real tables have a title row or two above the header, merged cells, multi-line cells, section rows
(一、… / （一）…) spanning the table, and tasks whose text continues on the next row. django-import-export's
stock reader takes row 1 as the header and opens workbooks read-only (losing merged cells), so the grid
comes from the project's bounded reader (core.spreadsheets) and the table is found in it here: header by
its labels, section rows, continuation rows folded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.spreadsheets import SpreadsheetError, read_grid

HEADER_SCAN_ROWS = 15


class PlanFileError(SpreadsheetError):
    """The table is rejected as a whole; the message is shown as is."""


# Header labels by column role. A header cell matches a label exactly or with a note in brackets after it.
ALIASES = {
    "seq": ("序号", "编号"),
    "title": ("项目名称", "任务名称", "重点任务", "工作任务", "专项行动", "任务", "工作项目"),
    "summary": ("总体计划", "主要内容", "工作内容", "工作目标", "具体内容", "工作举措"),
    "schedule": ("相关工作进度安排", "进度安排", "推进步骤", "时间节点", "完成时限", "时间安排"),
    "lead": ("牵头部门", "牵头单位"),
    "responsible": ("责任部门", "责任单位"),
    "participating": ("参与部门", "配合部门", "协办部门", "参与单位", "配合单位"),
}

SECTION_PATTERNS = [
    (1, re.compile(r"^[一二三四五六七八九十百零〇]+[、.．]")),
    (2, re.compile(r"^[（(][一二三四五六七八九十百零〇]+[）)]")),
]
_DEPT_SPLIT = re.compile(r"[、，,；;\n]+")
_WS = re.compile(r"\s+")
_YEAR_RANGE = re.compile(r"(\d{4})\s*年?\s*[-—–~～至到]\s*(\d{4})\s*年")
_YEAR = re.compile(r"(\d{4})\s*年")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fa5]{1,8}[〔\[（(【]\d{4}[〕\]）)】]\s*\d{1,4}\s*号")


@dataclass
class TaskRow:
    row: int  # 1-based row number in the sheet, for messages
    seq: str
    title: str
    summary: str = ""
    schedule: str = ""
    lead: list[str] = field(default_factory=list)
    participating: list[str] = field(default_factory=list)
    section: list[str] = field(default_factory=list)


@dataclass
class ReadTable:
    title: str
    doc_number: str
    start_year: int | None
    end_year: int | None
    tasks: list[TaskRow]
    errors: list[dict]
    warnings: list[str]
    columns: dict[str, int]


def _role_of(header: str) -> str | None:
    label = _WS.sub("", header)
    for role, aliases in ALIASES.items():
        for alias in aliases:
            if label == alias or re.fullmatch(re.escape(alias) + r"[（(][^）)]*[）)]", label):
                return role
    return None


def _find_header(grid: list[list[str]]) -> tuple[int, dict[str, int]]:
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            role = _role_of(cell) if cell else None
            if role and role not in columns:
                columns[role] = col
        if "title" in columns and len(columns) >= 2 and (best is None or len(columns) > len(best[1])):
            best = (index, columns)
    if best is None:
        raise PlanFileError(
            "找不到表头：前 15 行中没有包含“项目名称”（或 任务/重点任务/工作任务/专项行动）"
            "和至少另一列（序号、进度安排、牵头部门 …）的一行"
        )
    return best


_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’《》"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


def clean_title(text: str) -> str:
    """Line breaks and the spaces a PDF leaves between Chinese characters go; other spaces stay single."""
    return re.sub(r"\s+", " ", _SPACE_BETWEEN_CJK.sub("", text)).strip()


def split_departments(text: str) -> list[str]:
    names = []
    for part in _DEPT_SPLIT.split(text or ""):
        name = _WS.sub("", part)
        if name and name not in names:
            names.append(name[:60])
    return names


def _section_level(text: str) -> int | None:
    for level, pattern in SECTION_PATTERNS:
        if pattern.match(text):
            return level
    return None


def _period_from_titles(lines: list[str]) -> tuple[int | None, int | None]:
    for line in lines:
        if match := _YEAR_RANGE.search(line):
            return int(match.group(1)), int(match.group(2))
    for line in lines:
        if match := _YEAR.search(line):
            return int(match.group(1)), int(match.group(1))
    return None, None


def _append(old: str, new: str) -> str:
    if not new or new == old or new in old.split("\n"):
        return old
    return f"{old}\n{new}" if old else new


def read_plan_table(filename: str, content: bytes) -> ReadTable:
    """Read a 任务分解表 into tasks; row-level problems are collected, file-level ones raise PlanFileError."""
    grid = read_grid(filename, content)
    header_index, columns = _find_header(grid)
    title_lines = [" ".join(dict.fromkeys(c for c in row if c)) for row in grid[:header_index]]
    title_lines = [line for line in title_lines if line]
    doc_number = next((m.group(0) for line in title_lines if (m := _DOC_NUMBER.search(line))), "")
    title_candidates = [line for line in title_lines if not _DOC_NUMBER.fullmatch(line.strip())]
    title = max(title_candidates, key=len) if title_candidates else ""
    start_year, end_year = _period_from_titles(title_lines)

    def cell(row: list[str], role: str) -> str:
        col = columns.get(role)
        return row[col] if col is not None and col < len(row) else ""

    tasks: list[TaskRow] = []
    errors: list[dict] = []
    warnings: list[str] = []
    section: list[str] = []
    used_cols = set(columns.values())
    for index in range(header_index + 1, len(grid)):
        row = grid[index]
        number = index + 1
        values = [c for c in row if c]
        if not values:
            continue
        distinct = list(dict.fromkeys(values))
        seq, task_title = cell(row, "seq"), clean_title(cell(row, "title"))
        # A section heading spans the table (merged, so every cell holds it) or stands alone.
        if len(distinct) == 1 and (level := _section_level(distinct[0])) is not None:
            section = [*section[: level - 1], distinct[0][:200]]
            continue
        if len(distinct) == 1 and len(values) > 1:
            warnings.append(f"第 {number} 行是跨列的说明文字（“{distinct[0][:30]}”），不是任务，已忽略")
            continue
        continues_previous = tasks and (
            (not seq or seq == tasks[-1].seq) and (not task_title or task_title == tasks[-1].title)
        )
        if continues_previous:
            task = tasks[-1]
            task.summary = _append(task.summary, cell(row, "summary"))
            task.schedule = _append(task.schedule, cell(row, "schedule"))
            for name in split_departments(cell(row, "lead")):
                if name not in task.lead:
                    task.lead.append(name)
            for name in split_departments(cell(row, "participating")):
                if name not in task.participating:
                    task.participating.append(name)
            continue
        if not task_title:
            if len(distinct) == 1 and not any(row[c] for c in used_cols if c != columns.get("seq")):
                warnings.append(f"第 {number} 行不是任务（“{distinct[0][:30]}”），已忽略")
            else:
                errors.append({"row": number, "message": "缺少项目名称"})
            continue
        if len(task_title) > 300:
            errors.append({"row": number, "message": "项目名称超过 300 字"})
            continue
        lead = split_departments(cell(row, "lead"))
        participating = split_departments(cell(row, "participating"))
        if "lead" not in columns and "responsible" in columns:
            responsible = split_departments(cell(row, "responsible"))
            lead, participating = responsible[:1], [*responsible[1:], *participating]
        tasks.append(
            TaskRow(
                row=number,
                seq=_WS.sub("", seq)[:20] if seq else "",
                title=task_title,
                summary=cell(row, "summary"),
                schedule=cell(row, "schedule"),
                lead=lead,
                participating=[p for p in participating if p not in lead],
                section=list(section),
            )
        )
    if "seq" not in columns:
        for number, task in enumerate(tasks, start=1):
            task.seq = str(number)
        warnings.append("表中没有“序号”列，已按行顺序编号")
    seen: dict[str, int] = {}
    for task in tasks:
        if not task.seq:
            errors.append({"row": task.row, "message": "缺少序号"})
        elif task.seq in seen:
            raise PlanFileError(f"序号“{task.seq}”重复：第 {seen[task.seq]} 行与第 {task.row} 行")
        else:
            seen[task.seq] = task.row
    if not tasks and not errors:
        raise PlanFileError("表头下面没有任务")
    return ReadTable(title, doc_number, start_year, end_year, tasks, errors, warnings, columns)
