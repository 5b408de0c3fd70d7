"""Community pages; fanloop/urls.py includes them at the root."""

from django.urls import URLPattern, path

from fanloop.community.views import actions, groups

W = "w/<slug:slug>/community/"
G = W + "<int:pk>/"

urlpatterns: list[URLPattern] = [
    path(W, groups.group_list, name="community"),
    path(W + "new/", groups.group_new, name="community_group_new"),
    path(W + "imports/<int:pk>/", actions.import_run, name="community_import"),
    path(W + "imports/<int:pk>/status/", actions.import_status, name="community_import_status"),
    path(W + "imports/<int:pk>/errors.csv", actions.import_errors, name="community_import_errors"),
    path(G, groups.group_tab, name="community_group"),
    path(G + "edit/", groups.group_edit, name="community_group_edit"),
    path(G + "delete/", groups.group_delete, name="community_group_delete"),
    path(G + "sync/", groups.group_sync, name="community_group_sync"),
    path(G + "qr/", groups.group_qr, name="community_group_qr"),
    path(G + "members/<int:member_pk>/role/", actions.member_role, name="community_member_role"),
    path(G + "events/new/", actions.event_new, name="community_event_new"),
    path(G + "events/<int:event_pk>/", actions.event_edit, name="community_event_edit"),
    path(G + "events/<int:event_pk>/delete/", actions.event_delete, name="community_event_delete"),
    path(G + "flags/<int:flag_pk>/", actions.flag_review, name="community_flag_review"),
    path(G + "imports/", actions.import_upload, name="community_import_upload"),
    path(G + "tab/<str:tab>/", groups.group_tab, name="community_group_tab"),
]
