"""The schedule parser: free-text 进度安排 ("4 月：…；7-8 月：…；10月底前：…") → dated milestones.

A pure function of (text, plan period). It never raises: text it cannot date becomes one milestone marked
for review. Due dates: a month → its last day; 底前 → the last day; 初/上旬 → the 10th; 中旬 → the 20th; a day
→ that day; a year → 31 December; a range → from the start of its first part to the end of its last.
"""

from __future__ import annotations

import calendar
import html
import re
from dataclasses import dataclass, field
from datetime import date

PERIOD = "period"  # a window with a start and a due date (a month, a range, a year …)
DEADLINE = "deadline"  # by a date (10月底前, 2020年之前, "六一"前)
DAY = "day"  # on a given day (12月9日前后)
RECURRING = "recurring"  # one occurrence of 每月 / 每季度 / 每半年 / 每年 / 每两个月
ONGOING = "ongoing"  # 持续推进, 常态化: reported on, never overdue
REVIEW = "review"  # could not be dated: a person must look

MAX_TEXT = 20_000  # longer input is cut: no schedule cell is this long, and the parser stays linear


@dataclass(frozen=True)
class ParsedMilestone:
    raw: str
    start: date | None
    due: date | None
    kind: str
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "raw": self.raw,
            "start": self.start.isoformat() if self.start else None,
            "due": self.due.isoformat() if self.due else None,
            "kind": self.kind,
        }


# --- normalisation --------------------------------------------------------------------------------

_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_BLOCK_TAGS = re.compile(r"<\s*/?\s*(?:p|br|li|div|tr|td)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]{0,200}>")
_DASHES = re.compile(r"[—–－~～〜―‐]+|(?<=[\d月年])[至到](?=\d)")
_SPACE_NEAR_DATE = re.compile(r"\s+(?=[\d年月日底初中上下前半-])|(?<=[\d年月日-])\s+")
_QUOTES = re.compile(r"[\"'“”‘’「」『』]")


def normalise(text: str) -> str:
    text = html.unescape(str(text or "")[:MAX_TEXT])
    text = _BLOCK_TAGS.sub("\n", text)
    text = _ANY_TAG.sub("", text)
    text = text.translate(_DIGITS).replace("\u3000", " ").replace("\xa0", " ")
    text = _DASHES.sub("-", text)
    return _SPACE_NEAR_DATE.sub("", text)


# --- date heads -------------------------------------------------------------------------------------

FESTIVALS = {"元旦": (1, 1), "五四": (5, 4), "六一": (6, 1), "七一": (7, 1), "八一": (8, 1), "国庆": (10, 1),
             "十一": (10, 1), "一二九": (12, 9)}  # fmt: skip
_FEST = "|".join(sorted(FESTIVALS, key=len, reverse=True))
_PREFIX = r"(?:截至|截止|力争|争取|计划|预计|到|在|于|从)?"
_MONTH_MOD = r"(?P<mod>底前|底|末|初|上旬|中下旬|中旬|下旬|前|份)?"

HEADS = [
    ("half_range", re.compile(r"(?P<y1>\d{4})年(?P<h1>上|下)半年-(?P<y2>\d{4})年(?:(?P<h2>上|下)半年)?")),
    ("year_range", re.compile(r"(?P<y1>\d{4})年?-(?P<y2>\d{4})年(?P<mod>底前|底|前)?")),
    ("half", re.compile(r"(?P<y1>\d{4})年(?P<h1>上|下)半年(?P<mod>前|底前|底)?")),
    ("festival", re.compile(rf"(?:(?P<y1>\d{{4}})年)?(?P<fest>{_FEST})(?:节)?(?P<mod>前后|前|期间)")),
    ("day", re.compile(r"(?:(?P<y1>\d{4})年)?(?P<m1>\d{1,2})月(?P<d>\d{1,2})日(?P<mod>前后|左右|前)?")),
    ("month_range", re.compile(r"(?:(?P<y1>\d{4})年)?(?P<m1>\d{1,2})月?-(?P<m2>\d{1,2})月" + _MONTH_MOD)),
    ("month", re.compile(r"(?:(?P<y1>\d{4})年)?(?P<m1>\d{1,2})月" + _MONTH_MOD)),
    ("year", re.compile(r"(?P<y1>\d{4})年(?:度)?(?P<mod>年底前|年底|底前|底|末|之前|以前|前|全年)?")),
]
_BULLET = re.compile(r"^\s*(?:[(（]?\d{1,2}[)）]|\d{1,2}[.、](?!\d)|[一二三四五六七八九十]+[、.])\s*")
# A date head in the middle of a run-on text ("…工作5月：…") starts a new milestone when a colon or
# comma follows it.
_MIDTEXT_HEAD = re.compile(
    r"(?<![\d年月-])(?:\d{4}年(?:[上下]半年)?(?:-\d{4}年)?|(?:\d{4}年)?\d{1,2}月?(?:-\d{1,2})?月"
    r"(?:底前|底|末|初|上旬|中下旬|中旬|下旬|份)?(?:\d{1,2}日(?:前后|左右|前)?)?)[:：,，]"
)
_SEPARATORS = re.compile(r"[;；。\n]+")
# A deadline inside a sentence ("…，到2019年底，团员成为注册志愿者比例达到91%以上") dates a segment that
# has no date at its start; the leading word keeps titles like 《2019年…汇编》 out.
_INLINE_DEADLINE = re.compile(r"(?:到|截至|截止|于|在)(\d{4}年(?:\d{1,2}月)?(?:底前|年底|底|末|前)?)")

