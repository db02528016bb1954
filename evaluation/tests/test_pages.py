"""The 通报 and 考核 pages: who may read and issue, what an issued bulletin keeps and whom it is shown to,
the scheme edited (hostile values refused, nothing written; saved values reopen), previewed on last year,
hand-given points with a reason, a closed year frozen; the commands' bad input."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from assignments.models import AssignmentMilestone
from evaluation.models import Bulletin, ScoreAdjustment, ScoringScheme
from evaluation.selectors import assessment
from notifications.models import Notification

from .conftest import DAY, JUNE

pytestmark = pytest.mark.django_db
WEIGHTS = {"on_time": "60", "reports": "20", "indicators": "20", "per_overdue": "1.5", "per_overdue_week": "0.25",
           "per_yellow": "1", "per_red": "2"}  # fmt: skip


@pytest.fixture
def people(tree, make_user):
    return {
        "zj_editor": make_user(tree.zj, "editor"),
        "zj_viewer": make_user(tree.zj, "viewer"),
        "hz_viewer": make_user(tree.hz, "viewer"),
        "nb_reporter": make_user(tree.nb, "reporter"),
        "xh_viewer": make_user(tree.xh, "viewer"),
        "js_editor": make_user(tree.js, "editor"),
    }


def _bulletin_url(org, period="2019", **extra):
    query = "&".join(f"{k}={v}" for k, v in {"org": org.pk, "period": period, **extra}.items())
    return f"{reverse('evaluation:bulletin')}?{query}"


def test_a_leader_reads_the_ranking_and_downloads_it(scene, tree, people, login):
    client = login(people["zj_viewer"])
    page = client.get(_bulletin_url(tree.zj)).content.decode()
    assert "共青团浙江省委关于2019年重点任务推进情况的通报" in page
    assert page.index("共青团杭州市委") < page.index("共青团宁波市委")
    assert "发布通报" not in page  # a viewer does not issue
    word = client.get(_bulletin_url(tree.zj, format="docx"))
    assert word["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    from docx import Document

    table = Document(io.BytesIO(word.content)).tables[0]
    assert [row.cells[1].text for row in table.rows[1:]] == ["共青团杭州市委", "共青团宁波市委"]
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(_bulletin_url(tree.zj, format="xlsx")).content)
    ).active
    assert [sheet.cell(row=r, column=2).value for r in (3, 4)] == ["共青团杭州市委", "共青团宁波市委"]


@pytest.mark.parametrize("period", ["2019Q5", "2099", "<script>", "'; DROP TABLE x;--", "9" * 500, ""])
def test_a_bad_period_is_refused_in_chinese(scene, tree, people, login, period):
    page = login(people["zj_viewer"]).get(_bulletin_url(tree.zj, period=period)).content.decode()
    assert "请选择列表中的通报期间" in page or "这个字段是必填项" in page
    assert "<script>" not in page.split("<main", 1)[-1].replace("&lt;script&gt;", "")


def test_another_subtree_answers_404(scene, tree, people, login):
    client = login(people["js_editor"])
    assert client.get(_bulletin_url(tree.zj)).status_code == 404
    assert client.get(f"{reverse('evaluation:assessment')}?org={tree.zj.pk}").status_code == 404
    response = client.post(reverse("evaluation:bulletin_issue"), {"org": tree.zj.pk, "period": "2019"})
    assert response.status_code == 404 and not Bulletin.objects.exists()


def test_an_issued_bulletin_keeps_its_figures_and_is_shown_to_the_children_it_names(
    scene, tree, people, login
):
    client = login(people["zj_editor"])
    response = client.post(
        reverse("evaluation:bulletin_issue"),
        {"org": tree.zj.pk, "period": "2019", "doc_number": "团浙办〔2019〕20号"},
    )
    issued = Bulletin.objects.get()
    assert response.url == reverse("evaluation:bulletin_detail", args=[issued.pk])
    assert (issued.doc_number, issued.issued_by, issued.organisation) == (
        "团浙办〔2019〕20号",
        people["zj_editor"],
        tree.zj,
    )
    assert set(issued.rows.values_list("organisation__code", "rank")) == {("330100", 1), ("330200", 2)}
    kept = issued.figures["rows"]
    # The children's people are told; the province's own are not (they see it already).
    told = set(
        Notification.objects.filter(key=f"bulletin:{issued.pk}").values_list("recipient__username", flat=True)
    )
    assert told == {people[who].username for who in ("hz_viewer", "nb_reporter")}
    # Later facts do not change what was issued.
    AssignmentMilestone.objects.filter(assignment__organisation=tree.nb, due_date=JUNE).update(
        completed_on=date(2019, 6, 1), accepted_at=timezone.now()
    )
    detail = reverse("evaluation:bulletin_detail", args=[issued.pk])
    assert client.get(detail).context["payload"]["rows"] == kept
    # 杭州 and 宁波 are named and see it; 西湖 (not named) and 江苏 do not.
    for who in ("hz_viewer", "nb_reporter"):
        reader = login(people[who])
        assert "团浙办〔2019〕20号" in reader.get(reverse("evaluation:bulletins")).content.decode()
        assert reader.get(detail).status_code == 200
        assert reader.get(f"{detail}?format=docx").status_code == 200
    for who in ("xh_viewer", "js_editor"):
        reader = login(people[who])
        assert "团浙办〔2019〕20号" not in reader.get(reverse("evaluation:bulletins")).content.decode()
        assert reader.get(detail).status_code == 404


@pytest.mark.parametrize(
    "data",
    [{"period": "2099"}, {"period": "<b>x</b>"}, {"period": "2019", "doc_number": "号" * 61}, {}],
)
def test_issuing_bad_input_writes_nothing(scene, tree, people, login, data):
    response = login(people["zj_editor"]).post(reverse("evaluation:bulletin_issue"), {"org": tree.zj.pk, **data},
                                               follow=True)  # fmt: skip
    assert not Bulletin.objects.exists()
    page = response.content.decode()
    assert any(message in page for message in ("请选择列表中的通报期间", "文号不能超过 60 个字符", "必填"))


def test_a_viewer_may_not_issue(scene, tree, people, login):
    response = login(people["zj_viewer"]).post(
        reverse("evaluation:bulletin_issue"), {"org": tree.zj.pk, "period": "2019"}
    )
    assert response.status_code == 403 and not Bulletin.objects.exists()


def _scheme_url(org, year=2020):
    return f"{reverse('evaluation:scheme')}?org={org.pk}&year={year}"


def test_the_scheme_is_saved_and_reopens_with_what_was_saved(scene, tree, people, login):
    client = login(people["zj_editor"])
    response = client.post(
        _scheme_url(tree.zj), {"org": tree.zj.pk, "year": 2020, "action": "save", **WEIGHTS}
    )
    assert response.status_code == 302
    assert ScoringScheme.objects.get(organisation=tree.zj, year=2020).weights == WEIGHTS
    form = client.get(_scheme_url(tree.zj)).context["form"]
    assert {key: str(form[key].value()) for key in WEIGHTS} == WEIGHTS


@pytest.mark.parametrize(
    "field, value, message",
    [("on_time", "-1", "0—100"), ("on_time", "1000", "0—100"), ("per_red", "abc", "数字"), ("per_red", "NaN", "数字"),
     ("reports", "1.234", "两位小数"), ("reports", "", "请填写"), ("per_overdue", "1e9", "0—20"),
     ("per_yellow", "Infinity", "数字")],
)  # fmt: skip
def test_hostile_weights_are_refused_and_nothing_is_saved(scene, tree, people, login, field, value, message):
    response = login(people["zj_editor"]).post(
        _scheme_url(tree.zj), {"org": tree.zj.pk, "year": 2020, "action": "save", **WEIGHTS, field: value}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert not ScoringScheme.objects.exists()


def test_the_preview_scores_last_year_and_saves_nothing(scene, tree, people, login):
    response = login(people["zj_editor"]).post(
        _scheme_url(tree.zj), {"org": tree.zj.pk, "year": 2020, "action": "preview", **WEIGHTS}
    )
    preview = response.context["preview"]
    assert preview["year"] == 2019 and preview["scheme"]["weights"]["on_time"] == 60
    assert [row["org_code"] for row in preview["rows"]] == ["330100", "330200"]
    assert not ScoringScheme.objects.exists()


def test_a_viewer_may_not_edit_the_scheme(scene, tree, people, login):
    client = login(people["zj_viewer"])
    assert client.get(_scheme_url(tree.zj)).status_code == 403
    assert (
        client.post(_scheme_url(tree.zj), {"org": tree.zj.pk, "action": "save", **WEIGHTS}).status_code == 403
    )
    assert not ScoringScheme.objects.exists()


def test_points_by_hand_need_a_reason_and_an_own_unit(scene, tree, people, login):
    client = login(people["zj_editor"])
    url = _scheme_url(tree.zj, 2019)
    base = {"org": tree.zj.pk, "year": 2019, "action": "adjust"}
    for bad in ({"unit": f"org:{tree.hz.pk}", "points": "2", "reason": "  "},
                {"unit": f"org:{tree.nj.pk}", "points": "2", "reason": "跨省"},
                {"unit": f"org:{tree.xh.pk}", "points": "2", "reason": "孙级"},
                {"unit": f"org:{tree.hz.pk}", "points": "99", "reason": "太多"},
                {"unit": f"org:{tree.hz.pk}", "points": "x", "reason": "非数字"}):  # fmt: skip
        response = client.post(url, {**base, **bad})
        assert response.status_code == 200 and response.context["adjust"].errors
    assert not ScoreAdjustment.objects.exists()
    client.post(url, {**base, "unit": f"org:{tree.hz.pk}", "points": "-1.5", "reason": "信息报送不及时"})
    row = next(r for r in assessment(org=tree.zj, year=2019, today=DAY)["rows"] if r["org_code"] == "330100")
    assert {k: row["items"][-1][k] for k in ("rule", "points")} == {"rule": "adjustment", "points": -1.5}
    assert row["items"][-1]["explanation"] == "信息报送不及时"


def test_a_closed_year_keeps_its_scores(scene, tree, people, login):
    client = login(people["zj_editor"])
    client.post(reverse("evaluation:year_close"), {"org": tree.zj.pk, "year": 2019})
    scheme = ScoringScheme.objects.get(organisation=tree.zj, year=2019)
    assert scheme.closed_at and scheme.frozen["scheme"]["closed"]
    before = assessment(org=tree.zj, year=2019, today=date(2019, 12, 31))
    AssignmentMilestone.objects.update(completed_on=date(2019, 6, 1), accepted_at=timezone.now())
    assert assessment(org=tree.zj, year=2019, today=date(2019, 12, 31)) == before
    response = client.post(
        _scheme_url(tree.zj, 2019), {"org": tree.zj.pk, "year": 2019, "action": "save", **WEIGHTS}
    )
    assert "已关闭" in response.content.decode()
    scheme.refresh_from_db()
    assert scheme.weights != WEIGHTS
    page = client.get(f"{reverse('evaluation:assessment')}?org={tree.zj.pk}&year=2019").content.decode()
    assert "本年度已关闭" in page and "编辑考核方案" not in page


def test_a_year_not_begun_cannot_be_closed(scene, tree, people, login):
    year = timezone.localdate().year + 1
    response = login(people["zj_editor"]).post(
        reverse("evaluation:year_close"), {"org": tree.zj.pk, "year": year}, follow=True
    )
    assert "尚未开始，不能关闭" in response.content.decode()
    assert not ScoringScheme.objects.filter(closed_at__isnull=False).exists()


def test_the_assessment_page_explains_and_exports(scene, tree, people, login):
    client = login(people["zj_viewer"])
    page = client.get(f"{reverse('evaluation:assessment')}?org={tree.zj.pk}&year=2019").content.decode()
    assert "按期完成" in page and "查看计分" in page
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(
        f"{reverse('evaluation:assessment')}?org={tree.zj.pk}&year=2019&format=xlsx").content)).active  # fmt: skip
    assert sheet.cell(row=2, column=3).value == "得分"
    assert {sheet.cell(row=r, column=2).value for r in (3, 4)} == {"共青团杭州市委", "共青团宁波市委"}
    bad = client.get(f"{reverse('evaluation:assessment')}?org={tree.zj.pk}&year=abc", follow=True)
    assert "年度应为" in bad.content.decode()


def test_the_bulletin_page_takes_few_queries(scene, tree, people, login, django_assert_max_num_queries):
    client = login(people["zj_viewer"])
    with django_assert_max_num_queries(24):
        client.get(_bulletin_url(tree.zj))


@pytest.mark.parametrize(
    "options, message",
    [({"org": "99", "period": "2019"}, "找不到组织"), ({"org": "33", "period": "2019Q7"}, "格式有误"),
     ({"org": "33", "period": "2019", "today": "2019-13-01"}, "日期格式"),
     ({"org": "33", "period": "2019", "docx": "/nonexistent/dir/x.docx"}, "不存在")],
)  # fmt: skip
def test_the_bulletin_command_refuses_bad_input(scene, options, message, tmp_path):
    with pytest.raises(CommandError, match=message):
        call_command("bulletin", **options, stdout=io.StringIO())


@pytest.mark.parametrize("year", ["abc", "19999", "1999", ""])
def test_the_assessment_command_refuses_a_bad_year(scene, year):
    with pytest.raises(CommandError, match="年度"):
        call_command("assessment", org="33", year=year, stdout=io.StringIO())


def test_the_bulletin_command_writes_no_file_when_it_fails(scene, tmp_path):
    target = tmp_path / "x.docx"
    with pytest.raises(CommandError):
        call_command("bulletin", org="33", period="bad", docx=str(target), stdout=io.StringIO())
    assert not target.exists()
    call_command(
        "bulletin", org="33", period="2019", today=DAY.isoformat(), docx=str(target), stdout=io.StringIO()
    )
    assert target.stat().st_size > 1000


def test_any_day_can_be_asked_for_and_a_bad_one_is_refused(scene, tree, people, login):
    client = login(people["zj_viewer"])
    before = client.get(_bulletin_url(tree.zj, day="2019-07-01")).context["payload"]
    assert next(r for r in before["rows"] if r["org_code"] == "330100")["overdue"] == 1  # 西湖's, on 1 July
    for bad, message in (("2019-02-30", "日期格式"), ("2999-01-01", "不能晚于今天"), ("<x>", "日期格式")):
        page = client.get(_bulletin_url(tree.zj, day=bad)).content.decode()
        assert message in page and "payload" not in client.get(_bulletin_url(tree.zj, day=bad)).context
    url = f"{reverse('evaluation:assessment')}?org={tree.zj.pk}&year=2019"
    assert client.get(f"{url}&day=2019-07-01").context["payload"]["today"] == "2019-07-01"
    for bad in ("2019-13-01", "2999-01-01", "abc"):
        response = client.get(f"{url}&day={bad}", follow=True)
        assert response.context["payload"]["today"] == timezone.localdate().isoformat()
        assert "统计日期" in response.content.decode()


@pytest.mark.parametrize("year", ["abc", "", "99999", "1999", "<b>2019</b>"])
def test_a_bad_year_is_refused_and_nothing_is_written(scene, tree, people, login, year):
    client = login(people["zj_editor"])
    closed = client.post(reverse("evaluation:year_close"), {"org": tree.zj.pk, "year": year}, follow=True)
    assert "请选择要关闭的年度" in closed.content.decode()
    saved = client.post(
        f"{reverse('evaluation:scheme')}?org={tree.zj.pk}&year={year}",
        {"org": tree.zj.pk, "action": "save", **WEIGHTS},
        follow=True,
    )
    if year:  # an empty year means this year, whose scheme may be saved
        assert "年度应为 2000—2100 之间的四位数字" in saved.content.decode()
        assert not ScoringScheme.objects.exists()
