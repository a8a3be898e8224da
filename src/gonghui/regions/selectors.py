from gonghui.regions.models import Region, RegionLevel


def counties():
    return Region.objects.filter(level=RegionLevel.COUNTY).select_related("parent")


def cities():
    return Region.objects.filter(level=RegionLevel.CITY)


def county_map_rows() -> list[dict]:
    """What the province map needs for every county: code, name, city and the programme flags."""
    return [
        {
            "code": r.code,
            "name": r.name,
            "city": r.parent.name if r.parent else "",
            "mountain": r.mountain,
            "island": r.island,
        }
        for r in counties()
    ]
