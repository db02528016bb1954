"""Evidence is read whole before it is kept: files that only start like their type are refused with a
Chinese message and nothing is stored; what is kept is only ever served as a download."""

from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reporting import services as reporting
from reporting.attachments import report_attachment_add
from reporting.tests import files

pytestmark = pytest.mark.django_db

XLS = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "samples" / "city-2020.xls"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def assignment(tree):
    from assignments.models import Assignment
    from assignments.publishing import plan_publish
    from plans.models import Plan
    from plans.services import task_create

    plan = Plan.objects.create(title="2019年要点", organisation=tree.hz, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "5月：摸底；9月：验收"})
    plan_publish(plan=plan, levels=["county"])
    return Assignment.objects.get(organisation=tree.xh)


@pytest.fixture
def report(assignment):
    return reporting.report_save(
        assignment=assignment, period="2019-05", data={"stage": "in_progress", "percent": 10}, user=None,
        version=0, submit=False, today=date(2019, 5, 20),
    )  # fmt: skip


def add(report, name, content):
    return report_attachment_add(report=report, upload=SimpleUploadedFile(name, content), user=None)


@pytest.mark.parametrize(
    "name,build",
    [
        ("纪要.pdf", lambda: files.pdf(3)),
        ("权限.pdf", lambda: files.encrypted_pdf("")),  # restrictions only: opens without a password
        ("现场.png", lambda: files.image("PNG")),
        ("现场.jpg", lambda: files.image("JPEG")),
        ("现场.JPEG", lambda: files.image("JPEG", (4000, 3000))),  # a phone photo's size
        ("纪要.docx", files.docx),
        ("台账.xlsx", files.xlsx),
        ("台账.xls", XLS.read_bytes),
        ("旧稿.doc", lambda: files.ole("WordDocument")),
    ],
)
def test_real_files_are_kept(report, name, build):
    attachment = add(report, name, build())
    assert attachment.name == name and attachment.kind == name.rsplit(".", 1)[1].lower()


@pytest.mark.parametrize(
    "name,build,message",
    [
        (
            "a.pdf",
            lambda: b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>",
            "不是有效的 PDF",
        ),
        ("a.pdf", lambda: files.pdf(0), "PDF 文件没有页面"),
        ("a.pdf", lambda: files.pdf(1)[:200], "不是有效的 PDF"),
        ("a.pdf", lambda: files.encrypted_pdf("secret"), "PDF 设有打开密码"),
        (
            "a.png",
            lambda: b"\x89PNG\r\n\x1a\n<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
            "与扩展名 .png 不符",
        ),
        ("a.png", lambda: files.image("PNG", (300, 300))[:150], "图片已损坏"),
        ("a.png", lambda: files.png_claiming(60_000, 60_000), "图片像素过多"),
        ("a.png", lambda: files.image("PNG", (6000, 6000), mode="1"), "图片像素过多（6000×6000）"),
        ("a.png", lambda: files.image("JPEG"), "与扩展名 .png 不符"),
        ("a.jpg", lambda: b"\xff\xd8\xff\xe0<html><body onload=alert(1)></html>", "与扩展名 .jpg 不符"),
        ("a.jpg", lambda: files.image("JPEG", (800, 600))[:400], "图片已损坏"),
        ("a.docx", lambda: b"PK\x03\x04" + b"<html></html>", "损坏"),
        ("a.docx", files.xlsx, "与扩展名 .docx 不符"),
        ("a.docx", files.macro_docx, "文件含宏"),
        ("a.docx", files.bomb_docx, "压缩炸弹"),
        ("a.docx", files.bad_checksum_docx, "损坏"),
        ("a.doc", lambda: files.ole("Workbook"), "与扩展名 .doc 不符"),
        ("a.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "损坏"),
    ],
    ids=[
        "pdf-header-then-html",
        "pdf-without-pages",
        "pdf-cut-short",
        "pdf-with-open-password",
        "png-header-then-svg",
        "png-cut-short",
        "png-claiming-3.6-gigapixels",
        "png-of-36-megapixels",
        "jpeg-named-png",
        "jpeg-header-then-html",
        "jpeg-cut-short",
        "zip-header-then-html",
        "xlsx-named-docx",
        "docm-named-docx",
        "docx-zip-bomb",
        "docx-bad-checksum",
        "xls-named-doc",
        "ole-header-only",
    ],
)
def test_files_that_only_start_like_their_type_are_refused(report, name, build, message):
    with pytest.raises(Exception, match=message):
        add(report, name, build())
    assert not report.attachments.exists()


def test_refused_upload_answers_in_chinese_and_stores_nothing(login, tree, make_user, report, tmp_path):
    client = login(make_user(tree.xh, "reporter"))
    upload = SimpleUploadedFile("证明.pdf", b"%PDF-1.7\n<html><body>not a pdf</body></html>")
    page = client.post(
        reverse("reporting:attachment_upload", args=[report.pk]), {"file": upload}, follow=True
    )
    assert "不是有效的 PDF 文件" in page.content.decode()
    assert not report.attachments.exists() and not any(p.is_file() for p in tmp_path.rglob("*"))


@pytest.mark.parametrize(
    "name,stored",
    [
        ("会议纪要.pdf", "会议纪要.pdf"),
        ('a"b\r\nSet-Cookie: x=1;.pdf', 'a"bSet-Cookie: x=1;.pdf'),
        ("..\\..\\evil\u202egpj.pdf", "evilgpj.pdf"),  # right-to-left override dropped
    ],
)
def test_always_served_as_a_download(login, tree, make_user, report, name, stored):
    attachment = add(report, name, files.pdf())
    assert attachment.name == stored
    response = login(make_user(tree.hz, "viewer")).get(reverse("reporting:attachment", args=[attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == files.pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"attachment.pdf\"; filename*=UTF-8''{quote(stored, safe='')}"
    )
    assert "sandbox" in response["Content-Security-Policy"]