RECURRING_RULES = [  # (pattern, months per occurrence, label)
    (re.compile(r"每(?:两|2)个?月"), 2, "每两个月"),
    (re.compile(r"每(?:个)?月"), 1, "每月"),
    (re.compile(r"每(?:一)?季度?(?!节)"), 3, "每季度"),
    (re.compile(r"每半年"), 6, "每半年"),
    (re.compile(r"每(?:一)?年(?!级)"), 12, "每年"),
]
_YEAR_FROM = re.compile(r"^\d{4}年(?:起|开始)")
ONGOING_WORDS = re.compile(r"持续推进|常态化|长期坚持|长期开展|持续开展|长效|全年持续")


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class _Context:
    start_year: int
    end_year: int
    year: int | None = None  # the last explicit year seen, carried to later bare months
    notes: list[str] = field(default_factory=list)

    def year_for_month(self, explicit: str | None) -> int | None:
        if explicit:
            self.year = int(explicit)
            return self.year
        if self.year is not None:
            return self.year
        if self.start_year == self.end_year:
            return self.start_year
        return None


def _sane_year(year: int, ctx: _Context) -> bool:
    return ctx.start_year - 5 <= year <= ctx.end_year + 10


def _date_head(segment: str, ctx: _Context) -> tuple[date | None, date | None, str, str] | None:
    """Parse the date expression at the start of a segment: (start, due, kind, note) or None."""
    body = _QUOTES.sub("", _BULLET.sub("", segment, count=1))
    prefix = re.match(_PREFIX, body)
    body = body[prefix.end() :]
    for name, pattern in HEADS:
        match = pattern.match(body)
        if match is None:
            continue
        g = match.groupdict()
        try:
            return _interpret(name, g, ctx)
        except ValueError:
            return None, None, REVIEW, "日期无效"
    return None


def _interpret(name: str, g: dict, ctx: _Context) -> tuple[date | None, date | None, str, str]:
    mod = g.get("mod") or ""
    if name in {"year", "year_range", "half", "half_range"}:
        y1 = int(g["y1"])
        y2 = int(g.get("y2") or y1)
        if not (_sane_year(y1, ctx) and _sane_year(y2, ctx)) or y2 < y1:
            return None, None, REVIEW, "年份超出计划期"
        ctx.year = y2
        if name in {"half", "half_range"}:
            start = date(y1, 1 if g["h1"] == "上" else 7, 1)
            h2 = g.get("h2") if name == "half_range" else g["h1"]
            due = date(y2, 6, 30) if h2 == "上" else date(y2, 12, 31)
        else:
            start, due = date(y1, 1, 1), date(y2, 12, 31)
        if mod == "全年":
            return start, due, PERIOD, ""
        if mod:
            return None, due, DEADLINE, ""
        return start, due, PERIOD, ""
    if name == "festival":
        year = ctx.year_for_month(g.get("y1"))
        if year is None:
            return None, None, REVIEW, "无法确定年份"
        month, day = FESTIVALS[g["fest"]]
        when = date(year, month, day)
        return (None, when, DEADLINE, "") if mod == "前" else (when, when, DAY, "")
    year = ctx.year_for_month(g.get("y1"))
    if year is None:
        return None, None, REVIEW, "无法确定年份（多年计划中只写了月份）"
    if not _sane_year(year, ctx):
        return None, None, REVIEW, "年份超出计划期"
    m1 = int(g["m1"])
    if name == "day":
        when = date(year, m1, int(g["d"]))
        return (None, when, DEADLINE, "") if mod == "前" else (when, when, DAY, "")
    if name == "month_range":
        m2 = int(g["m2"])
        if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
            raise ValueError("month")
        end_year = year + 1 if m2 < m1 else year
        start = date(year, m1, 1)
        _, due, _, _ = _month(end_year, m2, mod)
        return start, due, PERIOD, ""
    return _month(year, m1, mod)


