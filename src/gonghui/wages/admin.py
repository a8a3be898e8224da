from django.contrib import admin

from gonghui.wages.models import Agreement, BargainingCase, Campaign, ContactLog


@admin.register(BargainingCase)
class BargainingCaseAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "region", "instructor", "offered_on")
    list_filter = ("status", "scope")
    raw_id_fields = ("enterprise", "instructor", "campaign", "renews")


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("case", "kind", "scope", "signed_on", "ends_on", "workers_covered")
    list_filter = ("kind", "scope")
    raw_id_fields = ("case",)


admin.site.register(Campaign)
admin.site.register(ContactLog)
