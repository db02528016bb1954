"""The schedule parser, phrase by phrase, and its robustness on anything else."""

import calendar
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plans.schedule import (
    DAY,
    DEADLINE,
    ONGOING,
    PERIOD,
    RECURRING,
    REVIEW,
    festival_day,
    normalise,
    parse_schedule,
    years_named,
)

D = date


def E(year, month):  # the last day of a month
    return date(year, month, calendar.monthrange(year, month)[1])


ONE_YEAR = (2019, 2019)
THREE_YEARS = (2019, 2021)

# (text, plan period, [(start, due, kind), …])
TABLE = [
    # months and ranges
    ("4 月：完成第一批计划对象销号工作", ONE_YEAR, [(D(2019, 4, 1), D(2019, 4, 30), PERIOD)]),
    ("3月，开展调研", ONE_YEAR, [(D(2019, 3, 1), D(2019, 3, 31), PERIOD)]),
    ("7-8 月：启动第三批计划对象集中培训工作", ONE_YEAR, [(D(2019, 7, 1), D(2019, 8, 31), PERIOD)]),
    ("11-12 月，完成第二批计划对象销号工作", ONE_YEAR, [(D(2019, 11, 1), D(2019, 12, 31), PERIOD)]),
    ("8 月-10 月：推广运用案例集", ONE_YEAR, [(D(2019, 8, 1), D(2019, 10, 31), PERIOD)]),
    ("4月—11月：开展评定", ONE_YEAR, [(D(2019, 4, 1), D(2019, 11, 30), PERIOD)]),
    ("7至9月开展专项行动", ONE_YEAR, [(D(2019, 7, 1), D(2019, 9, 30), PERIOD)]),
    ("2月：筹备", ONE_YEAR, [(D(2019, 2, 1), D(2019, 2, 28), PERIOD)]),
    # deadlines inside a month
    ("10月底前：完成验收", ONE_YEAR, [(None, D(2019, 10, 31), DEADLINE)]),
    ("3月底：报送名单", ONE_YEAR, [(None, D(2019, 3, 31), DEADLINE)]),
    ("5月初：召开会议", ONE_YEAR, [(D(2019, 5, 1), D(2019, 5, 10), PERIOD)]),
    ("10月中旬：组织评审", ONE_YEAR, [(D(2019, 10, 11), D(2019, 10, 20), PERIOD)]),
    ("3月中下旬完成摸底", ONE_YEAR, [(D(2019, 3, 11), D(2019, 3, 31), PERIOD)]),
    ("12月9日前后，举行“18岁成人仪式”省级活动", ONE_YEAR, [(D(2019, 12, 9), D(2019, 12, 9), DAY)]),
    ("7月初：举办培训班", ONE_YEAR, [(D(2019, 7, 1), D(2019, 7, 10), PERIOD)]),
    # years
    ("2019年，完成试点", THREE_YEARS, [(D(2019, 1, 1), D(2019, 12, 31), PERIOD)]),
    ("2020年底前全面推开", THREE_YEARS, [(None, D(2020, 12, 31), DEADLINE)]),
    ("2021—2022年，全面巩固提升", (2020, 2022), [(D(2021, 1, 1), D(2022, 12, 31), PERIOD)]),
    ("2019年下半年—2020年，总结推广", THREE_YEARS, [(D(2019, 7, 1), D(2020, 12, 31), PERIOD)]),
    ("2019年上半年完成调研", THREE_YEARS, [(D(2019, 1, 1), D(2019, 6, 30), PERIOD)]),
    ("2020年之前实现全覆盖", THREE_YEARS, [(None, D(2020, 12, 31), DEADLINE)]),
    ("2019—2020年", THREE_YEARS, [(D(2019, 1, 1), D(2020, 12, 31), PERIOD)]),
    ('2020年"六一"前完成少先队工作', THREE_YEARS, [(None, D(2020, 6, 1), DEADLINE)]),
    ("2020年“六一”前完成", THREE_YEARS, [(None, D(2020, 6, 1), DEADLINE)]),
    # ongoing
    ("持续推进", ONE_YEAR, [(None, None, ONGOING)]),
    ("常态化开展", ONE_YEAR, [(None, None, ONGOING)]),
    # a deadline inside a sentence
    ("大力推进团员注册志愿者工作，到2019年底，团员成为注册志愿者比例达到91%以上。", ONE_YEAR,
     [(None, D(2019, 12, 31), DEADLINE)]),
    # full-width digits, no spaces, no separators, HTML remnants
    ("４月：甲；７－８月：乙", ONE_YEAR, [(D(2019, 4, 1), D(2019, 4, 30), PERIOD), (D(2019, 7, 1), D(2019, 8, 31), PERIOD)]),
    ("4月：甲5月：乙", ONE_YEAR, [(D(2019, 4, 1), D(2019, 4, 30), PERIOD), (D(2019, 5, 1), D(2019, 5, 31), PERIOD)]),
    ("<p>7月底前：举办培训班；</p> <p>11月-12月：总结。</p>", ONE_YEAR,
     [(None, D(2019, 7, 31), DEADLINE), (D(2019, 11, 1), D(2019, 12, 31), PERIOD)]),
    ("4 月:甲\n5 月:乙。10月:丙;11月:丁", ONE_YEAR,
     [(D(2019, 4, 1), D(2019, 4, 30), PERIOD), (D(2019, 5, 1), D(2019, 5, 31), PERIOD),
      (D(2019, 10, 1), D(2019, 10, 31), PERIOD), (D(2019, 11, 1), D(2019, 11, 30), PERIOD)]),
    # a bare month in a multi-year plan takes the last year named before it, or is flagged
    ("2020年：启动；3月：试点", THREE_YEARS, [(D(2020, 1, 1), D(2020, 12, 31), PERIOD), (D(2020, 3, 1), D(2020, 3, 31), PERIOD)]),
    ("3月：试点", THREE_YEARS, [(None, None, REVIEW)]),
    # nonsense dates are flagged, not guessed
    ("13月：不存在的月份", ONE_YEAR, [(None, None, REVIEW)]),
    ("2月30日前：不存在的日期", ONE_YEAR, [(None, None, REVIEW)]),
    ("开展相关工作", ONE_YEAR, [(None, None, REVIEW)]),
]  # fmt: skip

