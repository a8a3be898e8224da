from django.urls import path

from gonghui.recuperation import views

urlpatterns = [
    path("", views.index, name="index"),
    path("routes/", views.catalogue, name="catalogue"),
    path("programmes/new/", views.programme_new, name="programme_new"),
    path("programmes/<int:programme_id>/", views.programme_detail, name="programme"),
    path("programmes/<int:programme_id>/apply/", views.programme_apply, name="apply"),
    path("programmes/<int:programme_id>/group-apply/", views.programme_group_apply, name="group_apply"),
    path("programmes/<int:programme_id>/manage/", views.manage, name="manage"),
    path("programmes/<int:programme_id>/manage/<str:action>/", views.manage_action, name="manage_action"),
    path("my/", views.my_applications, name="my_applications"),
    path(
        "applications/<int:application_id>/<str:action>/", views.application_action, name="application_action"
    ),
    path("draws/<int:draw_id>/", views.draw_verify, name="draw_verify"),
    path("reports/", views.trip_reports, name="reports"),
    path("figures/", views.figures_page, name="figures"),
]
