from django.urls import path

from gonghui.dashboard import views

urlpatterns = [
    path("", views.index, name="index"),
    path("screen/", views.screen, name="screen"),
    path("figures/<str:key>/", views.figure_detail, name="figure"),
    path("figures/<str:key>/records/", views.figure_records, name="records"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
    path("refresh/", views.refresh, name="refresh"),
]
