from django.urls import path

from gonghui.regions import views

urlpatterns = [
    path("map/", views.province_map, name="map"),
]
