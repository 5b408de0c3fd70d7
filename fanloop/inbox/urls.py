"""The inbox's pages; fanloop/urls.py includes them at the root."""

from django.urls import URLPattern, path

from fanloop.inbox.views import classifier, inbox, settings, settings_io, thread

W = "w/<slug:slug>/inbox/"
S = W + "settings/"

urlpatterns: list[URLPattern] = [
    path(W, inbox.inbox, name="inbox"),
    path(W + "bulk/", inbox.bulk, name="inbox_bulk"),
    path(W + "presence/", inbox.presence, name="inbox_presence"),
    path(W + "threads/<int:pk>/", thread.thread_detail, name="inbox_thread"),
    # POST only: reply, mark_replied, assign, tag, untag, status, note, escalate, no_reply,
    # hide, label, vip.
    path(W + "threads/<int:pk>/<slug:action>/", thread.thread_action, name="inbox_thread_action"),
    path(S, settings.general, name="inbox_settings"),
    path(S + "rules/", settings.rules, name="inbox_rules"),
    path(S + "rules/new/", settings.rule_edit, name="inbox_rule_new"),
    path(S + "rules/<int:pk>/", settings.rule_edit, name="inbox_rule_edit"),
    # POST only: up, down, delete.
    path(S + "rules/<int:pk>/<slug:action>/", settings.rule_action, name="inbox_rule_action"),
    path(S + "teams/", settings.teams, name="inbox_teams"),
    path(S + "teams/<int:pk>/", settings.teams, name="inbox_team_edit"),
    path(S + "teams/<int:pk>/delete/", settings.team_delete, name="inbox_team_delete"),
    path(S + "tags/", settings.tags, name="inbox_tags"),
    path(S + "tags/<int:pk>/", settings.tags, name="inbox_tag_edit"),
    path(S + "tags/<int:pk>/delete/", settings.tag_delete, name="inbox_tag_delete"),
    path(S + "saved-replies/", settings.saved_replies, name="inbox_saved_replies"),
    path(S + "saved-replies/<int:pk>/", settings.saved_replies, name="inbox_saved_reply_edit"),
    path(
        S + "saved-replies/<int:pk>/delete/",
        settings.saved_reply_delete,
        name="inbox_saved_reply_delete",
    ),
    path(S + "webhooks/", settings_io.webhooks, name="inbox_webhooks"),
    # POST only: rotate, delete.
    path(
        S + "webhooks/<int:pk>/<slug:action>/",
        settings_io.webhook_action,
        name="inbox_webhook_action",
    ),
    path(S + "import/", settings_io.import_file, name="inbox_import"),
    path(S + "classifier/", classifier.classifier, name="inbox_classifier"),
]
