"""The schedule parser: free-text 进度安排 ("4 月：…；7-8 月：…；10月底前：…；2021—2022年，…") → dated
milestones.

A pure function of (text, plan period). It never raises: text it cannot date becomes a milestone marked for
review, and it never invents a date — every date comes from words in the text (a year, month, day, quarter,
half-year, festival, school term) or, for a bare month, from the year the text or a one-year plan gives.

The text is cut into clauses (；。 and line breaks), clauses into steps (at commas where a new date head
starts a phrase: "2019年部署试点，次年全面推开" is two steps). A step's date head gives its start and due
date:
a month → its last day; 底前/末 → a deadline on the last day; 初/上旬 → the 1st–10th; 中旬 → the 11th–20th;
下旬 → the 21st–last; a day → that day; a quarter, half or year → its last day; a range → from the start of
its first part to the end of its last. A bare year followed by months in the same clause only says which
year they are in. 每月/每季度/每年/逐年 … expand over the years their step names (else the plan's).
"""

from __future__ import annotations

import calendar
import html
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

PERIOD = "period"  # a window with a start and a due date (a month, a range, a year …)
DEADLINE = "deadline"  # by a date (10月底前, 2020年之前, "六一"前)
DAY = "day"  # on a given day (12月9日前后)
RECURRING = "recurring"  # one occurrence of 每月 / 每季度 / 每半年 / 每年 / 逐年 / 每两个月
ONGOING = "ongoing"  # 持续推进, 常态化: reported on, never overdue
REVIEW = "review"  # could not be dated: a person must look

SCHOOL_YEAR_FIRST_MONTH = 9
MAX_TEXT = 20_000  # longer input is cut: no schedule cell is this long, and the parser stays linear
MIN_YEAR, MAX_YEAR = 2000, 2100


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

_DIGITS = str.maketrans("０１２３４５６７８９ＸＸｘ×", "0123456789XXXX")
_BLOCK_TAGS = re.compile(r"<\s*/?\s*(?:p|br|li|div|tr|td)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]{0,200}>")
_DASHES = re.compile(
    r"[—–－~～〜―‐]+|(?<=[\d月年日号旬底末初])[至到](?=(?:次年)?\d)|(?<=[一二三四])[至到](?=第?[一二三四]季度)"
    r"|(?<=月)[至到](?=年底|年末)"
)
# Spaces, not line breaks: a line break before "年底前" still starts a new step.
_SPACE_NEAR_DATE = re.compile(r"[^\S\n]+(?=[\d年月日号底初中上下前半季X-])|(?<=[\d年月日号X-])[^\S\n]+")
_QUOTES = re.compile(r"[\"'“”‘’「」『』]")
_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9}  # fmt: skip
_CN_YEAR = re.compile(r"([〇零○一二三四五六七八九]{4})(?=年)")
_CN_MONTH_DAY = re.compile(
    r"(?:(?<![\u4e00-\u9fff])|(?<=[年至到批]))([一二三四五六七八九十]{1,3})(?=月|日|号|[至到-][一二三四五六七八九十]{1,3}月)"
    r"|(?<=月)([一二三四五六七八九十]{1,3})(?=日|号)"
)


def _cn_number(text: str) -> int | None:
    """一 … 三十一 as a number; None when it is not one."""
    if not text or any(ch not in "一二三四五六七八九十" for ch in text):
        return None
    if "十" not in text:
        return _CN_DIGIT[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)


def _cn_month_day(match: re.Match) -> str:
    number = _cn_number(match.group(1) or match.group(2))
    return str(number) if number is not None and 1 <= number <= 31 else match.group(0)


_INTERPUNCT = re.compile(r"(?<=[一二三四五六七八九十])[·•・‧](?=[一二三四五六七八九十])")
_DOTTED_DAY = re.compile(r"(?<![\d.])(\d{1,2})[·•・‧](\d{1,2})(?![\d.])")


def _dotted_day(match: re.Match) -> str:
    month, day = int(match.group(1)), int(match.group(2))
    return f"{month}月{day}日" if 1 <= month <= 12 and 1 <= day <= 31 else match.group(0)


_SHARED_HALF = re.compile(r"([上下])、([上下])半年")
_SHARED_QUARTER = re.compile(r"(?<![一二三四五六七八九十])([一二三四])、([一二三四])季度")


def normalise(text: str) -> str:
    text = html.unescape(str(text or "")[:MAX_TEXT])
    text = _BLOCK_TAGS.sub("\n", text)
    text = _ANY_TAG.sub("", text)
    text = text.translate(_DIGITS).replace("\u3000", " ").replace("\xa0", " ")
    text = _CN_YEAR.sub(lambda m: "".join(str(_CN_DIGIT[ch]) for ch in m.group(1)), text)
    text = _CN_MONTH_DAY.sub(_cn_month_day, text)
    text = _DASHES.sub("-", text)
    text = _INTERPUNCT.sub("", text)  # “一二·九”
    text = _DOTTED_DAY.sub(_dotted_day, text)  # “5·25” → 5月25日
    text = _SHARED_HALF.sub(r"\1半年、\2半年", text)  # 上、下半年 → 上半年、下半年
    while _SHARED_QUARTER.search(text):  # 一、三季度 → 一季度、三季度
        text = _SHARED_QUARTER.sub(r"\1季度、\2季度", text)
    return _SPACE_NEAR_DATE.sub("", text)


# --- dates ------------------------------------------------------------------------------------------


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


FESTIVALS = {
    "元旦": (1, 1), "五四": (5, 4), "青年节": (5, 4), "五四青年节": (5, 4), "六一": (6, 1), "儿童节": (6, 1),
    "六一儿童节": (6, 1), "七一": (7, 1), "建党节": (7, 1), "七一建党节": (7, 1), "八一": (8, 1),
    "建军节": (8, 1), "八一建军节": (8, 1), "国庆": (10, 1), "国庆节": (10, 1), "一二九": (12, 9),
    "学雷锋日": (3, 5), "国际志愿者日": (12, 5), "国家宪法日": (12, 4), "植树节": (3, 12), "五一": (5, 1),
    "劳动节": (5, 1), "教师节": (9, 10), "国家安全教育日": (4, 15), "世界读书日": (4, 23),
    "国际禁毒日": (6, 26), "烈士纪念日": (9, 30), "国家公祭日": (12, 13),
}  # fmt: skip
# Festivals of the lunar calendar (month, day), and the solar month they fall in or near (for school years).
LUNAR_FESTIVALS = {
    "春节": ((1, 1), 1), "元宵": ((1, 15), 2), "端午": ((5, 5), 6), "七夕": ((7, 7), 8), "中秋": ((8, 15), 9),
    "重阳": ((9, 9), 10),
}  # fmt: skip
_FEST = "|".join(sorted([*FESTIVALS, *LUNAR_FESTIVALS, "清明"], key=len, reverse=True))