FOUR_YEARS = (2019, 2022)

# The phrase families a careful reader meets in 分工方案, 实施方案 and 工作要点 tables (our own wording).
FAMILIES = [
    # the year's end and parts of a year, in the year the text is in (or the plan's only year)
    ("年底前：全面验收", ONE_YEAR, [(None, D(2019, 12, 31), DEADLINE)]),
    ("4月：启动；年底前：全面验收", ONE_YEAR, [(D(2019, 4, 1), D(2019, 4, 30), PERIOD), (None, D(2019, 12, 31), DEADLINE)]),
    ("年内完成换届", ONE_YEAR, [(D(2019, 1, 1), D(2019, 12, 31), PERIOD)]),
    ("年终开展述职评议", ONE_YEAR, [(None, D(2019, 12, 31), DEADLINE)]),
    ("上半年：完成摸底", ONE_YEAR, [(D(2019, 1, 1), D(2019, 6, 30), PERIOD)]),
    ("下半年，组织观摩", ONE_YEAR, [(D(2019, 7, 1), D(2019, 12, 31), PERIOD)]),
    ("一季度：部署", ONE_YEAR, [(D(2019, 1, 1), D(2019, 3, 31), PERIOD)]),
    ("第二季度开展培训", ONE_YEAR, [(D(2019, 4, 1), D(2019, 6, 30), PERIOD)]),
    ("四季度末完成总结", ONE_YEAR, [(None, D(2019, 12, 31), DEADLINE)]),
    ("Q3：评估", ONE_YEAR, [(D(2019, 7, 1), D(2019, 9, 30), PERIOD)]),
    ("2020年三季度：中期评估", THREE_YEARS, [(D(2020, 7, 1), D(2020, 9, 30), PERIOD)]),
    ("2020年三季度末前完成评估", THREE_YEARS, [(None, D(2020, 9, 30), DEADLINE)]),
    ("2021年第一季度：总结", THREE_YEARS, [(D(2021, 1, 1), D(2021, 3, 31), PERIOD)]),
    ("2020年度：全面推开", THREE_YEARS, [(D(2020, 1, 1), D(2020, 12, 31), PERIOD)]),
    ("2020年年底前完成", THREE_YEARS, [(None, D(2020, 12, 31), DEADLINE)]),
    ("2020年内实现全覆盖", THREE_YEARS, [(D(2020, 1, 1), D(2020, 12, 31), PERIOD)]),
    ("2020：全面推开", THREE_YEARS, [(D(2020, 1, 1), D(2020, 12, 31), PERIOD)]),
    ("年底前：全面验收", THREE_YEARS, [(None, None, REVIEW)]),  # which year? a person decides
    ("2020年启动试点；年底前：总结", THREE_YEARS, [(D(2020, 1, 1), D(2020, 12, 31), PERIOD), (None, D(2020, 12, 31), DEADLINE)]),
    # two steps in one phrase, and years given relative to the one before
    ("2019年部署试点，次年全面推开", THREE_YEARS, [(D(2019, 1, 1), D(2019, 12, 31), PERIOD), (D(2020, 1, 1), D(2020, 12, 31), PERIOD)]),
    ("2020年启动，2021年底前全面完成", THREE_YEARS, [(D(2020, 1, 1), D(2020, 12, 31), PERIOD), (None, D(2021, 12, 31), DEADLINE)]),
    ("2020年完成调研，第二年上半年推广", (2020, 2021), [(D(2020, 1, 1), D(2020, 12, 31), PERIOD), (D(2021, 1, 1), D(2021, 6, 30), PERIOD)]),
    ("当年完成调研", (2020, 2021), [(None, None, REVIEW)]),
    ("当年完成调研", (2020, 2020), [(D(2020, 1, 1), D(2020, 12, 31), PERIOD)]),
    ("次年全面推开", THREE_YEARS, [(None, None, REVIEW)]),
    # a month inside a year step dates the step
    ("2019年，在全省开展试点，10月份完成验收", THREE_YEARS, [(D(2019, 10, 1), D(2019, 10, 31), PERIOD)]),
    ("2019年：3月启动试点，10月底前完成验收", THREE_YEARS, [(D(2019, 3, 1), D(2019, 3, 31), PERIOD), (None, D(2019, 10, 31), DEADLINE)]),
    ("2020年6月底前：建立机制", THREE_YEARS, [(None, D(2020, 6, 30), DEADLINE)]),
    # from a year on, after a year, year by year
    ("2020年起，逐年提高覆盖率", FOUR_YEARS, [(D(y, 1, 1), D(y, 12, 31), RECURRING) for y in (2020, 2021, 2022)]),
    ("2020年后，按照每年新增10个的节奏推进", FOUR_YEARS, [(D(y, 1, 1), D(y, 12, 31), RECURRING) for y in (2021, 2022)]),
    ("2021年起全面推开", FOUR_YEARS, [(D(2021, 1, 1), D(2022, 12, 31), PERIOD)]),
    ("2021年起持续推进", FOUR_YEARS, [(D(2021, 1, 1), None, ONGOING)]),
    ("2020—2022年，每年开展一次评估", FOUR_YEARS, [(D(y, 1, 1), D(y, 12, 31), RECURRING) for y in (2020, 2021, 2022)]),
    ("每年6月开展评选表彰", (2019, 2020), [(D(y, 6, 1), D(y, 6, 30), RECURRING) for y in (2019, 2020)]),
    ("每月5日前报送进展", (2019, 2019), [(D(2019, m, 1), D(2019, m, 5), RECURRING) for m in range(1, 13)]),
    ("10月起，每月报送一次", ONE_YEAR, [(D(2019, m, 1), D(2019, m, 31 if m != 11 else 30), RECURRING) for m in (10, 11, 12)]),
    # placeholders are not dates
    ("2020年X月底前：全部换届", THREE_YEARS, [(None, None, REVIEW)]),
    ("X月X日前上报", ONE_YEAR, [(None, None, REVIEW)]),
    ("2020年XX月：验收", THREE_YEARS, [(None, None, REVIEW)]),
    # ongoing work inside a dated year step is part of that step
    ("2021年，全面推开，持续推进规范化建设", THREE_YEARS, [(D(2021, 1, 1), D(2021, 12, 31), PERIOD)]),
    ("2020年：全面推开；持续推进", THREE_YEARS, [(D(2020, 1, 1), D(2020, 12, 31), PERIOD)]),
    # 旬, days and ranges of days, months across the new year, from a month on
    ("3月上中旬：摸底", ONE_YEAR, [(D(2019, 3, 1), D(2019, 3, 20), PERIOD)]),
    ("10月下旬：总结", ONE_YEAR, [(D(2019, 10, 21), D(2019, 10, 31), PERIOD)]),
    ("3月5日-10日：集中宣传", ONE_YEAR, [(D(2019, 3, 5), D(2019, 3, 10), PERIOD)]),
    ("3月5日至4月10日开展专项行动", ONE_YEAR, [(D(2019, 3, 5), D(2019, 4, 10), PERIOD)]),
    ("9月至次年6月：开展团课", ONE_YEAR, [(D(2019, 9, 1), D(2020, 6, 30), PERIOD)]),
    ("10月-次年3月，冬训", ONE_YEAR, [(D(2019, 10, 1), D(2020, 3, 31), PERIOD)]),
    ("5月起：全面推开", ONE_YEAR, [(D(2019, 5, 1), D(2019, 12, 31), PERIOD)]),
    ("6月20日前报送", ONE_YEAR, [(None, D(2019, 6, 20), DEADLINE)]),
    # festivals and school terms
    ("五四前后：表彰", ONE_YEAR, [(D(2019, 5, 4), D(2019, 5, 4), DAY)]),
    ("七一前夕，开展主题团日", ONE_YEAR, [(None, D(2019, 7, 1), DEADLINE)]),
    ("国庆期间：开展升旗仪式", ONE_YEAR, [(D(2019, 10, 1), D(2019, 10, 1), DAY)]),
    ("2020年春节前：走访慰问", THREE_YEARS, [(None, D(2020, 1, 25), DEADLINE)]),
    ("暑假期间：组织社会实践", ONE_YEAR, [(D(2019, 7, 1), D(2019, 8, 31), PERIOD)]),
    ("暑假前：完成学期评议", ONE_YEAR, [(None, D(2019, 6, 30), DEADLINE)]),
    ("寒假：返乡大学生活动", ONE_YEAR, [(D(2019, 1, 1), D(2019, 2, 28), PERIOD)]),
    ("秋季学期：新生团员教育", ONE_YEAR, [(D(2019, 9, 1), D(2020, 1, 31), PERIOD)]),
    # Chinese numerals
    ("十月底前：完成验收", ONE_YEAR, [(None, D(2019, 10, 31), DEADLINE)]),
    ("十二月中旬：总结", ONE_YEAR, [(D(2019, 12, 11), D(2019, 12, 20), PERIOD)]),
    ("二〇二〇年底前全面完成", THREE_YEARS, [(None, D(2020, 12, 31), DEADLINE)]),
    # an explicit year outside the plan's period is read, not discarded (the importer widens the period)
    ("2023年底前：全面完成", THREE_YEARS, [(None, D(2023, 12, 31), DEADLINE)]),
    # a date cell as a spreadsheet writes it
    ("2019-04-30", ONE_YEAR, [(None, D(2019, 4, 30), DEADLINE)]),
    ("2020/6/1", THREE_YEARS, [(None, D(2020, 6, 1), DEADLINE)]),
    ("2019-02-30", ONE_YEAR, [(None, None, REVIEW)]),
    # a year that is not a time
    ("在2019年工作基础上进一步提升", ONE_YEAR, [(None, None, REVIEW)]),
    # lists of dates: one window each
    ("3月、9月：集中开展团课", ONE_YEAR, [(D(2019, 3, 1), D(2019, 3, 31), PERIOD), (D(2019, 9, 1), D(2019, 9, 30), PERIOD)]),
    ("2020年、2021年：分两批验收", THREE_YEARS, [(D(2020, 1, 1), D(2020, 12, 31), PERIOD), (D(2021, 1, 1), D(2021, 12, 31), PERIOD)]),
    ("2019年底前出台办法，2020年、2021年每年评估一次", THREE_YEARS,
     [(None, D(2019, 12, 31), DEADLINE), (D(2020, 1, 1), D(2020, 12, 31), RECURRING), (D(2021, 1, 1), D(2021, 12, 31), RECURRING)]),
    # 每年 with a time of the year after it
    ("每年五四前后开展表彰", (2019, 2020), [(D(y, 5, 4), D(y, 5, 4), RECURRING) for y in (2019, 2020)]),
    ("每年一季度召开部署会", (2019, 2020), [(D(y, 1, 1), D(y, 3, 31), RECURRING) for y in (2019, 2020)]),
    ("每年寒假、暑假组织返乡实践", (2019, 2019), [(D(2019, 1, 1), D(2019, 2, 28), RECURRING), (D(2019, 7, 1), D(2019, 8, 31), RECURRING)]),
    ("每年年底前报送总结", (2019, 2020), [(None, D(y, 12, 31), RECURRING) for y in (2019, 2020)]),
    # the last occurrence that a dated step states is not counted twice
    ("2020年起，逐年提高覆盖率，2021年底前实现全覆盖", THREE_YEARS, [(D(2020, 1, 1), D(2020, 12, 31), RECURRING), (None, D(2021, 12, 31), DEADLINE)]),
    # ranges across years, of 旬, of quarters; words before a date
    ("2019年9月至2020年6月：开展团课", THREE_YEARS, [(D(2019, 9, 1), D(2020, 6, 30), PERIOD)]),
    ("8月下旬至9月上旬：迎新", ONE_YEAR, [(D(2019, 8, 21), D(2019, 9, 10), PERIOD)]),
    ("6月中旬前报送名单", ONE_YEAR, [(None, D(2019, 6, 20), DEADLINE)]),
    ("二至三季度：集中攻坚", ONE_YEAR, [(D(2019, 4, 1), D(2019, 9, 30), PERIOD)]),
    ("即日起至6月底：集中排查", ONE_YEAR, [(None, D(2019, 6, 30), DEADLINE)]),
    ("五四青年节前：完成评选", ONE_YEAR, [(None, D(2019, 5, 4), DEADLINE)]),
    ("2020年十月底前完成创建", THREE_YEARS, [(None, D(2020, 10, 31), DEADLINE)]),
    ("三至五月：集中宣讲", ONE_YEAR, [(D(2019, 3, 1), D(2019, 5, 31), PERIOD)]),
    ("2020年：2020-06-30前", THREE_YEARS, [(None, D(2020, 6, 30), DEADLINE)]),
    # 每年 over several steps, a yearly step before a dated one, 次年 and 第三年, shared words in lists
    ("每年五四前后开展宣传、国庆期间开展主题活动", (2019, 2020),
     [(D(y, m, d), D(y, m, d), RECURRING) for y in (2019, 2020) for m, d in ((5, 4), (10, 1))]),
    ("每年4月启动报名，9月中旬举办决赛", (2019, 2020),
     [(D(y, m, a), D(y, m, b), RECURRING) for y in (2019, 2020) for m, a, b in ((4, 1, 30), (9, 11, 20))]),
    ("每年6—7月集中招募，2019年5月20日前印发方案", (2019, 2020),
     [(D(2019, 6, 1), D(2019, 7, 31), RECURRING), (D(2020, 6, 1), D(2020, 7, 31), RECURRING), (None, D(2019, 5, 20), DEADLINE)]),
    ("2019年试点，次年推开，第三年形成长效机制", THREE_YEARS, [(D(y, 1, 1), D(y, 12, 31), PERIOD) for y in (2019, 2020, 2021)]),
    ("第三年全面完成", THREE_YEARS, [(D(2021, 1, 1), D(2021, 12, 31), PERIOD)]),
    ("10月、次年3月各举办一期", ONE_YEAR, [(D(2019, 10, 1), D(2019, 10, 31), PERIOD), (D(2020, 3, 1), D(2020, 3, 31), PERIOD)]),
    ("上、下半年各一次", ONE_YEAR, [(D(2019, 1, 1), D(2019, 6, 30), PERIOD), (D(2019, 7, 1), D(2019, 12, 31), PERIOD)]),
    ("一、三季度各开展一次", ONE_YEAR, [(D(2019, 1, 1), D(2019, 3, 31), PERIOD), (D(2019, 7, 1), D(2019, 9, 30), PERIOD)]),
    ("2019年下半年起每半年开展一轮", THREE_YEARS,
     [(D(2019, 7, 1), D(2019, 12, 31), RECURRING), *[(D(y, m, 1), D(y, m + 5, 30 if m == 1 else 31), RECURRING) for y in (2020, 2021) for m in (1, 7)]]),
    ("每季度首月10日前报送", ONE_YEAR, [(D(2019, m, 1), D(2019, m, 10), RECURRING) for m in (1, 4, 7, 10)]),
    ("2020年：开展中期评估，第四季度完成", THREE_YEARS, [(D(2020, 10, 1), D(2020, 12, 31), PERIOD)]),
    ("2019年上半年完成立改废，下半年开展宣讲", THREE_YEARS, [(D(2019, 1, 1), D(2019, 6, 30), PERIOD), (D(2019, 7, 1), D(2019, 12, 31), PERIOD)]),
    ("3月5日学雷锋日、12月5日国际志愿者日前后", ONE_YEAR, [(D(2019, 3, 5), D(2019, 3, 5), DAY), (D(2019, 12, 5), D(2019, 12, 5), DAY)]),
    ("4月下旬完成发展，五四举行入团仪式", ONE_YEAR, [(D(2019, 4, 21), D(2019, 4, 30), PERIOD), (D(2019, 5, 4), D(2019, 5, 4), DAY)]),
    ("“一二·九”纪念日", ONE_YEAR, [(D(2019, 12, 9), D(2019, 12, 9), DAY)]),
    ("五四、七一前后", ONE_YEAR, [(D(2019, 5, 4), D(2019, 5, 4), DAY), (D(2019, 7, 1), D(2019, 7, 1), DAY)]),
    ("五四精神宣讲", ONE_YEAR, [(None, None, REVIEW)]),  # a festival that names something else is no date
    # 年中, ranges to the year's end, the month after, batches, from then on, every other month, seasons
    ("2020年年中出台指标，每年年底开展评估", THREE_YEARS, [(None, D(2020, 6, 30), DEADLINE), *[(None, D(y, 12, 31), RECURRING) for y in (2019, 2020, 2021)]]),
    ("3月至年底", ONE_YEAR, [(D(2019, 3, 1), D(2019, 12, 31), PERIOD)]),
    ("10月完成评审，次月公布结果", ONE_YEAR, [(D(2019, 10, 1), D(2019, 10, 31), PERIOD), (D(2019, 11, 1), D(2019, 11, 30), PERIOD)]),
    ("分两批：第一批5月，第二批十一月", ONE_YEAR, [(D(2019, 5, 1), D(2019, 5, 31), PERIOD), (D(2019, 11, 1), D(2019, 11, 30), PERIOD)]),
    ("每两年一届，分别于2019年、2021年举办", THREE_YEARS, [(D(2019, 1, 1), D(2019, 12, 31), PERIOD), (D(2021, 1, 1), D(2021, 12, 31), PERIOD)]),
    ("2019年一季度前组建，此后每半年开展一轮", (2019, 2020),
     [(None, D(2019, 3, 31), DEADLINE), (D(2019, 4, 1), D(2019, 6, 30), RECURRING), (D(2019, 7, 1), D(2019, 12, 31), RECURRING),
      (D(2020, 1, 1), D(2020, 6, 30), RECURRING), (D(2020, 7, 1), D(2020, 12, 31), RECURRING)]),
    ("双月调度", ONE_YEAR, [(D(2019, m - 1, 1), E(2019, m), RECURRING) for m in (2, 4, 6, 8, 10, 12)]),
    ("每月第一周通报", ONE_YEAR, [(D(2019, m, 1), D(2019, m, 7), RECURRING) for m in range(1, 13)]),
    ("春秋两季各开展一次", ONE_YEAR, [(D(2019, 3, 1), D(2019, 5, 31), PERIOD), (D(2019, 9, 1), D(2019, 11, 30), PERIOD)]),
    ("暑期", ONE_YEAR, [(D(2019, 7, 1), D(2019, 8, 31), PERIOD)]),
    ("“5·25”心理健康日前后", ONE_YEAR, [(D(2019, 5, 25), D(2019, 5, 25), DAY)]),
    ("校赛4月；省赛推荐5月中旬", ONE_YEAR, [(D(2019, 4, 1), D(2019, 4, 30), PERIOD), (D(2019, 5, 11), D(2019, 5, 20), PERIOD)]),
    ("清明、七一、国庆等重要节点", ONE_YEAR, [(D(2019, 4, 5), D(2019, 4, 5), DAY), (D(2019, 7, 1), D(2019, 7, 1), DAY), (D(2019, 10, 1), D(2019, 10, 1), DAY)]),
    # words that put a time off are not a date, even in a year's cell
    ("2020年：待定", THREE_YEARS, [(None, None, REVIEW)]),
    ("2020年：另行通知", THREE_YEARS, [(None, None, REVIEW)]),
    ("每年X月X日前报送上年度数据", THREE_YEARS, [(None, None, REVIEW)]),
    ("覆盖率提升2.5个百分点", ONE_YEAR, [(None, None, REVIEW)]),
    # festivals of the lunar calendar and 清明
    ("端午节前后", ONE_YEAR, [(D(2019, 6, 7), D(2019, 6, 7), DAY)]),
    ("中秋期间", ONE_YEAR, [(D(2019, 9, 13), D(2019, 9, 13), DAY)]),
    ("清明节前后", ONE_YEAR, [(D(2019, 4, 5), D(2019, 4, 5), DAY)]),
]  # fmt: skip


