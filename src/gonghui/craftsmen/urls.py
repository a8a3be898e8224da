from django.urls import path

from gonghui.craftsmen import views

urlpatterns = [
    path("", views.home, name="home"),
    path("problems/new/", views.problem_new, name="problem_new"),
    path("problems/similar/", views.similar, name="similar"),
    path("problems/<int:problem_id>/", views.problem_detail, name="problem"),
    path("problems/<int:problem_id>/<slug:action>/", views.problem_action, name="problem_action"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("dispatch/", views.batch_dispatch, name="batch"),
    path("pool/", views.pool, name="pool"),
    path("pool/<int:craftsman_id>/", views.pool_detail, name="pool_detail"),
    path("profile/", views.profile, name="profile"),
    path("solutions/", views.solutions, name="solutions"),
    path("solutions/<int:solution_id>/", views.solution_detail, name="solution"),
    path("sessions/", views.sessions, name="sessions"),
    path("figures/", views.figures_page, name="figures"),
    path("notifications/", views.notifications, name="notifications"),
]
