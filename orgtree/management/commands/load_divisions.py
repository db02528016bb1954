"""load_divisions DIR [--province 33] [--depth city|county|township|village] [--json]"""

import json
import resource
import time

from django.core.management.base import BaseCommand, CommandError

from orgtree.divisions import DEPTHS, DivisionLoadError
from orgtree.importers import load_divisions


class Command(BaseCommand):
    help = "从国家统计局区划代码 CSV 构建团组织树（按代码匹配，可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("directory", help="含 provinces.csv、cities.csv、areas.csv … 的目录")
        parser.add_argument("--province", help="只导入该省，例如 33（浙江）")
        parser.add_argument("--depth", choices=DEPTHS, default="village", help="导入到哪一级（默认 village）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        started = time.perf_counter()
        quiet = options["json"] or options["verbosity"] == 0
        try:
            result = load_divisions(
                options["directory"],
                province=options["province"],
                depth=options["depth"],
                progress=None if quiet else lambda message: self.stdout.write(message),
            )
        except DivisionLoadError as exc:
            raise CommandError(f"导入失败，未写入任何数据：{exc}") from exc
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if options["json"]:
            payload = {**result.as_dict(), "seconds": round(elapsed, 3), "peak_memory_mb": round(peak_mb, 1)}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        elif not quiet:
            self.stdout.write(self.style.SUCCESS(f"完成，用时 {elapsed:.1f} 秒，峰值内存 {peak_mb:.0f} MB"))
