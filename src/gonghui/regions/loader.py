"""Loads the shipped Zhejiang division data (data/zhejiang_regions.json, made by scripts/build_regions.py)."""

import json
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("data") / "zhejiang_regions.json"


@cache
def shipped_regions() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def load_regions(*, update_flags: bool = False) -> int:
    """Insert divisions that are missing; names and coordinates follow the shipped file.

    The mountain and island flags are staff-edited data: they are set from the file only for new rows,
    unless ``update_flags`` is given.
    """
    from gonghui.regions.models import Region, RegionLevel

    data = shipped_regions()
    existing = {r.code: r for r in Region.objects.all()}
    rows = [(data["province"], RegionLevel.PROVINCE, None)]
    rows += [(c, RegionLevel.CITY, data["province"]["code"]) for c in data["cities"]]
    rows += [(c, RegionLevel.COUNTY, c["city_code"]) for c in data["counties"]]
    rows += [(t, RegionLevel.TOWN, t["county_code"]) for t in data["towns"]]
    created, updated = [], []
    for item, level, parent in rows:
        region = existing.get(item["code"])
        fields = dict(
            name=item["name"], level=level, parent_id=parent, lng=item.get("lng"), lat=item.get("lat")
        )
        if region is None:
            region = Region(code=item["code"], **fields)
            region.mountain = item.get("mountain", False)
            region.island = item.get("island", False)
            created.append(region)
            continue
        changed = any(getattr(region, k) != v for k, v in fields.items())
        for k, v in fields.items():
            setattr(region, k, v)
        if update_flags:
            changed |= (region.mountain, region.island) != (item.get("mountain", False), item.get("island", False))
            region.mountain = item.get("mountain", False)
            region.island = item.get("island", False)
        if changed:
            updated.append(region)
    # Parents first: rows are ordered province, cities, counties, towns.
    Region.objects.bulk_create(created, batch_size=500)
    if updated:
        Region.objects.bulk_update(
            updated, ["name", "level", "parent", "lng", "lat", "mountain", "island"], batch_size=500
        )
    return len(created) + len(updated)
