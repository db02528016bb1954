"""assessment --org CODE --year Y [--today D] [--json]: the year's 考核 scores of an organisation's direct
children (and its own departments) under its scheme (the default rules where it has none), each score
explained item by item; a closed year gives the scores frozen when it was closed. Reads only."""

import json

from django.core.management.base import BaseCommand, CommandError

from core.cli import parse_day
from evaluation.selectors import assessment
from orgtree.cli import organisation_argument


class Command(BaseCommand):
    help = "计算组织对直属下级的年度考核得分（逐项说明）"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="区划代码（如 33、330100）或 #组织ID")
        parser.add_argument("--year", required=True, help="考核年度，如 2026")
        parser.add_argument("--today", help="按截至这一天记录的事实计算（YYYY-MM-DD，默认今天）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        org = organisation_argument(options["org"])
        year = str(options["year"]).strip()
        if not (year.isdigit() and 2000 <= int(year) <= 2100):
            raise CommandError("年度应为 2000—2100 之间的四位数字")
        payload = assessment(org=org, year=int(year), today=parse_day(options["today"]))
        if options["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        state = "（已关闭，得分已固定）" if payload["scheme"]["closed"] else ""
        self.stdout.write(f"{payload['org_name']} {year} 年度考核{state}，截至 {payload['today']}")
        for row in payload["rows"] + payload["departments"]:
            self.stdout.write(f"  {row['rank']:>3}. {row['org']}：{row['score']:g} 分")
            for item in row["items"]:
                if item["points"]:
                    self.stdout.write(f"       {item['label']} {item['points']:+g}：{item['explanation']}")
