"""bulletin --org CODE --period P [--today D] [--json] [--docx FILE]: the 通报 of an organisation's direct
children (and its own departments) for a month, quarter, half or year, ranked from the recorded facts.
Reads only: nothing stored changes (issuing one is done on its page)."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.cli import check_output_file, parse_day, write_output_file
from evaluation.exporters import bulletin_docx
from evaluation.selectors import bulletin, bulletin_period
from evaluation.services import bulletin_title
from orgtree.cli import organisation_argument

FIELDS = ["org_code", "org", "due", "on_time", "late", "overdue", "report_timeliness", "rank"]


class Command(BaseCommand):
    help = "生成组织对直属下级的通报（按期完成、逾期、报送及时率排名）"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="区划代码（如 33、330100）或 #组织ID")
        parser.add_argument("--period", required=True, help="期间：2026-05、2026Q2、2026H1 或 2026")
        parser.add_argument("--today", help="统计截至这一天（YYYY-MM-DD，默认今天）")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--docx", help="同时写出 Word 文件（.docx）")

    def handle(self, *args, **options):
        org = organisation_argument(options["org"])
        try:
            period = bulletin_period(options["period"])
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        today = parse_day(options["today"])
        if options["docx"]:
            check_output_file(options["docx"])
        payload = bulletin(org=org, period=period, today=today)
        if options["docx"]:
            content = bulletin_docx(
                payload, title=bulletin_title(org, period), doc_number="", issued_on=today
            )
            write_output_file(options["docx"], content)
        if options["json"]:
            out = {
                "org": payload["org"],
                "period": payload["period"],
                "today": payload["today"],
                "rows": [{key: row[key] for key in FIELDS} | _extra(row) for row in payload["rows"]],
                "departments": [
                    {key: row[key] for key in FIELDS} | _extra(row) for row in payload["departments"]
                ],
                "summary": payload["summary"],
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        self.stdout.write(f"{bulletin_title(org, period)}（截至 {today:%Y-%m-%d}）")
        self.stdout.write(payload["summary"])
        for row in payload["rows"] + payload["departments"]:
            timeliness = "—" if row["report_timeliness"] is None else f"{row['report_timeliness']:g}%"
            self.stdout.write(
                f"  {row['rank']:>3}. {row['org']}：到期 {row['due']}，按期 {row['on_time']}，"
                f"逾期完成 {row['late']}，逾期未完成 {row['overdue']}，报送及时率 {timeliness}"
            )
        if options["docx"]:
            self.stdout.write(f"已写出 {options['docx']}")


def _extra(row: dict) -> dict:
    return {
        key: row[key]
        for key in (
            "pending",
            "completion_rate",
            "reports_on_time",
            "reports_late",
            "reports_missing",
            "indicators_targeted",
            "indicators_met",
        )
    }