@pytest.mark.parametrize(
    "text,period,expected", TABLE + FAMILIES, ids=[row[0][:24] for row in TABLE + FAMILIES]
)
def test_phrase(text, period, expected):
    got = [(m.start, m.due, m.kind) for m in parse_schedule(text, *period)]
    assert got == expected


def test_the_real_row_of_the_zhejiang_table():
    text = (
        "4 月：完成第一批计划对象销号工作和排摸确定第三批计划对象； 5 月：开展第一批计划对象“回头看”和第二批计划对象"
        "中期评估工作； 7-8 月：启动第三批计划对象集中培训工作； 10 月：开展第一批未销号计划对象包干销号和第二批计划对象"
        "销号验收工作； 11-12 月，完成第二批计划对象销号工作，总结梳理全年工作。"
    )
    milestones = parse_schedule(text, 2019)
    assert [(m.start, m.due) for m in milestones] == [
        (D(2019, 4, 1), D(2019, 4, 30)), (D(2019, 5, 1), D(2019, 5, 31)), (D(2019, 7, 1), D(2019, 8, 31)),
        (D(2019, 10, 1), D(2019, 10, 31)), (D(2019, 11, 1), D(2019, 12, 31)),
    ]  # fmt: skip
    assert milestones[0].raw.startswith("4月：完成第一批计划对象销号工作")
    assert milestones[-1].raw.endswith("总结梳理全年工作")


