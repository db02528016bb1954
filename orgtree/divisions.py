"""The national division CSVs (统计用区划代码, GB/T 2260): reading and validating them, and naming the League
organisation of each division the way the League names its organisations. Pure: nothing is written here
(orgtree.importers loads the result into the tree)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from core.cli import os_error_reason

from .models import OrgType
from .numbering import find_cycle

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
# Plain strings: hundreds of thousands of nodes carry one of these.
PROVINCE, CITY, COUNTY = str(OrgType.PROVINCE), str(OrgType.CITY), str(OrgType.COUNTY)
STREET, TOWNSHIP, BRANCH = str(OrgType.STREET), str(OrgType.TOWNSHIP), str(OrgType.BRANCH)


class DivisionLoadError(Exception):
    """Bad input: the message is shown to the operator as is."""


@dataclass(slots=True)
class DivisionNode:
    code: str
    name: str
    short_name: str
    org_type: str
    parent_code: str | None
    filename: str
    lineno: int

    @property
    def source(self) -> str:
        return f"{self.filename} 第 {self.lineno} 行"


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
        return f"{name}团工委", STREET
    return f"{name}团委", TOWNSHIP


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


def _squeeze(text: str) -> str:
    text = text.strip()
    return "".join(text.split()) if (" " in text or "\u3000" in text or "\t" in text) else text


def _read_level(directory: Path, level: str, province: str | None):
    """Yield (lineno, code, name, parent code or None) of one level's file, checked for shape."""
    filename, required, parent_col = FILES[level]
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
            width = len(header)
            code_at, name_at = header.index("code"), header.index("name")
            parent_at = header.index(parent_col) if parent_col else None
            province_at = header.index("provinceCode") if "provinceCode" in header else code_at
            for lineno, row in enumerate(reader, start=2):
                if len(row) != width:
                    if not row or (len(row) == 1 and not row[0].strip()):
                        continue
                    raise DivisionLoadError(f"{filename} 第 {lineno} 行有 {len(row)} 列，表头有 {width} 列")
                if province is not None and row[province_at].strip()[:2] != province:
                    continue
                parent = None if parent_at is None else row[parent_at].strip()
                yield lineno, row[code_at].strip(), row[name_at], parent
    except OSError as exc:  # unreadable: permissions, a directory of that name, an I/O error
        raise DivisionLoadError(f"无法读取 {filename}（目录 {directory}）：{os_error_reason(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise DivisionLoadError(
            f"{filename} 不是 UTF-8 编码（第 {exc.start} 字节附近无法解码），请另存为 UTF-8 后重试"
        ) from exc
    except csv.Error as exc:
        raise DivisionLoadError(f"{filename} 不是有效的 CSV 文件：{exc}") from exc


def read_divisions(directory: str | Path, *, province: str | None = None, depth: str = "village") -> list:
    """Read and validate the division files down to `depth`; returns nodes parents-first, by code."""
    directory = Path(directory)
    if depth not in DEPTHS:
        raise DivisionLoadError(f"--depth 只能是 {' / '.join(DEPTHS)}")
    if province is not None:
        province = str(province).strip()[:2]
        if not re.fullmatch(r"\d{2}", province):
            raise DivisionLoadError("--province 应为 2 位省级代码，例如 33")
    if not directory.is_dir():
        raise DivisionLoadError(f"{directory} 不是目录" if directory.exists() else f"目录 {directory} 不存在")
    levels = ("province",) + DEPTHS[: DEPTHS.index(depth) + 1]

    nodes: dict[str, DivisionNode] = {}
    alias: dict[str, str] = {}  # placeholder level code → the code its children attach to
    names: dict[str, str] = {}  # code → plain division name, for county name prefixes
    # Nodes whose parent was not read from an earlier level: only these can close a cycle.
    unsettled: list[DivisionNode] = []

    for level in levels:
        filename = FILES[level][0]
        length = CODE_LENGTHS[level]
        earlier = set(nodes)
        level_nodes = []
        for lineno, raw_code, raw_name, raw_parent in _read_level(directory, level, province):
            if len(raw_code) != length or not raw_code.isdigit():
                raise DivisionLoadError(f"{filename} 第 {lineno} 行：代码“{raw_code}”应为 {length} 位数字")
            name = _squeeze(raw_name)
            if not name:
                raise DivisionLoadError(f"{filename} 第 {lineno} 行：名称为空")
            parent = None
            if raw_parent is not None:
                if not raw_parent.isdigit():
                    raise DivisionLoadError(f"{filename} 第 {lineno} 行：上级代码“{raw_parent}”不是数字")
                parent = alias.get(raw_parent) or normalise_division_code(raw_parent)
            code = normalise_division_code(raw_code)
            if level == "city" and PLACEHOLDER_CITY.match(name):
                alias[raw_code] = parent
                continue
            if level == "county" and names.get(parent) == name:
                # 东莞市 / 中山市 … appear again as their own only county: one organisation, not two.
                alias[raw_code] = parent
                continue
            if level == "village":
                node = DivisionNode(code, village_org_name(name), name, BRANCH, parent, filename, lineno)
            elif level == "township":
                org_name, org_type = township_org(name)
                node = DivisionNode(code, org_name, name, org_type, parent, filename, lineno)
            else:
                names[code] = name
                if level == "province":
                    node = DivisionNode(code, province_org_name(name), name, PROVINCE, None, filename, lineno)
                elif level == "city":
                    node = DivisionNode(code, city_org_name(name), name, CITY, parent, filename, lineno)
                else:
                    org_name = county_org_name(name, names.get(parent, ""))
                    node = DivisionNode(code, org_name, name, COUNTY, parent, filename, lineno)
            other = nodes.get(code)
            if other is not None:
                raise DivisionLoadError(f"代码 {code} 重复：{other.source} 与 {node.source}")
            nodes[code] = node
            level_nodes.append(node)
            if parent is not None and parent not in earlier:
                unsettled.append(node)
        if level == "province" and province is not None and not level_nodes:
            # Nothing to load: refused, rather than an empty load recorded in the tree's history.
            raise DivisionLoadError(f"{filename} 中没有代码为 {province} 的省份")

    for node in unsettled:
        if node.parent_code not in nodes:
            raise DivisionLoadError(f"{node.source}：上级代码 {node.parent_code} 不存在")
    if unsettled:
        cycle = find_cycle({code: node.parent_code for code, node in nodes.items()})
        if cycle:
            raise DivisionLoadError(f"上下级关系成环：{' → '.join(cycle)}（{nodes[cycle[0]].source}）")
    result = list(nodes.values())
    result.sort(key=lambda node: (len(node.code), node.code))
    return result
