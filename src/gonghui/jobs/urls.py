from django.urls import path

from gonghui.jobs import views

urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/retry/", views.run_retry, name="retry"),
]
