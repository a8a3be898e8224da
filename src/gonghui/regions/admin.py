from django.contrib import admin

from gonghui.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "mountain", "island"]
    list_filter = ["level", "mountain", "island"]
    list_editable = ["mountain", "island"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "level", "parent"]
