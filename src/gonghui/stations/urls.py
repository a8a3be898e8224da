from django.urls import path

from gonghui.stations import views

urlpatterns = [
    path("", views.finder, name="finder"),
    path("results/", views.finder_results, name="results"),
    path("s/<str:code>/", views.station_page, name="station"),
    path("s/<str:code>/rate/", views.rate, name="rate"),
    path("s/<str:code>/complain/", views.complain, name="complain"),
    path("s/<str:code>/screen/", views.screen, name="screen"),
    path("complaints/<str:token>/", views.complaint_follow, name="complaint_follow"),
    path("door/<str:token>/", views.door, name="door"),
    path("sessions/", views.sessions_list, name="sessions"),
    path("sessions/<int:pk>/", views.session_page, name="session"),
    path("signups/<str:token>/", views.signup_page, name="signup"),
    path("manage/", views.manage, name="manage"),
    path("manage/<int:pk>/", views.manage_station, name="manage_station"),
    path("manage/<int:pk>/qr/", views.door_qr, name="door_qr"),
    path("manage/complaints/<int:pk>/", views.manage_complaint, name="manage_complaint"),
    path("manage/sessions/<int:pk>/", views.manage_session, name="manage_session"),
    path("manage/export.<str:fmt>", views.export, name="export"),
    path("manage/import/", views.import_stations, name="import"),
]
