"""Build the League's organisation tree from the national division CSVs (统计用区划代码).

Reading validates everything before anything is written; writing numbers the whole forest in memory and
inserts it in bulk (COPY on PostgreSQL) under the tree lock, in one transaction. Re-running matches nodes
by division code, so a second load of the same files changes nothing.
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from .models import Organisation, OrgType, TreeChange
from .numbering import find_cycle, number_forest
from .services import lock_tree

DEPTHS = ("city", "county", "township", "village")

FILES = {
    "province": ("provinces.csv", ("code", "name"), None),
    "city": ("cities.csv", ("code", "name", "provinceCode"), "provinceCode"),
    "county": ("areas.csv", ("code", "name", "cityCode", "provinceCode"), "cityCode"),
    "township": ("streets.csv", ("code", "name", "areaCode", "provinceCode"), "areaCode"),
    "village": ("villages.csv", ("code", "name", "streetCode", "provinceCode"), "streetCode"),
}
CODE_LENGTHS = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}
PLACEHOLDER_CITY = re.compile(r"^(市辖区|县|.*直辖县级行政区划)$")


class DivisionLoadError(Exception):
    """Bad input: the message is shown to the operator as is."""


@dataclass(slots=True)
class DivisionNode:
    code: str
    name: str
    short_name: str
    org_type: str
    parent_code: str | None
    level_name: str
    source: str  # file:line, for error messages


@dataclass
class LoadResult:
    created: int = 0
    moved: int = 0
    renumbered: int = 0
    unchanged: int = 0
    trees: int = 0
    nodes_read: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "moved": self.moved,
            "renumbered": self.renumbered,
            "unchanged": self.unchanged,
            "trees": self.trees,
            "nodes_read": self.nodes_read,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


def normalise_division_code(raw: str) -> str:
    """Provinces and cities to six digits (33 → 330000, 3301 → 330100); others as they are."""
    return raw.ljust(6, "0") if len(raw) in (2, 4) else raw


# --- naming, the way the League names its organisations -------------------------------------------


def province_org_name(name: str) -> str:
    return f"共青团{name}委"


def city_org_name(name: str) -> str:
    return f"共青团{name}委"


def county_org_name(name: str, prefix: str) -> str:
    # Districts carry their city's name (共青团杭州市西湖区委); counties and county-level cities stand alone.
    if name.endswith("会"):
        return f"{name}团委"
    if name.endswith("区") and prefix:
        return f"共青团{prefix}{name}委"
    return f"共青团{name}委"


def township_org(name: str) -> tuple[str, str]:
    if name.endswith("街道"):
        return f"{name}团工委", OrgType.STREET
    return f"{name}团委", OrgType.TOWNSHIP


def village_org_name(name: str) -> str:
    base = name
    for suffix in ("村民委员会", "村委会"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            base = base if base.endswith("村") else base + "村"
            return f"{base}团支部"
    for suffix in ("居民委员会", "居委会"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            base = base if base.endswith("社区") else base + "社区"
            return f"{base}团支部"
    if base.endswith("委员会"):
        base = base[: -len("委员会")]
    return f"{base}团支部"


# --- reading --------------------------------------------------------------------------------------


def _read_level(directory: Path, level: str, province: str | None):
    filename, required, _ = FILES[level]
    path = directory / filename
    if not path.is_file():
        raise DivisionLoadError(f"找不到文件 {filename}（目录 {directory}）")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if not header:
                raise DivisionLoadError(f"{filename} 是空文件，缺少表头")
            header = [h.strip() for h in header]
            missing = [c for c in required if c not in header]
            if missing:
                raise DivisionLoadError(
                    f"{filename} 缺少列：{'、'.join(missing)}（应有列：{'、'.join(required)}）"
                )
            index = {c: header.index(c) for c in required}
            width = len(header)
            province_col = index.get("provinceCode")
            rows = []
            for lineno, row in enumerate(reader, start=2):
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != width:
                    raise DivisionLoadError(f"{filename} 第 {lineno} 行有 {len(row)} 列，表头有 {width} 列")
                code = row[index["code"]].strip()
                if province is not None:
                    own_province = code[:2] if province_col is None else row[province_col].strip()
                    if own_province != province:
                        continue
                rows.append((lineno, [row[index[c]].strip() for c in required]))
            return rows
    except UnicodeDecodeError as exc:
        raise DivisionLoadError(
            f"{filename} 不是 UTF-8 编码（第 {exc.start} 字节附近无法解码），请另存为 UTF-8 后重试"
        ) from exc
    except csv.Error as exc:
        raise DivisionLoadError(f"{filename} 不是有效的 CSV 文件：{exc}") from exc


def read_divisions(directory: str | Path, *, province: str | None = None, depth: str = "village") -> list:
    """Read and validate the division files down to `depth`; returns nodes parents-first."""
    directory = Path(directory)
    if depth not in DEPTHS:
        raise DivisionLoadError(f"--depth 只能是 {' / '.join(DEPTHS)}")
    if province is not None:
        province = str(province).strip()[:2]
        if not re.fullmatch(r"\d{2}", province):
            raise DivisionLoadError("--province 应为 2 位省级代码，例如 33")
    if not directory.is_dir():
        raise DivisionLoadError(f"目录 {directory} 不存在")
    levels = ("province",) + DEPTHS[: DEPTHS.index(depth) + 1]

    nodes: dict[str, DivisionNode] = {}
    alias: dict[str, str] = {}  # placeholder level code → the code its children attach to
    names: dict[str, str] = {}  # code → plain division name, for county name prefixes

    def add(node: DivisionNode) -> None:
        other = nodes.get(node.code)
        if other is not None:
            raise DivisionLoadError(f"代码 {node.code} 重复：{other.source} 与 {node.source}")
        nodes[node.code] = node

    for level in levels:
        filename, _, parent_col = FILES[level]
        for lineno, values in _read_level(directory, level, province):
            raw_code, name = values[0], values[1]
            source = f"{filename} 第 {lineno} 行"
            if not raw_code.isdigit() or len(raw_code) != CODE_LENGTHS[level]:
                raise DivisionLoadError(f"{source}：代码“{raw_code}”应为 {CODE_LENGTHS[level]} 位数字")
            name = re.sub(r"\s+", "", name)
            if not name:
                raise DivisionLoadError(f"{source}：名称为空")
            raw_parent = values[2] if parent_col else None
            if raw_parent is not None and not raw_parent.isdigit():
                raise DivisionLoadError(f"{source}：上级代码“{raw_parent}”不是数字")
            parent = (
                None if raw_parent is None else alias.get(raw_parent, normalise_division_code(raw_parent))
            )
            code = normalise_division_code(raw_code)
            if level == "city" and PLACEHOLDER_CITY.match(name):
                alias[raw_code] = parent
                continue
            if level == "county" and parent in names and names[parent] == name and raw_parent not in alias:
                # 东莞市 / 中山市 … appear again as their own only county: one organisation, not two.
                alias[raw_code] = parent
                continue
            names[code] = name
            if level == "province":
                node = DivisionNode(
                    code, province_org_name(name), name, OrgType.PROVINCE, None, level, source
                )
            elif level == "city":
                node = DivisionNode(code, city_org_name(name), name, OrgType.CITY, parent, level, source)
            elif level == "county":
                prefix = names.get(parent, "")
                node = DivisionNode(
                    code, county_org_name(name, prefix), name, OrgType.COUNTY, parent, level, source
                )
            elif level == "township":
                org_name, org_type = township_org(name)
                node = DivisionNode(code, org_name, name, org_type, parent, level, source)
            else:
                node = DivisionNode(code, village_org_name(name), name, OrgType.BRANCH, parent, level, source)
            add(node)

    for node in nodes.values():
        if node.parent_code is not None and node.parent_code not in nodes:
            raise DivisionLoadError(f"{node.source}：上级代码 {node.parent_code} 不存在")
    cycle = find_cycle({code: node.parent_code for code, node in nodes.items()})
    if cycle:
        raise DivisionLoadError(f"上下级关系成环：{' → '.join(cycle)}（{nodes[cycle[0]].source}）")
    return list(nodes.values())


# --- writing --------------------------------------------------------------------------------------

COLUMNS = (
    "id", "name", "short_name", "org_type", "code", "parent_id", "is_active", "order",
    "created_at", "updated_at", "lft", "rght", "tree_id", "level",
)  # fmt: skip


def _allocate_ids(count: int) -> list[int]:
    if count == 0:
        return []
    table = Organisation._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def _insert_rows(rows) -> None:
    table = Organisation._meta.db_table
    columns = ", ".join(f'"{c}"' for c in COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(COLUMNS))
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 5000:
                    cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({placeholders})', batch)
                    batch = []
            if batch:
                cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({placeholders})', batch)


def write_numbering(changes: list[tuple[int, int | None, int, int, int, int]]) -> None:
    """Write (id, parent_id, lft, rght, level, tree_id) for existing rows in bulk."""
    if not changes:
        return
    table = Organisation._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMP TABLE orgtree_renumber (id bigint PRIMARY KEY, parent_id bigint, lft integer, "
                "rght integer, level integer, tree_id integer) ON COMMIT DROP"
            )
            with cursor.cursor.copy("COPY orgtree_renumber FROM STDIN") as copy:
                for row in changes:
                    copy.write_row(row)
            cursor.execute(
                f'UPDATE "{table}" o SET parent_id = r.parent_id, lft = r.lft, rght = r.rght, '
                "level = r.level, tree_id = r.tree_id FROM orgtree_renumber r WHERE o.id = r.id"
            )
            cursor.execute("DROP TABLE orgtree_renumber")
        else:
            cursor.executemany(
                f'UPDATE "{table}" SET parent_id = %s, lft = %s, rght = %s, level = %s, tree_id = %s '
                "WHERE id = %s",
                [(p, lft, rght, level, tree, pk) for pk, p, lft, rght, level, tree in changes],
            )


def load_divisions(
    directory: str | Path,
    *,
    province: str | None = None,
    depth: str = "village",
    actor=None,
    progress: Callable[[str], None] | None = None,
) -> LoadResult:
    result = LoadResult()
    say = progress or (lambda message: None)
    started = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal started
        now = time.perf_counter()
        result.timings[stage] = now - started
        started = now

    nodes = read_divisions(directory, province=province, depth=depth)
    result.nodes_read = len(nodes)
    lap("read")
    say(f"读取区划 {len(nodes):,} 条（{result.timings['read']:.1f} 秒）")

    with transaction.atomic():
        lock_tree()
        codes = {node.code for node in nodes}
        known = dict(Organisation.objects.filter(code__isnull=False).values_list("code", "tree_id"))
        touched_trees = {known[code] for code in codes if code in known}
        existing = list(
            Organisation.objects.filter(tree_id__in=touched_trees).values_list(
                "id", "code", "parent_id", "tree_id", "lft", "rght", "level", "order"
            )
        )
        id_by_code = {row[1]: row[0] for row in existing if row[1]}
        new_nodes = [node for node in nodes if node.code not in id_by_code]
        new_nodes.sort(key=lambda node: (len(node.code), node.code))
        for node, pk in zip(new_nodes, _allocate_ids(len(new_nodes)), strict=True):
            id_by_code[node.code] = pk
        lap("match")

        parent_of: dict[int, int | None] = {}
        sort_key: dict[int, tuple] = {}
        for pk, _code, parent_id, tree_id, lft, _rght, _level, _order in existing:
            parent_of[pk] = parent_id
            sort_key[pk] = (0, tree_id, lft, "")
        data_parent = {node.code: node.parent_code for node in nodes}
        for code, parent_code in data_parent.items():
            pk = id_by_code[code]
            parent_of[pk] = None if parent_code is None else id_by_code[parent_code]
            if pk not in sort_key:
                sort_key[pk] = (1, 0, 0, code)
        numbers, roots, unreachable = number_forest(parent_of, sort_key)
        if unreachable:
            raise DivisionLoadError(f"有 {len(unreachable)} 个组织无法挂到根组织上（上级关系成环或缺失）")
        lap("number")

        tree_of_root: dict[int, int] = {}
        old = {row[0]: row for row in existing}
        next_tree = (Organisation.objects.aggregate(m=Max("tree_id"))["m"] or 0) + 1
        for root in roots:
            if root in old:
                tree_of_root[root] = old[root][3]
            else:
                tree_of_root[root] = next_tree
                next_tree += 1
        result.trees = len(roots)

        changes = []
        for pk, row in old.items():
            lft, rght, level, root = numbers[pk]
            wanted = (parent_of[pk], lft, rght, level, tree_of_root[root])
            if wanted != (row[2], row[4], row[5], row[6], row[3]):
                changes.append((pk, *wanted))
                if parent_of[pk] != row[2]:
                    result.moved += 1
                else:
                    result.renumbered += 1
            else:
                result.unchanged += 1
        write_numbering(changes)
        lap("update")

        next_order: dict[int | None, int] = {}
        for _pk, _code, parent_id, *_rest, order in existing:
            next_order[parent_id] = max(next_order.get(parent_id, 0), order)
        now = timezone.now()

        def rows():
            for node in new_nodes:
                pk = id_by_code[node.code]
                parent_id = parent_of[pk]
                order = next_order.get(parent_id, 0) + 1
                next_order[parent_id] = order
                lft, rght, level, root = numbers[pk]
                yield (
                    pk, node.name, node.short_name, str(node.org_type), node.code, parent_id, True, order,
                    now, now, lft, rght, tree_of_root[root], level,
                )  # fmt: skip

        _insert_rows(rows())
        result.created = len(new_nodes)
        lap("insert")
        TreeChange.objects.create(
            action=TreeChange.Action.LOAD,
            actor=actor if actor is not None and actor.is_authenticated else None,
            detail={"directory": str(directory), "province": province, "depth": depth, **result.as_dict()},
        )
    lap("commit")
    say(
        f"新增 {result.created:,} 个组织，调整隶属 {result.moved:,} 个，重新编号 {result.renumbered:,} 个，"
        f"未变 {result.unchanged:,} 个；共 {result.trees} 棵省级树"
    )
    return result
