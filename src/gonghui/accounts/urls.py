from django.urls import path

from gonghui.accounts import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/sms/", views.login_sms_view, name="login_sms"),
    path("logout/", views.logout_view, name="logout"),
    path("role/", views.choose_role, name="choose_role"),
    path("me/", views.me, name="me"),
    path("me/data.json", views.my_data, name="my_data"),
    path("member-code/", views.member_code, name="member_code"),
    path("member-code/check/", views.member_code_check, name="member_code_check"),
    path("system/", views.system, name="system"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("users/<int:user_id>/unmask-phone/", views.user_unmask_phone, name="user_unmask_phone"),
    path("audit/", views.audit_log, name="audit_log"),
]