def _month(year: int, month: int, mod: str) -> tuple[date | None, date | None, str, str]:
    if not 1 <= month <= 12:
        raise ValueError("month")
    last = _last_day(year, month)
    if mod in {"底前", "底", "末", "前"}:
        return None, last, DEADLINE, ""
    if mod in {"初", "上旬"}:
        return date(year, month, 1), date(year, month, 10), PERIOD, ""
    if mod == "中旬":
        return date(year, month, 11), date(year, month, 20), PERIOD, ""
    if mod == "中下旬":
        return date(year, month, 11), last, PERIOD, ""
    if mod == "下旬":
        return date(year, month, 21), last, PERIOD, ""
    return date(year, month, 1), last, PERIOD, ""


def _recurring(segment: str, ctx: _Context) -> list[ParsedMilestone] | None:
    for pattern, step, label in RECURRING_RULES:
        if pattern.search(segment):
            first_year = ctx.start_year
            explicit = re.search(r"(\d{4})年(?:起|开始)", segment)
            if explicit and ctx.start_year <= int(explicit.group(1)) <= ctx.end_year:
                first_year = int(explicit.group(1))
            out = []
            for year in range(first_year, ctx.end_year + 1):
                for month in range(step, 13, step):
                    start = date(year, month - step + 1, 1)
                    out.append(ParsedMilestone(segment, start, _last_day(year, month), RECURRING, label))
            return out
    return None


def _segments(text: str) -> list[str]:
    parts = []
    for piece in _SEPARATORS.split(text):
        cuts = [m.start() for m in _MIDTEXT_HEAD.finditer(piece) if m.start() > 0]
        bounds = [0, *cuts, len(piece)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            chunk = piece[a:b].strip(" ,，、:：")
            if chunk:
                parts.append(chunk)
    return parts


def parse_schedule(text: str, start_year: int, end_year: int | None = None) -> list[ParsedMilestone]:
    """Milestones of a schedule text within a plan period (start_year – end_year). Never raises."""
    end_year = end_year if end_year is not None else start_year
    if end_year < start_year:
        start_year, end_year = end_year, start_year
    original = str(text or "").strip()
    try:
        cleaned = normalise(original).strip()
        return _parse(cleaned, start_year, end_year) if cleaned else []
    except Exception:  # noqa: BLE001 - the contract is "never raises": a person reviews what we could not read
        return [ParsedMilestone(original[:500], None, None, REVIEW, "解析出错")]


def _parse(text: str, start_year: int, end_year: int) -> list[ParsedMilestone]:
    ctx = _Context(start_year, end_year)
    out: list[ParsedMilestone] = []
    preamble = ""  # undated text before the first date belongs to the first milestone
    for segment in _segments(text):
        segment_with_preamble = f"{preamble}；{segment}" if not out and preamble else segment
        # "2020年起，每季度…" is a recurring rule starting that year, not the year 2020.
        head = None if _YEAR_FROM.match(segment) and _recurring(segment, ctx) else _date_head(segment, ctx)
        if head is not None:
            start, due, kind, note = head
            out.append(ParsedMilestone(segment_with_preamble, start, due, kind, note))
            continue
        inline = _INLINE_DEADLINE.search(segment)
        if inline is not None:
            head = _date_head(inline.group(1), ctx)
            if head is not None and head[2] != REVIEW:
                start, due, _kind, note = head
                out.append(ParsedMilestone(segment_with_preamble, None, due, DEADLINE, note))
                continue
        recurring = _recurring(segment, ctx)
        if recurring:
            out.extend(recurring)
            continue
        if ONGOING_WORDS.search(segment):
            out.append(ParsedMilestone(segment_with_preamble, None, None, ONGOING, ""))
            continue
        if out:  # text that carries on the previous milestone
            last = out[-1]
            out[-1] = ParsedMilestone(f"{last.raw}；{segment}", last.start, last.due, last.kind, last.note)
        else:
            preamble = segment_with_preamble
    if not out and preamble:
        return [ParsedMilestone(preamble[:2000], None, None, REVIEW, "未识别出时间")]
    return out