@pytest.mark.parametrize(
    "text,count,first_due,last_due",
    [
        ("每季度举办1次基层共青团工作培训", 4 * 3, D(2019, 3, 31), D(2021, 12, 31)),
        ("每两个月开展集中学习活动不少于1次", 6 * 3, D(2019, 2, 28), D(2021, 12, 31)),
        ("每半年向团市委报告一次工作", 2 * 3, D(2019, 6, 30), D(2021, 12, 31)),
        ("每月报送进展", 12 * 3, D(2019, 1, 31), D(2021, 12, 31)),
        ("每年评选一定数量的优秀团县委", 3, D(2019, 12, 31), D(2021, 12, 31)),
        ("2020年起，每季度通报一次", 4 * 2, D(2020, 3, 31), D(2021, 12, 31)),
    ],
)
def test_recurring_phrases_expand_over_the_plan_period(text, count, first_due, last_due):
    milestones = parse_schedule(text, *THREE_YEARS)
    assert len(milestones) == count
    assert all(m.kind == RECURRING for m in milestones)
    assert (milestones[0].due, milestones[-1].due) == (first_due, last_due)
    assert all(m.start <= m.due for m in milestones)


def test_json_shape():
    (milestone,) = parse_schedule("10月底前：完成", 2019)
    assert milestone.as_dict() == {
        "raw": "10月底前：完成",
        "start": None,
        "due": "2019-10-31",
        "kind": DEADLINE,
    }
    assert parse_schedule("", 2019) == [] and parse_schedule("<p> </p>", 2019) == []