def festival_day(name: str, year: int) -> date | None:
    """The day a festival falls on in a year; None when it cannot be told."""
    if name in FESTIVALS:
        return date(year, *FESTIVALS[name])
    if name == "清明":  # the solar term: 4 April in years ≡ 0, 1 (mod 4), 5 April otherwise, 2008–2047
        return date(year, 4, 4 if year % 4 in (0, 1) else 5) if 2008 <= year <= 2047 else None
    from lunardate import LunarDate  # only when a lunar festival is named

    try:
        return LunarDate(year, *LUNAR_FESTIVALS[name][0]).to_solar_date()
    except ValueError:  # outside the library's years
        return None


def festival_month(name: str) -> int:
    if name in FESTIVALS:
        return FESTIVALS[name][0]
    return 4 if name == "清明" else LUNAR_FESTIVALS[name][1]


# Words before a date that do not change it; "即日起至6月底" is due at the end of June.
_PREFIX = re.compile(
    r"(?:自?即日起[至到-]?|截至|截止|力争|争取|计划|预计|确保|务必|至迟|最迟|分别于|分别在|均于|到|在|于|从|自"
    r"|(?:分[一二两三四五]批[:：]?)?第[一二三四五]批次?[:：]?)+"
)
_BULLET = re.compile(
    r"^\s*(?:[(（]?\d{1,2}[)）]|\d{1,2}[.、．](?!\d)|(?P<cn>[一二三四五六七八九十]+)[、.．])\s*"
)
_YEAR_TOKEN = r"(?:\d{4}|X{1,4})"
_REL_YEAR = {"次年": 1, "翌年": 1, "下一年": 1, "明年": 1,
             "当年": 0, "同年": 0, "本年": 0, "今年": 0}  # fmt: skip
_REL = "|".join(sorted(_REL_YEAR, key=len, reverse=True))
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

_YEAR_RANGE = re.compile(
    r"(?P<y1>\d{4})年?(?:(?P<h1>上|下)半年)?-(?P<y2>\d{4})(?:年|(?=[:：,，]|$))"
    r"(?:(?P<h2>上|下)半年)?"
    r"(?P<mod>年底前|底前|年底|底|年末|末|之前|以前|前)?"
)
_YEAR = re.compile(
    rf"(?P<y>{_YEAR_TOKEN})(?:年度|年)|(?P<ybare>\d{{4}})(?=[:：])|(?P<rel>{_REL})|第(?P<ord>[二三四五六七八九十])年"
)
_Q = r"[一二三四1-4]"
_YEAR_PARTS = [  # after a year (2020年三季度) or, in the year the text is in, on their own (三季度)
    ("quarters", re.compile(rf"第?(?P<qa>{_Q})(?:季度)?-第?(?P<qb>{_Q})季度(?P<mod>末|底前|底|前)?")),
    ("half", re.compile(r"(?P<h>上|下)半年(?P<mod>末|底前|底|前)?")),
    ("seasons", re.compile(r"春秋两季|春秋季|春、秋两?季")),  # spring (3–5) and autumn (9–11), each
    ("season", re.compile(r"(?P<season>[春夏秋])季(?!学期)(?P<mod>末|底前|底|前)?")),
    (
        "quarter",
        re.compile(rf"(?:第(?P<q>{_Q})季度|(?P<q1>[一二三四])季度|[Qq](?P<q2>[1-4]))(?P<mod>末|底前|底|前)?"),
    ),  # fmt: skip
]
_AFTER_YEAR = [
    *_YEAR_PARTS,
    ("middle", re.compile(r"(?P<mod>年中)")),
    ("end", re.compile(r"(?P<mod>年底前|年底|底前|年末|年终|底|末|终|之前|以前|前)")),
    ("within", re.compile(r"(?P<mod>年内|内|全年)")),
    ("from", re.compile(r"(?P<mod>起|开始|以来)")),
    ("after", re.compile(r"(?P<mod>以后|之后|后)")),
]
_BARE_YEAR_LEVEL = [
    *_YEAR_PARTS,
    ("middle", re.compile(r"(?P<mod>年中)")),
    ("end", re.compile(r"(?P<mod>年底前|年底|年末|年终|岁末)")),
    ("within", re.compile(r"(?P<mod>年内|全年)")),
]
_WINDOW_MODS = "上中旬|中下旬|上旬|中旬|下旬|初|底|末"
_MONTH_MOD = r"(?P<mod>前后|左右|底前|中下旬|上中旬|上旬|中旬|下旬|前夕|初|中|底|末|前|起|开始|以后|后|份)?"
_MONTH = re.compile(
    r"(?P<m1>\d{1,2}|X{1,2})(?:月份?(?:(?P<d1>\d{1,2}|X{1,2})[日号])?)?"
    rf"(?P<mod1>{_WINDOW_MODS})?"
    r"(?:-(?P<next>次年)?(?:(?P<y2>\d{4})年)?(?P<m2>\d{1,2})月份?(?:(?P<d2>\d{1,2})[日号])?|-(?P<d2only>\d{1,2})[日号]"
    r"|-(?P<yearend>年底|年末))?" + _MONTH_MOD
)
_FESTIVAL = re.compile(rf"(?P<fest>{_FEST})(?:节)?(?P<mod>前后|左右|前夕|前|期间|当天|当日)?")
# A festival at the head of a step is its date when what follows is something done on it ("五四举行入团仪式"),
# not when it names something else ("五四精神", "国庆主题").
_FESTIVAL_ACT = re.compile(r"举行|举办|开展|召开|组织|表彰|启动|集中|发布|评选|完成|纪念日|当天|期间")
_TERM_START = re.compile(r"(?:秋季|新学期|新学年)?开学初")
_SCHOOL = re.compile(r"(?P<what>寒暑假|寒假|暑假|暑期|春季学期|秋季学期|上学期|下学期)(?P<mod>期间|前)?")


