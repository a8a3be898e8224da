from django.urls import path

from gonghui.orgs import views

urlpatterns = [
    path("join/", views.join, name="join"),
    path("join/review/", views.join_review, name="join_review"),
    path("join/review/<int:pk>/decide/", views.join_decide, name="join_decide"),
    path("members/<int:pk>/unmask/<str:field>/", views.member_unmask, name="member_unmask"),
]
for kind in ("organisations", "enterprises", "members"):
    one = kind[:-1]
    urlpatterns += [
        path(f"{kind}/", views.object_list, {"kind": kind}, name=kind),
        path(f"{kind}/new/", views.object_edit, {"kind": kind}, name=f"{one}_new"),
        path(f"{kind}/<int:pk>/", views.object_edit, {"kind": kind}, name=f"{one}_edit"),
        path(f"{kind}/import/", views.import_view, {"kind": kind}, name=f"{one}_import"),
        path(f"{kind}/export.xlsx", views.export_view, {"kind": kind}, name=f"{one}_export"),
    ]