TOKENS = st.sampled_from(
    list(
        '0123456789０１２３４５６７８９年月日底前初中上下旬半每季度两个持续推进常态化至到—-～：:，,；;。\n <p>/"“”六一五四'
    )
    + [
        "月底前",
        "中下旬",
        "每季度",
        "2019年",
        "2020年",
        "12月",
        "13月",
        "<p>",
        "</p>",
        "&nbsp;",
        "9999年",
        "0月",
        "、",
        "每年",
        "每学期",
        "寒假",
        "暑假",
        "秋季学期",
        "一季度",
        "二至三季度",
        "次年",
        "逐年",
        "起",
        "X",
        "十月",
        "二〇二〇年",
        "国庆",
        "一二九",
        "即日起至",
        "下半年",
        "全年",
        "年内",
        "2021-03-31",
    ]
)
SCHEDULE_TEXT = st.lists(TOKENS, max_size=40).map("".join)


@given(
    SCHEDULE_TEXT | st.text(max_size=200),
    st.integers(1990, 2100),
    st.integers(0, 4),
)
def test_never_raises_and_results_are_well_formed(text, start_year, span):
    milestones = parse_schedule(text, start_year, start_year + span)
    for m in milestones:
        assert m.kind in {PERIOD, DEADLINE, DAY, RECURRING, ONGOING, REVIEW}
        if m.kind in {ONGOING, REVIEW}:
            assert m.due is None
        else:
            assert m.due is not None
        if m.start and m.due:
            assert m.start <= m.due
        assert m.note != "解析出错", text  # the safety net is for bugs, not for input