@dataclass
class Head:
    """What a step's date head says."""

    start: date | None
    due: date | None
    kind: str
    level: str  # year / month / from / review
    years: tuple[int, int] | None = None  # the years a recurring phrase in the step runs over
    from_month: int | None = None  # 5月起: recurring from that month
    note: str = ""
    extra: list[Head] = field(default_factory=list)  # more windows of the same step (寒暑假, 3月、9月)
    end: int = 0  # where the head ends in the step's text (after the prefix words)


@dataclass
class _Context:
    start_year: int | None
    end_year: int | None
    # The year a bare month means in a one-year plan whose period was widened by an explicit year.
    default_year: int | None = None
    year: int | None = None  # the last year the text named, carried to later bare months
    first_year: int | None = None  # the first year the text named: 第三年 counts from it
    last_due: date | None = None  # the due date of the step before: 次月, 此后 follow it
    # A school-year plan (2024—2025学年: 2024): a bare September–December is in its first year,
    # January–August in its second.
    school_year: int | None = None

    @property
    def single_year(self) -> int | None:
        if self.default_year is not None:
            return self.default_year
        return self.start_year if self.start_year is not None and self.start_year == self.end_year else None

    @property
    def academic_start(self) -> int | None:
        return self.school_year if self.year is None else None

    def bare_year(self, first_month: int | None = None, last_month: int | None = None) -> int | None:
        """The year of a date that names no year, given the months it spans (in a school-year plan)."""
        if self.year is not None or self.academic_start is None or first_month is None:
            return self.year if self.year is not None else self.single_year
        last_month = last_month or first_month
        if first_month >= SCHOOL_YEAR_FIRST_MONTH and last_month >= first_month:
            return self.academic_start
        if last_month < SCHOOL_YEAR_FIRST_MONTH:
            return self.academic_start + 1
        return None  # 下半年, 三季度: across the two years

    def academic_window(self) -> tuple[date, date] | None:
        if self.school_year is None:
            return None
        return date(self.school_year, SCHOOL_YEAR_FIRST_MONTH, 1), date(self.school_year + 1, 8, 31)


def _review(note: str) -> Head:
    return Head(None, None, REVIEW, "review", note=note)


