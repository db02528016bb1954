"""Reading a 任务分解表 (.xlsx, .xls, .docx or .csv) into a clean table of tasks.

Real tables have a title row or two above the header, merged cells, multi-line cells, section rows
(一、… / （一）…) spanning the table, tasks whose text continues on the next row, columns of their own
(具体措施, 责任领导 …) and sometimes one column per year instead of a 进度安排 column. django-import-export's
stock reader takes row 1 as the header and loses merged cells, so the grid comes from the project's bounded
reader (core.spreadsheets) and the table is found in it here: header by its labels, section rows,
continuation rows folded, columns it does not know kept with each task, by-year columns read as yearly steps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.spreadsheets import SpreadsheetError, read_grid

from .schedule import normalise, says_nothing

HEADER_SCAN_ROWS = 15


class PlanFileError(SpreadsheetError):
    """The table is rejected as a whole; the message is shown as is."""


# Header labels by column role. A header cell matches a label exactly or with a note in brackets after it.
ALIASES = {
    "seq": ("序号", "编号"),
    "title": ("项目名称", "任务名称", "重点任务", "工作任务", "专项行动", "任务", "工作项目", "主要任务"),
    "summary": ("总体计划", "主要内容", "工作内容", "工作目标", "具体内容", "工作举措", "目标任务"),
    "schedule": ("相关工作进度安排", "进度安排", "推进步骤", "时间节点", "完成时限", "时间安排", "完成时间",
                 "进度要求", "时间进度"),
    "lead": ("牵头部门", "牵头单位", "牵头处室", "主责部门", "主责单位", "牵头"),
    "responsible": ("责任部门", "责任单位", "责任主体", "承办单位"),
    "participating": ("参与部门", "配合部门", "协办部门", "参与单位", "配合单位", "协同部门", "协同单位",
                      "协办单位", "参加单位", "配合处室", "配合", "参与", "协同"),
}  # fmt: skip
# A column per year: 2019年 | 2020年度 | 2021 | 2022年任务 — each a yearly step of the task.
_YEAR_COLUMN = re.compile(r"^(\d{4})(?:年度?)?(?:工作)?(?:安排|任务|目标|计划|进度)?$")

SECTION_PATTERNS = [
    (1, re.compile(r"^[一二三四五六七八九十百零〇]+[、.．]")),
    (2, re.compile(r"^[（(][一二三四五六七八九十百零〇]+[）)]")),
]
_WS = re.compile(r"\s+")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fa5]{1,8}[〔\[（(【]\d{4}[〕\]）)】]\s*\d{1,4}\s*号")
PERIOD_LINE = "计划期"  # our export's own line under the title: 计划期：2019—2022年
_PERIOD_LINE = re.compile(
    r"^计划期[:：]\s*(?P<start>\d{4})(?:\s*[—-]\s*(?P<end>\d{4}))?\s*(?P<unit>学年|年)"
    r"(?:[（(]只写月份的时间按\s*(?P<default>\d{4})\s*年[）)])?"
)


def period_line(*, start_year: int, end_year: int, default_year: int | None = None,
                school_year: int | None = None) -> str:  # fmt: skip
    """The line an export writes under the title, which an import reads back exactly."""
    years = str(start_year) if start_year == end_year else f"{start_year}—{end_year}"
    line = f"{PERIOD_LINE}：{years}{'学年' if school_year else '年'}"
    return f"{line}（只写月份的时间按 {default_year} 年）" if default_year else line


def read_period_line(lines: list[str]) -> dict | None:
    for line in lines:
        match = _PERIOD_LINE.match((line or "").strip())
        if match is None:
            continue
        start = int(match.group("start"))
        end = int(match.group("end") or start)
        default = int(match.group("default")) if match.group("default") else None
        if not 2000 <= start <= end <= 2100 or default is not None and not start <= default <= end:
            return None
        school = start if match.group("unit") == "学年" and end == start + 1 else None
        return {"start_year": start, "end_year": end, "default_year": default, "school_year": school}
    return None


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
    extra: dict[str, str] = field(default_factory=dict)  # columns the app has no field for, kept as they are


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
    columns_kept: list[str] = field(default_factory=list)
    year_columns: dict[int, int] = field(default_factory=dict)  # column → year
    school_year: int | None = None  # a 学年 plan: the year its school year starts
    default_year: int | None = None  # from our own 计划期 line: the year bare months mean


# --- the plan's period, from its title ---------------------------------------------------------------------

_TITLE_RANGE = re.compile(r"(\d{4})\s*年?\s*-\s*(\d{4})(?!\d)")
_TITLE_YEAR = re.compile(r"(\d{4})\s*年")
_N_YEARS = re.compile(r"([一二两三四五六七八九十]|\d{1,2})\s*年(?:行动|计划|规划|攻坚|提升|专项)")
# "三年行动计划 2019 年工作任务分解": the breakdown of one year of a longer plan.
_ONE_YEAR_OF = re.compile(r"(\d{4})\s*年度?\s*(?:工作|任务|重点|要点|实施|推进)")
_CN_SMALL = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}


_SCHOOL_YEAR = re.compile(r"(\d{4})\s*年?\s*(?:-\s*(\d{4})\s*)?学年")


def school_year_from_title(lines: list[str]) -> int | None:
    """The first year of the school year a title names: 2024—2025学年, 2024-2025学年度, 2024学年 → 2024."""
    for line in lines:
        match = _SCHOOL_YEAR.search(normalise(line or ""))
        if match is None:
            continue
        first = int(match.group(1))
        if 2000 <= first <= 2100 and (match.group(2) is None or int(match.group(2)) == first + 1):
            return first
    return None


def period_from_title(lines: list[str]) -> tuple[int, int] | None:
    """The plan period a title gives: 2019—2022, 2019-2022年, 2019至2022年, （2019—2022）, 二〇一九年, or
    "三年行动" with its first year; the one year of a yearly breakdown of a longer plan. None if none."""
    texts = [normalise(line) for line in lines if line and line.strip()]
    for text in texts:
        for match in _TITLE_RANGE.finditer(text):
            first, last = int(match.group(1)), int(match.group(2))
            if 2000 <= first <= last <= 2100 and last - first <= 10:
                return first, last
    for text in texts:
        years = [int(y) for y in _TITLE_YEAR.findall(text) if 2000 <= int(y) <= 2100]
        if not years:
            continue
        one_year = _ONE_YEAR_OF.search(text)
        span = _N_YEARS.search(text)
        if span and not one_year:
            n = int(span.group(1)) if span.group(1).isdigit() else _CN_SMALL[span.group(1)]
            if 1 <= n <= 10:
                return years[0], years[0] + n - 1
        return years[0], years[0]
    return None


# --- the plan's title ------------------------------------------------------------------------------------

_QUOTED_TITLE = re.compile(r"《([^》]{4,200})》")
_NOT_A_TITLE = re.compile(r"[：:。]|^各|^现将|^关于")
# A line in brackets under a title is its note: （2022年2月18日…全委（扩大）会议通过）.
_BRACKETED = re.compile(r"^[（(].*[）)]$")
_TITLE_WORDS = re.compile(r"方案|要点|计划|分解|清单|任务|规划|意见|办法|安排")


def plan_title(lines: list[str]) -> str:
    """The title among the lines above a table: the one standing on its own, else the 《…》 of a
    "关于印发《…》的通知", else the longest line that reads like a plan's name — never the 文号, a
    salutation, a bracketed note or our 计划期 line."""
    quoted = [m.group(1) for line in lines if (m := _QUOTED_TITLE.search(line))]
    plain = [
        line.strip() for line in lines
        if not _DOC_NUMBER.fullmatch(line.strip()) and not line.startswith(PERIOD_LINE)
        and not _NOT_A_TITLE.search(line.strip()[:40]) and not _BRACKETED.match(line.strip())
    ]  # fmt: skip
    for title in quoted:
        if title in plain:
            return title
    named = [line for line in plain if _TITLE_WORDS.search(line)]
    if named or plain:
        return max(named or plain, key=len)
    return quoted[0] if quoted else ""


# --- departments --------------------------------------------------------------------------------------------

_OPEN, _CLOSE = "（(【《[", "）)】》]"
_DEPT_SEPARATORS = "、，,；;/／"
# A line that ends like a unit's name is a name of its own; a broken line ("基层工作\n部") is joined.
_UNIT_SUFFIX = re.compile(
    r"(?:部|室|处|委|中心|团校|办公室|单位|站|院|校|局|厅|馆|队|所|科|办|团|公司|集团"
    r"|委员会|联合会|协会|学会|商会|基金会|研究会|促进会|学生会|研究生会|青联|学联|少工委"
    r"|报社|通讯社|杂志社|出版社|合作社)$"
)  # not a bare 会 or 社: "区人力资源和社会\n保障局" is one name


def _split_outside_brackets(text: str) -> list[str]:
    parts, current, depth = [], "", 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        if depth == 0 and ch in _DEPT_SEPARATORS:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def _lines_of(part: str) -> list[str]:
    lines = [line.strip() for line in part.splitlines() if line.strip()]
    names: list[str] = []
    for line in lines:
        # One name a line only when the line before ends like a name and this one is more than a fragment.
        if names and _UNIT_SUFFIX.search(names[-1]) and len(line) > 2:
            names.append(line)
        elif names:
            names[-1] += line
        else:
            names.append(line)
    return names


# What a 牵头/责任单位 cell names that is not a department of the issuer's office: every organisation of a
# level below it ("各市团委", "各县（市、区）团委" …). Named organisations are found by the import itself.
RECIPIENT_LEVELS = [
    ("city", re.compile(r"^各(?:市|地市|设区市|市州|州市|地州|盟市)(?:[（(][^）)]*[）)])?团委$")),
    (
        "county",
        re.compile(r"^各(?:县[（(]市、?区[）)]|县市区|县[（(]区[）)]|区县|县区|县[（(]市[）)]|县|区)团委$"),
    ),
    ("township", re.compile(r"^各(?:乡镇[（(]街道[）)]|乡镇|街道|乡镇街道|乡、镇)团(?:工)?委$")),
    ("school", re.compile(r"^各(?:高校|学校|中学|中职学校|高等学校|大中专院校)团委$")),
    ("enterprise", re.compile(r"^各(?:企业|国有企业|国企|非公企业|非公有制企业)团(?:工)?委$")),
    ("organ", re.compile(r"^各(?:机关|部门|直属机关)团(?:工)?委$")),
    ("branch", re.compile(r"^各(?:基层)?团(?:总)?支部$")),
]


# How an export names each level again (read back by RECIPIENT_LEVELS).
LEVEL_NAMES = {"city": "各市团委", "county": "各县（市、区）团委", "township": "各乡镇（街道）团委",
               "school": "各学校团委", "enterprise": "各企业团委", "organ": "各机关团工委",
               "branch": "各团支部"}  # fmt: skip


def recipient_level(name: str) -> str | None:
    """The publish level a name means ("各市团委" → city), or None for a department or organisation."""
    for level, pattern in RECIPIENT_LEVELS:
        if pattern.match(name):
            return level
    return None


def split_departments(text: str) -> list[str]:
    """Department names of a cell: split at 、，；/ outside brackets (试点县（市、区）团委 is one name);
    a line break splits only between whole names, never inside one broken by a PDF copy."""
    names = []
    for part in _split_outside_brackets(text or ""):
        for line in _lines_of(part):
            name = _WS.sub("", line)
            if name and name not in names:
                names.append(name[:60])
    return names


# --- the table ----------------------------------------------------------------------------------------------


def _role_of(header: str) -> str | None:
    label = _WS.sub("", header)
    for role, aliases in ALIASES.items():
        for alias in aliases:
            if label == alias or re.fullmatch(re.escape(alias) + r"[（(][^）)]*[）)]", label):
                return role
    return None


# Header words when no label matches exactly ("工作事项", "负责部门", "协同单位", "完成时间节点"): short
# cells only, each role once, after the exact labels have taken theirs.
_UNIT = r"(?:部门|单位|处室|科室|部室)"
ROLE_WORDS = [
    ("lead", re.compile(rf"^(?:牵头|负责|主责|主办|责任)\S{{0,2}}{_UNIT}$")),
    ("participating", re.compile(rf"^(?:配合|协同|参与|协办|参加|协助|协作)\S{{0,2}}{_UNIT}$")),
    ("schedule", re.compile(r"时间|时限|进度|节点|步骤|期限|日期")),
    (
        "title",
        re.compile(
            r"^(?!.*(?:内容|措施|举措|目标|要求|标准|说明))\S{0,4}(?:任务|事项|项目|重点工作)\S{0,2}$"
        ),
    ),
    ("summary", re.compile(r"内容|措施|举措|目标|要求|安排|做法")),
]
HEADER_CELL_MAX = 12


def _guess_roles(row: list[str], columns: dict[str, int], taken: set[int]) -> None:
    for role, pattern in ROLE_WORDS:
        if role in columns or role == "lead" and "responsible" in columns:
            continue
        for col, cell in enumerate(row):
            label = _WS.sub("", cell or "")
            if col not in taken and 0 < len(label) <= HEADER_CELL_MAX and pattern.search(label):
                columns[role] = col
                taken.add(col)
                break


def _year_of(header: str) -> int | None:
    match = _YEAR_COLUMN.match(_WS.sub("", normalise(header)))
    return int(match.group(1)) if match and 2000 <= int(match.group(1)) <= 2100 else None


def _find_header(grid: list[list[str]]) -> tuple[int, dict[str, int], dict[int, int]]:
    best: tuple[int, dict[str, int], dict[int, int]] | None = None
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        years: dict[int, int] = {}
        for col, cell in enumerate(row):
            role = _role_of(cell) if cell else None
            if role and role not in columns:
                columns[role] = col
            elif cell and (year := _year_of(cell)) is not None:
                years[col] = year
        if len(set(row)) > 1:  # not a title merged across the row
            _guess_roles(row, columns, set(columns.values()) | set(years))
        found = len(columns) + (1 if years else 0)
        if "title" in columns and found >= 2 and (best is None or found > len(best[1]) + bool(best[2])):
            best = (index, columns, years)
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


def _section_level(text: str) -> int | None:
    for level, pattern in SECTION_PATTERNS:
        if pattern.match(text):
            return level
    return None


def _append(old: str, new: str) -> str:
    if not new or new == old or new in old.split("\n"):
        return old
    return f"{old}\n{new}" if old else new


_STARTS_WITH_YEAR = re.compile(r"^\s*\d{4}年")  # a cell that names its own year ("二〇二六年九月上线")


def _yearly_steps(row: list[str], years: dict[int, int]) -> str:
    """By-year cells as schedule text the parser reads: 2019年：…；2020年：…"""
    steps: list[str] = []
    for col, year in sorted(years.items(), key=lambda kv: kv[1]):
        text = row[col].strip() if col < len(row) else ""
        if says_nothing(text):
            continue
        if not _STARTS_WITH_YEAR.match(normalise(text)):
            steps.append(f"{year}年：{text}")
        elif text not in steps:  # names its own year; merged across the year columns, it is read once
            steps.append(text)
    return "；".join(steps)


def _title_lines(grid: list[list[str]], header_index: int) -> list[str]:
    lines = [" ".join(dict.fromkeys(c for c in row if c)) for row in grid[:header_index]]
    return [line for line in lines if line]


def read_plan_table(filename: str, content: bytes) -> ReadTable:
    """Read a 任务分解表 into tasks; row-level problems are collected, file-level ones raise PlanFileError."""
    grid = read_grid(filename, content)
    header_index, columns, year_columns = _find_header(grid)
    if "schedule" not in columns and not year_columns:
        raise PlanFileError(
            "表中没有“进度安排”列（也可叫 推进步骤、时间节点、完成时限、时间安排），也没有按年度分列的"
            "“2019年”“2020年”……：无法得出任何时间节点。请加上这一列后再导入"
        )
    title_lines = _title_lines(grid, header_index)
    doc_number = next((m.group(0) for line in title_lines if (m := _DOC_NUMBER.search(line))), "")
    title = plan_title(title_lines)
    own = read_period_line(title_lines)  # a file this app exported: its period exactly
    if own is not None:
        school_year, default_year = own["school_year"], own["default_year"]
        period = (own["start_year"], own["end_year"])
    else:
        school_year, default_year = school_year_from_title(title_lines), None
        period = (school_year, school_year + 1) if school_year else period_from_title(title_lines)
    header = grid[header_index]
    if "lead" in columns and "responsible" in columns:  # 牵头单位 | 责任单位: the others are the participants
        if "participating" in columns:
            columns.pop("responsible")  # kept below as a column of its own: nothing is dropped
        else:
            columns["participating"] = columns.pop("responsible")
    known = set(columns.values()) | set(year_columns)
    kept = {
        col: _WS.sub("", header[col])
        for col in range(len(header))
        if col not in known and header[col].strip()
    }

    def cell(row: list[str], role: str) -> str:
        col = columns.get(role)
        return row[col] if col is not None and col < len(row) else ""

    def schedule_of(row: list[str]) -> str:
        return "；".join(
            part for part in (cell(row, "schedule").strip(), _yearly_steps(row, year_columns)) if part
        )

    tasks: list[TaskRow] = []
    errors: list[dict] = []
    warnings: list[str] = []
    section: list[tuple[int, str]] = []  # the headings above the current row: (level, title)
    used_cols = set(columns.values()) | set(year_columns) | set(kept)
    for index in range(header_index + 1, len(grid)):
        row = grid[index]
        number = index + 1
        values = [c for c in row if c]
        if not values:
            continue
        distinct = list(dict.fromkeys(values))
        if row == header:  # the header again, after a page break
            continue
        seq, task_title = cell(row, "seq"), clean_title(cell(row, "title"))
        # A section heading spans the table (merged, so every cell holds it) or stands alone.
        if len(distinct) == 1 and (level := _section_level(distinct[0])) is not None:
            section = [*[(lvl, text) for lvl, text in section if lvl < level], (level, distinct[0][:200])]
            continue
        if len(distinct) == 1 and len(values) > 1:
            warnings.append(f"第 {number} 行是跨列的说明文字（“{distinct[0][:30]}”），不是任务，已忽略")
            continue
        continues_previous = tasks and (
            (not seq or seq == tasks[-1].seq) and (not task_title or task_title == tasks[-1].title)
        )
        if continues_previous:
            task = tasks[-1]
            if not seq and not task_title:
                warnings.append(
                    f"第 {number} 行没有序号和项目名称，已作为上一项任务（序号 {task.seq}）的续行"
                )
            task.summary = _append(task.summary, cell(row, "summary"))
            task.schedule = _append(task.schedule, schedule_of(row))
            for name in split_departments(cell(row, "lead")):
                if name not in task.lead:
                    task.lead.append(name)
            for name in split_departments(cell(row, "participating")):
                if name not in task.participating:
                    task.participating.append(name)
            for col, label in kept.items():
                task.extra[label] = _append(task.extra.get(label, ""), row[col] if col < len(row) else "")
            continue
        if not task_title:
            if len(distinct) == 1 and not any(
                row[c] for c in used_cols if c != columns.get("seq") and c < len(row)
            ):
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
                schedule=schedule_of(row),
                lead=lead,
                participating=[p for p in participating if p not in lead],
                section=[text for _, text in section],
                extra={
                    label: row[col].strip()
                    for col, label in kept.items()
                    if col < len(row) and row[col].strip()
                },
            )
        )
    if "seq" not in columns:
        for number, task in enumerate(tasks, start=1):
            task.seq = str(number)
        warnings.append("表中没有“序号”列，已按行顺序编号")
    if kept:
        warnings.append(f"表中的 {'、'.join(kept.values())} 列已原样保留在各任务中（任务页可见，导出时写回）")
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
    start_year, end_year = period if period else (None, None)
    return ReadTable(title, doc_number, start_year, end_year, tasks, errors, warnings, columns,
                     list(kept.values()), year_columns, school_year, default_year)  # fmt: skip