@given(st.text(max_size=50))
def test_undatable_text_becomes_one_review_milestone(text):
    milestones = parse_schedule("开展工作" + text.replace("\n", ""), 2019)
    kinds = {m.kind for m in milestones}
    if kinds == {REVIEW}:
        assert len(milestones) == 1


def test_every_step_keeps_its_own_text():
    first, second = parse_schedule("2019年部署试点，次年全面推开", *THREE_YEARS)
    assert (first.raw, second.raw) == ("2019年部署试点", "次年全面推开")
    (only,) = parse_schedule("2019年，在全省开展试点，10月份完成验收", *THREE_YEARS)
    assert only.raw == "2019年，在全省开展试点，10月份完成验收"
    (step,) = parse_schedule("2020年：全面推开；持续推进", *THREE_YEARS)
    assert step.raw == "2020年：全面推开；持续推进"


def test_the_years_a_text_names():
    assert years_named("2019年：试点；2020—2022年，全面推开；二〇二三年底前验收") == [2019, 2020, 2022, 2023]
    assert years_named("10月底前：验收；每季度通报") == []


# --- no invented dates -----------------------------------------------------------------------------

FILLER = st.sampled_from(
    ["开展", "工作", "全面", "推进", "试点", "验收", "总结", "培训", "团员", "组织", "，", "；", "。", "：", "、", " ",
     "建设", "团干部", "评估", "推广", "部署", "完成", "持续推进", "常态化", "经常性", "按时", "及时", "逐步"]
)  # fmt: skip
DATE_WORDS = re.compile(
    r"\d|[〇零一二三四五六七八九十]|年|月|日|号|季|旬|节|假|学期|每|次年|Q|X|底|初|前后|期间|上半|下半"
)