def _year_ok(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


_END_WORDS = {"底前", "底", "末", "前", "年底前", "年底", "年末", "年终", "终", "之前", "以前", "岁末",
              "前夕"}  # fmt: skip


def _ends(mod: str | None) -> bool:
    return bool(mod) and mod in _END_WORDS


def _window(start: date, due: date, mod: str | None, level: str = "year") -> Head:
    years = (start.year, due.year)
    return Head(None if _ends(mod) else start, due, DEADLINE if _ends(mod) else PERIOD, level, years)


def _year_part(name: str, g: dict, year: int) -> Head:
    mod = g.get("mod")
    if name == "quarters":
        qa, qb = _QUARTERS[g["qa"]], _QUARTERS[g["qb"]]
        if qb < qa:
            return _review("季度范围无效")
        return _window(date(year, 3 * qa - 2, 1), _last_day(year, 3 * qb), mod)
    if name == "half":
        first = g["h"] == "上"
        start, due = (
            (date(year, 1, 1), date(year, 6, 30)) if first else (date(year, 7, 1), date(year, 12, 31))
        )
        return _window(start, due, mod)
    if name == "quarter":
        q = _QUARTERS[g.get("q") or g.get("q1") or g["q2"]]
        return _window(date(year, 3 * q - 2, 1), _last_day(year, 3 * q), mod)
    if name == "seasons":
        spring = _window(date(year, 3, 1), date(year, 5, 31), None)
        spring.extra.append(_window(date(year, 9, 1), date(year, 11, 30), None))
        return spring
    if name == "season":
        first = {"春": 3, "夏": 6, "秋": 9}[g["season"]]
        return _window(date(year, first, 1), _last_day(year, first + 2), mod)
    if name == "end":
        return Head(None, date(year, 12, 31), DEADLINE, "year", (year, year))
    if name == "middle":  # 年中: by the end of June
        return Head(None, date(year, 6, 30), DEADLINE, "year", (year, year))
    return Head(date(year, 1, 1), date(year, 12, 31), PERIOD, "year", (year, year))


def _iso(body: str) -> tuple[Head | None, int]:
    match = _ISO_DATE.match(body)
    if match is None:
        return None, 0
    try:
        when = date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
    except ValueError:
        return _review("日期无效"), match.end()
    if not _year_ok(when.year):
        return _review("年份无效"), match.end()
    return Head(None, when, DEADLINE, "month", (when.year, when.year)), match.end()


_ONWARDS = re.compile(r"起|开始|以后")


def _after_year(body: str, year: int, ctx: _Context) -> tuple[Head | None, int]:
    """The part of a head after its year: 上半年, 三季度, 底前, 内, 起, 后, a month, a festival … or
    nothing."""
    head, end = _iso(body)
    if head is not None:
        return head, end
    for name, pattern in _AFTER_YEAR:
        match = pattern.match(body)
        if match is None:
            continue
        if name in {"from", "after"}:
            first = year + 1 if name == "after" else year
            last = max(ctx.end_year or year, year, first)
            return Head(date(first, 1, 1), date(last, 12, 31), PERIOD, "from", (first, last)), match.end()
        part = _year_part(name, match.groupdict(), year)
        onwards = _ONWARDS.match(body, match.end())
        if onwards and part.kind != REVIEW and name in {"half", "quarter", "quarters"}:  # 2025年下半年起
            last = max(ctx.end_year or year, year)
            start = part.start or date(year, 1, 1)
            head = Head(start, date(last, 12, 31), PERIOD, "from", (year, last), from_month=start.month)
            return head, onwards.end()
        return part, match.end()
    month = _MONTH.match(body)
    if month is not None and "月" in month.group(0):
        return _month(month, year), month.end()
    festival = _FESTIVAL.match(body)
    if festival is not None:
        return _festival(festival, year), festival.end()
    school = _SCHOOL.match(body)
    if school is not None:
        return _school(school, year), school.end()
    return None, 0


def _month(match: re.Match, year: int | None) -> Head:
    g = match.groupdict()
    ranged = g["m2"] or g["d2only"] or g["yearend"]
    mod = g["mod"] or "" if ranged else (g["mod1"] or "") + (g["mod"] or "")
    if "X" in (g["m1"] or "") or "X" in (g["d1"] or "") or year is None and "X" in match.group(0):
        return _review("时间待定（原文用 X 占位）")
    if year is None:
        return _review("无法确定年份（多年计划中只写了月份）")
    m1 = int(g["m1"])
    if not 1 <= m1 <= 12:
        return _review("月份无效")
    try:
        if g["d1"] and not ranged:  # a day: 12月9日（前／前后）
            when = date(year, m1, int(g["d1"]))
            if mod in {"前", "前夕"}:
                return Head(None, when, DEADLINE, "month")
            return Head(when, when, DAY, "month")
        if g["yearend"]:  # 3月至年底
            start = date(year, m1, int(g["d1"])) if g["d1"] else _month_window(year, m1, g["mod1"] or "")[0]
            return Head(start, date(year, 12, 31), PERIOD, "month", (year, year))
        if g["d2only"]:  # 3月5日-10日
            first = date(year, m1, int(g["d1"] or 1))
            return Head(first, date(year, m1, int(g["d2only"])), PERIOD, "month")
        if g["m2"]:  # 7-8月, 8月下旬至9月上旬, 9月-次年6月, 2022年9月至2023年6月, 3月5日-4月10日
            m2 = int(g["m2"])
            if not 1 <= m2 <= 12:
                return _review("月份无效")
            end_year = int(g["y2"]) if g["y2"] else year + 1 if g["next"] or m2 < m1 else year
            if end_year < year or not _year_ok(end_year):
                return _review("日期范围无效")
            start = date(year, m1, int(g["d1"])) if g["d1"] else _month_window(year, m1, g["mod1"] or "")[0]
            due = date(end_year, m2, int(g["d2"])) if g["d2"] else _month_window(end_year, m2, mod)[1]
            return Head(start, due, PERIOD, "month", (year, end_year))
    except ValueError:
        return _review("日期无效")
    if mod in {"起", "开始", "以后", "后"}:
        return Head(date(year, m1, 1), date(year, 12, 31), PERIOD, "month", (year, year), from_month=m1)
    if mod.endswith("前") and mod[:-1] in {"上旬", "中旬", "下旬", "上中旬", "中下旬", "初", "中"}:
        return Head(None, _month_window(year, m1, mod[:-1])[1], DEADLINE, "month", (year, year))
    start, due = _month_window(year, m1, mod)
    kind = DEADLINE if mod in {"底前", "底", "末", "前", "前夕"} else PERIOD
    return Head(None if kind == DEADLINE else start, due, kind, "month", (year, year))


def _month_window(year: int, month: int, mod: str) -> tuple[date, date]:
    last = _last_day(year, month)
    return {
        "初": (date(year, month, 1), date(year, month, 10)),
        "上旬": (date(year, month, 1), date(year, month, 10)),
        "上中旬": (date(year, month, 1), date(year, month, 20)),
        "中": (date(year, month, 11), date(year, month, 20)),
        "中旬": (date(year, month, 11), date(year, month, 20)),
        "中下旬": (date(year, month, 11), last),
        "下旬": (date(year, month, 21), last),
    }.get(mod, (date(year, month, 1), last))


def _festival(match: re.Match, year: int | None) -> Head:
    if year is None:
        return _review("无法确定年份")
    when = festival_day(match.group("fest"), year)
    if when is None:
        return _review(f"无法确定{match.group('fest')}的日期")
    if (match.group("mod") or "") in {"前", "前夕"}:
        return Head(None, when, DEADLINE, "month")
    return Head(when, when, DAY, "month")


def _school(match: re.Match, year: int | None) -> Head:
    if year is None:
        return _review("无法确定年份")
    what, mod = match.group("what"), match.group("mod") or ""
    if mod == "前":
        if what in {"暑假", "暑期"}:
            return Head(None, date(year, 6, 30), DEADLINE, "month")
        return _review("无法确定假期开始的日期")
    summer = Head(date(year, 7, 1), date(year, 8, 31), PERIOD, "month")
    winter = Head(date(year, 1, 1), _last_day(year, 2), PERIOD, "month")
    if what in {"暑假", "暑期"}:
        return summer
    if what == "寒假":
        return winter
    if what == "寒暑假":
        return Head(winter.start, winter.due, PERIOD, "month", extra=[summer])
    if what in {"秋季学期", "上学期"}:
        return Head(date(year, 9, 1), date(year + 1, 1, 31), PERIOD, "month")
    return Head(date(year, 2, 1), date(year, 7, 31), PERIOD, "month")


_NOT_TEMPORAL = re.compile(r"^(?:的|基础|工作基础|数据|水平)")
# A date as a spreadsheet writes it (a 完成时限 cell): 2019-04-30, 2019/4/30, 2019.4.30 — due that day.
_ISO_DATE = re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")
# Placeholder cells of a by-year column ("/", "—", "无") say "nothing this year".
_NOTHING = re.compile(r"^[\s/／\\\-—–_、无暂空]*$")


def says_nothing(text: str) -> bool:
    """A placeholder cell ("/", "—", "无") of a by-year column: nothing is due that year."""
    return bool(_NOTHING.match(str(text or "")))


def _one_head(body: str, ctx: _Context) -> tuple[Head | None, int]:
    """The date expression at the start of `body` and where it ends, or (None, 0)."""
    head, end = _iso(body)
    if head is not None:
        if head.kind != REVIEW:
            ctx.year = head.due.year
        return head, end
    match = _YEAR_RANGE.match(body)
    if match is not None:
        g = match.groupdict()
        y1, y2 = int(g["y1"]), int(g["y2"])
        if not (_year_ok(y1) and _year_ok(y2)) or y2 < y1:
            return _review("年份无效"), match.end()
        ctx.year = y2
        ctx.first_year = y1 if ctx.first_year is None else ctx.first_year
        start = date(y1, 1 if g["h1"] != "下" else 7, 1)
        due = date(y2, 6, 30) if g["h2"] == "上" else date(y2, 12, 31)
        if g["mod"]:
            return Head(None, due, DEADLINE, "year", (y1, y2)), match.end()
        return Head(start, due, PERIOD, "year", (y1, y2)), match.end()
    match = _YEAR.match(body)
    if match is not None:
        g = match.groupdict()
        if g["rel"]:
            base = ctx.year if ctx.year is not None else ctx.single_year
            if base is None:
                return _review("无法确定“次年”“当年”指哪一年"), match.end()
            year = base + _REL_YEAR[g["rel"]]
        elif g["ord"]:  # "2025年试点，次年推开，第三年…": the third year counting from the first named
            base = ctx.first_year if ctx.first_year is not None else ctx.start_year
            if base is None:
                return _review("无法确定“第N年”指哪一年"), match.end()
            year = base + _cn_number(g["ord"]) - 1
        elif "X" in (g["y"] or ""):
            return _review("时间待定（原文用 X 占位）"), match.end()
        else:
            year = int(g["y"] or g["ybare"])
            if not _year_ok(year):
                return _review("年份无效"), match.end()
        rest = body[match.end() :]
        if _NOT_TEMPORAL.match(rest):
            return None, 0
        ctx.year = year
        if ctx.first_year is None and (g["y"] or g["ybare"]):
            ctx.first_year = year
        stripped = rest.lstrip(":：")  # 2021年：年底前 is 2021年底前
        head, end = _after_year(stripped, year, ctx)
        if head is not None:
            return head, match.end() + len(rest) - len(stripped) + end
        return Head(date(year, 1, 1), date(year, 12, 31), PERIOD, "year", (year, year)), match.end()
    for name, pattern in _BARE_YEAR_LEVEL:
        match = pattern.match(body)
        if match is None:
            continue
        window = ctx.academic_window()
        if name == "within" and window is not None:  # 全年 in a school-year plan: the school year
            return Head(window[0], window[1], PERIOD, "year", (window[0].year, window[1].year)), match.end()
        year = ctx.bare_year(*_months_of(name, match.groupdict()))
        if year is None:
            return _review("无法确定年份（多年计划中没有写哪一年）"), match.end()
        return _year_part(name, match.groupdict(), year), match.end()
    match = _FESTIVAL.match(body)
    ends_there = match is not None and (
        match.end() == len(body)
        or body[match.end()] in ":：,，、等"
        or _FESTIVAL_ACT.match(body, match.end())
    )
    if match is not None and (match.group("mod") or ends_there):
        month = festival_month(match.group("fest"))
        return _festival(match, ctx.bare_year(month)), match.end()
    match = _TERM_START.match(body)
    if match is not None and ctx.academic_start is not None:  # 开学初 of the school year: 1–10 September
        first = ctx.academic_start
        return Head(date(first, 9, 1), date(first, 9, 10), PERIOD, "month", (first, first)), match.end()
    match = _SCHOOL.match(body)
    if match is not None:
        autumn = match.group("what") in {"秋季学期", "上学期"}
        return _school(match, ctx.bare_year(SCHOOL_YEAR_FIRST_MONTH if autumn else 1)), match.end()
    match = _MONTH.match(body)
    if match is not None and "月" in match.group(0):
        month = int(match.group("m1")) if match.group("m1").isdigit() else None
        return _month(match, ctx.bare_year(month)), match.end()
    return None, 0


def _months_of(name: str, g: dict) -> tuple[int, int]:
    """The months a part of a year spans: 上半年 1–6, 三季度 7–9, 年底 12 …"""
    if name == "quarters":
        return 3 * _QUARTERS[g["qa"]] - 2, 3 * _QUARTERS[g["qb"]]
    if name == "half":
        return (1, 6) if g["h"] == "上" else (7, 12)
    if name == "quarter":
        q = _QUARTERS[g.get("q") or g.get("q1") or g["q2"]]
        return 3 * q - 2, 3 * q
    if name == "seasons":
        return 3, 11
    if name == "season":
        first = {"春": 3, "夏": 6, "秋": 9}[g["season"]]
        return first, first + 2
    if name == "end":
        return 12, 12
    if name == "middle":
        return 6, 6
    return 1, 12


def _strip(segment: str) -> str:
    bullet = _BULLET.match(segment)
    if bullet and (bullet.group("cn") is None or _cn_number(bullet.group("cn")) is not None):  # not "五四、"
        segment = segment[bullet.end() :]
    body = _QUOTES.sub("", segment).strip(" :：,，、")
    prefix = _PREFIX.match(body)
    return body[prefix.end() :] if prefix else body


_RELATIVE_START = re.compile(_REL)


def _following(body: str, ctx: _Context) -> tuple[Head | None, int]:
    """次月 (the month after the step before) and 此后 (from the step before on)."""
    match = _NEXT_MONTH.match(body)
    if match and ctx.last_due is not None:
        following = _last_day(ctx.last_due.year, ctx.last_due.month) + timedelta(days=1)
        year, month = following.year, following.month
        return Head(date(year, month, 1), _last_day(year, month), PERIOD, "month", (year, year)), match.end()
    match = _THEREAFTER.match(body)
    if match and ctx.last_due is not None:
        start = ctx.last_due + timedelta(days=1)
        last = max(ctx.end_year or start.year, start.year)
        head = Head(start, date(last, 12, 31), PERIOD, "from", (start.year, last), from_month=start.month)
        return head, match.end()
    return None, 0


def _labelled(body: str, ctx: _Context) -> tuple[Head | None, int]:
    """A short label before the date that ends a step: "校赛4月", "省赛推荐5月中旬"."""
    match = _LABEL.match(body)
    if match is None:
        return None, 0
    head, end = _one_head(body[match.end() :], ctx)
    if head is None or head.kind == REVIEW or match.end() + end < len(body.rstrip("。；;，,")):
        return None, 0
    return head, match.end() + end


def _head(segment: str, ctx: _Context) -> Head | None:
    """The date head of a step, with the dates listed after it ("3月、9月", "上半年、下半年",
    "2022年、2023年") as more windows of the same step. Updates the year the text is in."""
    body = _strip(segment)
    head, end = _one_head(body, ctx)
    if head is None:
        head, end = _following(body, ctx)
    if head is None:
        head, end = _labelled(body, ctx)
    if head is None:
        return None
    head.end = end
    while head.kind != REVIEW and body[end : end + 1] == "、":
        known = ctx.year
        if known is None and _RELATIVE_START.match(body, end + 1) and (head.start or head.due):
            ctx.year = (head.start or head.due).year  # "10月、次年3月": the year after that October
        more, length = _one_head(body[end + 1 :], ctx)
        if more is None or more.kind == REVIEW:
            ctx.year = known
            break
        head.extra.append(more)
        end += 1 + length
        if head.years and more.years:
            head.years = (min(head.years[0], more.years[0]), max(head.years[1], more.years[1]))
    head.end = end
    if head.kind != REVIEW and head.due is not None:
        ctx.last_due = max([head.due, *(more.due for more in head.extra if more.due)])
    return head


_NEXT_MONTH = re.compile(r"次月|下月|下个月")
_THEREAFTER = re.compile(r"此后|其后|之后")
_LABEL = re.compile(r"[\u4e00-\u9fff]{1,6}?(?=(?:\d{4}年)?\d{1,2}月)")


# A deadline inside a sentence ("…，到2019年底，团员成为注册志愿者比例达到91%以上"); the leading word keeps
# titles like 《2019年…汇编》 out, and the deadline word keeps "在2019年基础上" out.
_INLINE_DEADLINE = re.compile(
    r"(?:到|截至|截止|于|在|至迟|最迟|力争|争取|确保)"
    r"((?:\d{4}年)?(?:\d{1,2}月)?(?:底前|年底前|年底|底|末|之前|以前|前))"
)


def _inline(segment: str, ctx: _Context) -> Head | None:
    match = _INLINE_DEADLINE.search(segment)
    if match is None or not re.search(r"\d", match.group(1)):
        return None
    head = _head(match.group(1), ctx)
    if head is None or head.kind == REVIEW:
        return None
    return Head(None, head.due, DEADLINE, head.level, head.years)


# --- recurring phrases ------------------------------------------------------------------------------

RECURRING_RULES = [  # (pattern, months per occurrence, label)
    (re.compile(r"每(?:两|2)个?月|双月(?![刊报])"), 2, "每两个月"),
    (re.compile(r"每(?:个)?月"), 1, "每月"),
    (re.compile(r"每(?:一)?季度?(?!节)"), 3, "每季度"),
    (re.compile(r"每半年"), 6, "每半年"),
    (re.compile(r"每(?:一)?年(?!级)|逐年|年均|按照[^，。；]{0,20}的?节奏"), 12, "每年"),
]
_EVERY_YEAR = re.compile(r"每(?:一)?年(?!级)")
_PLACEHOLDER = re.compile(r"X+[月日号]")
_DAY_IN_MONTH = re.compile(r"(\d{1,2})[日号](?:前|之前)")
_QUARTER_OPENING_DAY = re.compile(r"(?:首月|第一个月)(\d{1,2})[日号](?:前|之前)?")
_PART_OF_EVERY_MONTH = re.compile(r"每(?:个)?月(?:的)?(第一周|初|上旬|中旬)")
_PART_DAY = {"第一周": 7, "初": 10, "上旬": 10, "中旬": 20}
_EVERY_TERM = re.compile(r"每(?:个|一)?学期")


def _terms(text: str, first_year: int, last_year: int) -> list[ParsedMilestone]:
    """每学期: the spring term (February–July) and the autumn term (September–January) of each year."""
    out = []
    for year in range(first_year, last_year + 1):
        out.append(ParsedMilestone(text, date(year, 2, 1), date(year, 7, 31), RECURRING, "每学期"))
        out.append(ParsedMilestone(text, date(year, 9, 1), date(year + 1, 1, 31), RECURRING, "每学期"))
    return out


def _from_a_bare_month_of_the_school_year(head: Head | None, ctx: _Context) -> bool:
    if head is None or head.from_month is None or ctx.school_year is None or head.years is None:
        return False
    return head.level == "month" and head.years[0] in (ctx.school_year, ctx.school_year + 1)


def _recurring_years(head: Head | None, ctx: _Context) -> tuple[int | None, int | None]:
    """The years a recurring phrase runs over: those its step names, else the plan's — the plan's own
    year when it was written for one year and widened."""
    if _from_a_bare_month_of_the_school_year(head, ctx):  # "自9月起每两个月": through the school year
        return ctx.school_year, ctx.school_year + 1
    if head is not None and head.years:
        return head.years
    if ctx.default_year is not None:
        return ctx.default_year, ctx.default_year
    return ctx.start_year, ctx.end_year


def _yearly(text: str, after: str, first_year: int, last_year: int, ctx: _Context) -> list[ParsedMilestone]:
    """每年…: once a year, at the time the words after 每年 name (6月, 五四前后, 一季度, 寒假、暑假,
    年底前) or by the end of each year."""
    after = _EVERY_YEAR.sub("", after)  # "每年4月报名，每年9月决赛": each step, in each year
    if _PLACEHOLDER.search(after):  # 每年X月X日前: the time is still to be set
        return [ParsedMilestone(text, None, None, REVIEW, "时间待定（原文用 X 占位）")]
    out = []
    for year in range(first_year, last_year + 1):
        inner = _Context(ctx.start_year, ctx.end_year, year=year)
        heads = [step.head for step in _steps(after, inner) if step.head is not None] if after else []
        dated = [head for head in heads if head.kind != REVIEW and head.level != "from"]
        windows = [window for head in dated for window in (head, *head.extra)]
        if not windows:
            out.append(ParsedMilestone(text, date(year, 1, 1), date(year, 12, 31), RECURRING, "每年"))
        for window in windows:
            out.append(ParsedMilestone(text, window.start, window.due, RECURRING, "每年"))
    return out


def _recurring_phrase(text: str) -> bool:
    return bool(_EVERY_TERM.search(text)) or any(pattern.search(text) for pattern, _, _ in RECURRING_RULES)


def _recurring(text: str, head: Head | None, ctx: _Context) -> list[ParsedMilestone] | None:
    made = _recurring_over_years(text, head, ctx)
    open_ended = head is None or not head.years or _from_a_bare_month_of_the_school_year(head, ctx)
    window = ctx.academic_window() if open_ended else None
    if not made or window is None or made[0].kind == REVIEW:
        return made
    # A school-year plan: the occurrences within its school year; 每年 alone is once, by its end.
    whole_years = all(
        m.start is not None and (m.start.month, m.start.day, m.due.month, m.due.day) == (1, 1, 12, 31)
        for m in made
    )
    inside = [m for m in made if window[0] <= m.due <= window[1]]
    if whole_years or not inside:
        return [ParsedMilestone(text, window[0], window[1], RECURRING, made[0].note)]
    return inside


def _recurring_over_years(text: str, head: Head | None, ctx: _Context) -> list[ParsedMilestone] | None:
    first_year, last_year = _recurring_years(head, ctx)
    if _EVERY_TERM.search(text):
        if first_year is None or last_year is None:
            return [ParsedMilestone(text, None, None, REVIEW, "无法确定计划期，不能展开周期性安排")]
        return _terms(text, first_year, last_year)
    for pattern, step, label in RECURRING_RULES:
        match = pattern.search(text)
        if match is None:
            continue
        if first_year is None or last_year is None:
            return [ParsedMilestone(text, None, None, REVIEW, "无法确定计划期，不能展开周期性安排")]
        if step == 12:
            after = text[match.end() :] if match.group(0).startswith("每") else ""
            return _yearly(text, after, first_year, last_year, ctx)
        out = []
        first_month = head.from_month if head is not None and head.from_month else 1
        day_named = _DAY_IN_MONTH.search(text) if step == 1 else None
        part_named = _PART_OF_EVERY_MONTH.search(text) if step == 1 else None
        opening = _QUARTER_OPENING_DAY.search(text) if step == 3 else None  # 每季度首月10日前
        for year in range(first_year, last_year + 1):
            for month in range(step, 13, step):
                start = date(year, month - step + 1, 1)
                if year == first_year and month < first_month:
                    continue
                if year == first_year:
                    start = max(start, date(year, first_month, 1))
                due = _last_day(year, month)
                if day_named and 1 <= int(day_named.group(1)) <= 28:  # 每月5日前
                    due = date(year, month, int(day_named.group(1)))
                elif part_named:  # 每月第一周, 每月初, 每月中旬
                    due = date(year, month, _PART_DAY[part_named.group(1)])
                if opening and 1 <= int(opening.group(1)) <= 28:
                    due = date(year, month - 2, int(opening.group(1)))
                out.append(ParsedMilestone(text, start, due, RECURRING, label))
        return out
    return None


ONGOING_WORDS = re.compile(r"持续推进|常态化|长期坚持|长期开展|持续开展|长效|全年持续")


# --- steps ------------------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[;；。\n]+")
# A date head in the middle of a run-on text ("…工作5月：…") starts a new clause when a colon or comma
# follows it.
_MIDTEXT_HEAD = re.compile(
    r"(?<![\d年月:：,，-])(?:\d{4}年(?:[上下]半年)?(?:-\d{4}年)?|(?:\d{4}年)?\d{1,2}月?(?:-\d{1,2})?月"
    r"(?:底前|底|末|初|上旬|中下旬|中旬|下旬|份)?(?:\d{1,2}日(?:前后|左右|前)?)?)[:：,，]"
)
_DATE_START = (
    r"(?:\d{4}年|\d{1,2}(?:-\d{1,2})?月|[一二三四五六七八九十]{1,3}月|[上下]半年|[一二三四]季度|第[一二三四]季度"
    r"|第[二三四五六七八九十]年|年底|年内|寒假|暑假|春季学期|秋季学期|每|" + _REL + "|" + _FEST + ")"
)
# Commas split steps; so does 、 after words when a new date follows ("…宣传、国庆期间开展…"), but not
# inside a list of dates ("3月、9月", "2022年、2023年", "五四、七一").
_COMMA = re.compile(
    r"[，]|,(?!\d)|(?<![\d年月号旬底初末假季节度前后期间内〇一二三四五六七八九十])(?<!\d日)、(?="
    + _DATE_START
    + ")"
)


def _clauses(text: str) -> list[str]:
    out = []
    for piece in _SEPARATORS.split(text):
        cuts = [m.start() for m in _MIDTEXT_HEAD.finditer(piece) if m.start() > 0]
        bounds = [0, *cuts, len(piece)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            chunk = piece[a:b].strip(" ,，、:：")
            if chunk:
                out.append(chunk)
    return out


@dataclass
class _Step:
    head: Head | None
    text: str


def _steps(clause: str, ctx: _Context) -> list[_Step]:
    steps: list[_Step] = []
    lead = ""  # undated words before the clause's first date belong to its first step
    for part in _COMMA.split(clause):
        part = part.strip()
        if not part:
            continue
        head = _head(part, ctx) or _inline(part, ctx)
        if head is None and not steps and not lead and _recurring_phrase(part):
            steps.append(_Step(None, part))  # "每年6—7月招募，2024年5月20日前印发方案": two steps
        elif head is None and steps and _STARTS_RECURRING.match(part) and _within_a_year(steps[-1].head):
            steps.append(_Step(None, part))  # "2026年年中出台指标，每年年底开展评估": the plan's years
        elif (
            steps
            and steps[-1].head is None
            and _EVERY_YEAR.search(steps[-1].text)
            and (head is None or head.kind == REVIEW and head.note.startswith("无法确定年份"))
        ):
            steps[-1].text = f"{steps[-1].text}，{part}"  # "每年五四…、国庆期间…": 每年 governs both
        elif head is None and steps:
            steps[-1].text = f"{steps[-1].text}，{part}"
        elif head is None:
            lead = f"{lead}，{part}" if lead else part
        else:
            steps.append(_Step(head, f"{lead}，{part}" if lead else part))
            lead = ""
    if not steps or len(steps) == 1 and steps[0].head is None:
        return [_Step(None, clause)]
    # A bare year followed by months in the same clause only says which year they are in.
    if (
        len(steps) > 1
        and steps[0].head is not None
        and steps[0].head.level == "year"
        and steps[0].head.kind == PERIOD
        and steps[0].head.years is not None
        and steps[0].head.years[0] == steps[0].head.years[1]
        and (steps[0].head.start, steps[0].head.due)
        == (date(steps[0].head.years[0], 1, 1), date(steps[0].head.years[0], 12, 31))
        and any(_inside_year(s.head, steps[0].head.years[0]) for s in steps[1:])
    ):
        steps[1].text = f"{steps[0].text}，{steps[1].text}"
        steps = steps[1:]
    return steps


_STARTS_RECURRING = re.compile(r"每(?:一)?(?:年|季度?|个?月|半年|两个?月|学期)|逐年")


def _within_a_year(head: Head | None) -> bool:
    """A date within one year (a month, a quarter, 年中 …), not a whole year or years a recurring phrase
    after it could run over."""
    if head is None or head.kind == REVIEW or head.due is None or head.level == "from" or head.from_month:
        return False
    whole = head.start is not None and (head.start.month, head.start.day, head.due.month, head.due.day) == (
        1, 1, 12, 31)  # fmt: skip
    return not whole


def _inside_year(head: Head | None, year: int) -> bool:
    """A month, a quarter or a half of the given year (not the whole year again)."""
    if head is None or head.kind == REVIEW or head.due is None or head.due.year != year:
        return False
    return head.level == "month" or (head.start, head.due) != (date(year, 1, 1), date(year, 12, 31))


_UNDATED = re.compile(r"待定|另行通知|另行确定|另行安排|视情|适时|按上级(?:要求|部署)")


def _whole_years(head: Head) -> bool:
    return head.level == "year" and head.kind == PERIOD and head.start is not None and (
        head.start.month, head.start.day, head.due.month, head.due.day) == (1, 1, 12, 31)  # fmt: skip


def _milestones(step: _Step, clause: str, single: bool) -> list[ParsedMilestone]:
    head = step.head
    raw = clause if single else step.text
    if head.kind == REVIEW:
        return [ParsedMilestone(raw, None, None, REVIEW, head.note)]
    out = [ParsedMilestone(raw, head.start, head.due, head.kind, head.note)]
    out += [ParsedMilestone(raw, more.start, more.due, more.kind, more.note) for more in head.extra]
    return out


def parse_schedule(
    text: str,
    start_year: int | None,
    end_year: int | None = None,
    *,
    default_year: int | None = None,
    school_year: int | None = None,
) -> list[ParsedMilestone]:
    """Milestones of a schedule text within a plan period (start_year – end_year). default_year: the year a
    bare month means when the period is longer than the one year the plan was written for; school_year: the
    plan runs over the school year from September of that year (2024—2025学年: 2024). Never raises."""
    end_year = end_year if end_year is not None else start_year
    if start_year is not None and end_year is not None and end_year < start_year:
        start_year, end_year = end_year, start_year
    original = str(text or "").strip()
    try:
        cleaned = normalise(original).strip()
        context = _Context(start_year, end_year, default_year, school_year=school_year)
        return _parse(cleaned, context) if cleaned else []
    except Exception:  # noqa: BLE001 - the contract is "never raises": a person reviews what we could not read
        return [ParsedMilestone(original[:500], None, None, REVIEW, "解析出错")]


def _parse(text: str, ctx: _Context) -> list[ParsedMilestone]:
    out: list[ParsedMilestone] = []
    preamble = ""  # undated text before the first date belongs to the first milestone
    last_level = None
    for clause in _clauses(text):
        steps = _steps(clause, ctx)
        first = steps[0].head
        from_on = first is not None and first.level == "from" and len(steps) == 1
        if from_on and ONGOING_WORDS.search(clause) and not _recurring_phrase(clause):
            out.append(ParsedMilestone(clause, first.start, None, ONGOING, ""))
            last_level = "ongoing"
            continue
        if len(steps) == 1 and first is None:
            recurring = _recurring(clause, None, ctx)
            if recurring:
                out.extend(recurring)
                last_level = "recurring"
            elif ONGOING_WORDS.search(clause) and last_level not in {"year", "from"}:
                out.append(ParsedMilestone(f"{preamble}；{clause}" if preamble and not out else clause,
                                           None, None, ONGOING, ""))  # fmt: skip
                preamble = "" if not out else preamble
                last_level = "ongoing"
            elif out:  # text that carries on the previous milestone
                last = out[-1]
                out[-1] = replace(last, raw=f"{last.raw}；{clause}")
            else:
                preamble = f"{preamble}；{clause}" if preamble else clause
            continue
        single = len(steps) == 1
        made_by_step = []
        for step in steps:
            raw = clause if single else step.text
            made = None
            head = step.head
            if head is None:  # a recurring step before a dated one
                made = _recurring(raw, None, ctx) or [
                    ParsedMilestone(raw, None, None, REVIEW, "未识别出时间")
                ]
            elif _whole_years(head) and _UNDATED.search(step.text):  # "2026年：待定", "2025年：适时开展"
                made = [ParsedMilestone(raw, None, None, REVIEW, "时间待定")]
            elif head.level in {"year", "from"} or head.from_month or head.kind == REVIEW and single:
                made = _recurring(raw, head if head.kind != REVIEW else None, ctx)
            if made:
                last_level = "recurring"
            else:
                made = _milestones(step, clause, single)
                last_level = head.level
            made_by_step.append(made)
        # "2020年起逐年提高，2022年底前全覆盖": the dated step is the last occurrence, not one more.
        dated = {m.due for made in made_by_step for m in made if m.kind != RECURRING and m.due}
        for index, made in enumerate(made_by_step):
            made = [m for m in made if m.kind != RECURRING or m.due not in dated] or made
            if index == 0 and preamble and not out:
                made[0] = replace(made[0], raw=f"{preamble}；{made[0].raw}")
                preamble = ""
            out.extend(made)
    if not out and preamble:
        return [ParsedMilestone(preamble[:2000], None, None, REVIEW, "未识别出时间")]
    return out


# --- the years a text names -------------------------------------------------------------------------

_NAMED_YEAR = re.compile(r"(?<!\d)(\d{4})(?=年|-\d{4}年|[-/.]\d{1,2}[-/.]\d{1,2}(?!\d))")


def years_named(text: str) -> list[int]:
    """The explicit years a schedule text names (2019年, 2019—2022年), in order, each once."""
    found = []
    for match in _NAMED_YEAR.finditer(normalise(text)):
        year = int(match.group(1))
        if _year_ok(year) and year not in found:
            found.append(year)
    return found
