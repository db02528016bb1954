"""indicator_rollup --indicator CODE_OR_NAME --org CODE --period P [--json]: a figure and its children's."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from indicators.models import Indicator
from indicators.rollup import check_period, rollup
from orgtree.cli import organisation_argument


class Command(BaseCommand):
    help = "输出某组织某期间的指标汇总值（分子之和 ÷ 分母之和）及各直属下级的值"

    def add_arguments(self, parser):
        parser.add_argument("--indicator", required=True, help="指标代码或名称")
        parser.add_argument("--org", required=True, help="组织区划代码（如 33、330100）或 #ID")
        parser.add_argument("--period", required=True, help="2019、2019-06、2019Q2 或 2019H1")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        ref = options["indicator"].strip()
        indicator = Indicator.objects.filter(Q(code__iexact=ref) | Q(name=ref)).first()
        if indicator is None:
            raise CommandError(f"找不到指标 {ref}")
        org = organisation_argument(options["org"])
        try:
            period = check_period(indicator, options["period"])
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        own, children = rollup(indicator, org, period)
        result = {
            "indicator": indicator.code,
            "period": period.code,
            **own.as_dict(),
            "children": [child.as_dict() for child in children],
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(self._line(indicator, own))
        for child in children:
            self.stdout.write("  " + self._line(indicator, child))

    @staticmethod
    def _line(indicator, figure) -> str:
        if figure.value is None:
            shown = "未报送"
        elif indicator.has_fraction:
            fraction = f"{figure.numerator.normalize():f} / {figure.denominator.normalize():f}"
            shown = f"{figure.value}{indicator.unit_suffix}（{fraction}）"
        else:
            shown = f"{figure.value}{indicator.unit_suffix}"
        target = (
            f"，目标 {figure.target.get_comparison_display()} {figure.target.value.normalize():f}"
            if figure.target
            else ""
        )
        att = f"，{figure.attainment_label}" if figure.attainment else ""
        counts = f"应报 {figure.expected}，已报 {figure.reported}，逾期 {figure.late}"
        return f"{figure.name}：{shown}{target}{att}；{counts}"