@given(st.lists(FILLER, max_size=30).map("".join), st.integers(2000, 2090), st.integers(0, 5))
def test_no_date_words_no_dates(text, start_year, span):
    assert not DATE_WORDS.search(text)
    assert all(m.due is None for m in parse_schedule(text, start_year, start_year + span))


@given(SCHEDULE_TEXT | st.text(max_size=120), st.integers(2000, 2090), st.integers(0, 4), st.booleans())
def test_a_due_date_is_in_a_year_the_text_or_the_plan_gives(text, start_year, span, school):
    """Every due year is one the text names, one of the plan's, or a year after one of those by as many
    years as the text says 次年 (9月至次年6月, 秋季学期, "次年推开，次年总结"): nothing else can give a
    year — in a school-year plan too."""
    end_year = start_year + (1 if school else span)
    allowed = set(years_named(text)) | set(range(start_year, end_year + 1))
    steps = 1 + len(re.findall("次年|第二年|翌年|下一年|明年", normalise(text)))
    allowed |= {year + k for year in allowed for k in range(1, steps + 1)}
    for milestone in parse_schedule(text, start_year, end_year, school_year=start_year if school else None):
        if milestone.due is not None:
            assert milestone.due.year in allowed, (text, milestone)


@given(
    st.lists(FILLER, max_size=8).map("".join),
    st.integers(1, 12),
    st.sampled_from(["", "底前", "中旬", "份", "下旬"]),
)
def test_a_bare_month_in_a_multi_year_plan_is_never_given_a_year(filler, month, mod):
    milestones = parse_schedule(f"{filler}{month}月{mod}：{filler}", 2019, 2021)
    assert all(m.due is None for m in milestones)


