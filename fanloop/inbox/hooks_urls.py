from django.urls import URLPattern, path

from fanloop.inbox.views.webhook import inbox_webhook

urlpatterns: list[URLPattern] = [
    path("hooks/inbox/<str:token>/", inbox_webhook, name="inbox_webhook"),
]
