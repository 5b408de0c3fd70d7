from django.contrib.auth import views as auth_views
from django.urls import path

from fanloop.core import notification_views, views
from fanloop.core.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="core/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path(
        "notifications/<int:pk>/open/",
        notification_views.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/read/",
        notification_views.notification_read_all,
        name="notification_read_all",
    ),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("workspaces/new/", views.workspace_create, name="workspace_create"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("w/<slug:slug>/", views.dashboard, name="dashboard"),
    path("w/<slug:slug>/settings/", views.workspace_settings, name="workspace_settings"),
    path("w/<slug:slug>/settings/members/", views.members, name="members"),
    path("w/<slug:slug>/settings/members/add/", views.member_add, name="member_add"),
    path("w/<slug:slug>/settings/members/invite/", views.member_invite, name="member_invite"),
    path("w/<slug:slug>/settings/members/<int:pk>/role/", views.member_role, name="member_role"),
    path(
        "w/<slug:slug>/settings/members/<int:pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "w/<slug:slug>/settings/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("w/<slug:slug>/settings/audit/", views.audit_log, name="audit"),
    path("w/<slug:slug>/settings/jobs/", views.jobs, name="jobs"),
]