SCHOOL_YEAR = [  # a 2024—2025学年 plan: September–December are 2024's, January–August 2025's
    ("9月：迎新", [(D(2024, 9, 1), D(2024, 9, 30), PERIOD)]),
    ("3月启动评选；五四前完成表彰", [(D(2025, 3, 1), D(2025, 3, 31), PERIOD), (None, D(2025, 5, 4), DEADLINE)]),
    ("一二九前后", [(D(2024, 12, 9), D(2024, 12, 9), DAY)]),
    ("元旦前后", [(D(2025, 1, 1), D(2025, 1, 1), DAY)]),
    ("9月至次年1月", [(D(2024, 9, 1), D(2025, 1, 31), PERIOD)]),
    ("秋季学期", [(D(2024, 9, 1), D(2025, 1, 31), PERIOD)]),
    ("寒假期间", [(D(2025, 1, 1), D(2025, 2, 28), PERIOD)]),
    ("年底前", [(None, D(2024, 12, 31), DEADLINE)]),
    ("一季度", [(D(2025, 1, 1), D(2025, 3, 31), PERIOD)]),
    ("下半年", [(None, None, REVIEW)]),  # July–December: across the two years
    ("全年", [(D(2024, 9, 1), D(2025, 8, 31), PERIOD)]),
    ("每年开展一次", [(D(2024, 9, 1), D(2025, 8, 31), RECURRING)]),
    ("每学期开展一次", [(D(2024, 9, 1), D(2025, 1, 31), RECURRING), (D(2025, 2, 1), D(2025, 7, 31), RECURRING)]),
    ("2025年暑假期间", [(D(2025, 7, 1), D(2025, 8, 31), PERIOD)]),  # a named year is that year
    ("2024年10月开班，次年6月结业", [(D(2024, 10, 1), D(2024, 10, 31), PERIOD), (D(2025, 6, 1), D(2025, 6, 30), PERIOD)]),
    ("开学初", [(D(2024, 9, 1), D(2024, 9, 10), PERIOD)]),
    ("自11月起每两个月召开一次", [(D(2024, 11, 1), D(2024, 12, 31), RECURRING), *[(D(2025, m - 1, 1), E(2025, m), RECURRING) for m in (2, 4, 6, 8)]]),
]  # fmt: skip


@pytest.mark.parametrize("text,expected", SCHOOL_YEAR, ids=[row[0] for row in SCHOOL_YEAR])
def test_school_year_plans(text, expected):
    got = [(m.start, m.due, m.kind) for m in parse_schedule(text, 2024, 2025, school_year=2024)]
    assert got == expected


def test_every_month_of_a_school_year():
    dues = [m.due for m in parse_schedule("每月5日前报送", 2024, 2025, school_year=2024)]
    assert dues == [D(2024, m, 5) for m in range(9, 13)] + [D(2025, m, 5) for m in range(1, 9)]


@pytest.mark.parametrize(
    "name,year,day",
    [  # the calendar published by the State Council for each year
        ("春节", 2024, D(2024, 2, 10)), ("春节", 2026, D(2026, 2, 17)), ("端午", 2025, D(2025, 5, 31)),
        ("中秋", 2024, D(2024, 9, 17)), ("中秋", 2025, D(2025, 10, 6)), ("清明", 2024, D(2024, 4, 4)),
        ("清明", 2026, D(2026, 4, 5)), ("重阳", 2023, D(2023, 10, 23)), ("五四", 2030, D(2030, 5, 4)),
        ("清明", 2060, None),  # past the years the simple rule holds: a person decides
    ],
)  # fmt: skip
def test_festival_days(name, year, day):
    assert festival_day(name, year) == day
