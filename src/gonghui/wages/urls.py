from django.urls import path

from gonghui.wages import views

urlpatterns = [
    path("", views.index, name="index"),
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/build/", views.checklist_build, name="checklist_build"),
    path("offer/<int:enterprise_id>/", views.case_offer, name="offer"),
    path("campaigns/launch/", views.campaign_launch, name="campaign_launch"),
    path("cases/", views.case_list, name="cases"),
    path("cases/area/", views.area_offer, name="area_offer"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/renew/", views.case_renew, name="case_renew"),
    path("cases/<int:case_id>/<str:step>/", views.case_step, name="case_step"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="agreement"),
    path("enterprises/<int:enterprise_id>/contacts/", views.contacts, name="contacts"),
    path("import/", views.import_agreements, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
]
