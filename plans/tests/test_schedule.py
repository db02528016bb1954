"""The schedule parser, phrase by phrase, and its robustness on anything else."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plans.schedule import DAY, DEADLINE, ONGOING, PERIOD, RECURRING, REVIEW, parse_schedule

D = date
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


@pytest.mark.parametrize("text,period,expected", TABLE, ids=[row[0][:24] for row in TABLE])
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
