from ninja import Router, Schema

from gonghui.regions.models import Region, RegionLevel
from gonghui.regions.selectors import county_map_rows

router = Router(tags=["regions"])


class CountyOut(Schema):
    code: str
    name: str
    city: str
    mountain: bool
    island: bool


class TownOut(Schema):
    code: str
    name: str


@router.get("/counties", response=list[CountyOut], auth=None)
def list_counties(request):
    """All county-level divisions with their programme flags (public reference data)."""
    return county_map_rows()


@router.get("/counties/{code}/towns", response=list[TownOut], auth=None)
def list_towns(request, code: str):
    """Towns and streets of a county, for address pickers."""
    return list(Region.objects.filter(level=RegionLevel.TOWN, parent_id=code).values("code", "name"))
