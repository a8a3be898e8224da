from django.shortcuts import render
from django.views.decorators.http import require_GET

from gonghui.regions.selectors import county_map_rows


@require_GET
def province_map(request):
    rows = county_map_rows()
    return render(
        request,
        "regions/map.html",
        {
            "counties": rows,
            "mountain_count": sum(r["mountain"] for r in rows),
            "island_count": sum(r["island"] for r in rows),
        },
    )
