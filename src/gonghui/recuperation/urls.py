from django.urls import path

from gonghui.recuperation import catalogue_views, views

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

# Staff catalogue pages: bases, routes and departures.
urlpatterns += [
    path("catalogue/bases/", catalogue_views.bases, name="catalogue_bases"),
    path("catalogue/bases/<int:base_id>/", catalogue_views.base_edit, name="catalogue_base"),
    path("catalogue/routes/", catalogue_views.routes, name="catalogue_routes"),
    path("catalogue/routes/<int:route_id>/", catalogue_views.route_edit, name="catalogue_route"),
    path(
        "catalogue/routes/<int:route_id>/departures/",
        catalogue_views.departure_new,
        name="catalogue_departure_new",
    ),
    path(
        "catalogue/departures/<int:departure_id>/", catalogue_views.departure_edit, name="catalogue_departure"
    ),
]
