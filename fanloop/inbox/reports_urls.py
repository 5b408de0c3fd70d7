"""The inbox team report and crisis alerts; fanloop/urls.py includes them at the root."""

from django.urls import URLPattern, path

from fanloop.inbox.views import alerts, reports

W = "w/<slug:slug>/inbox/"

urlpatterns: list[URLPattern] = [
    path(W + "reports/", reports.team_report_page, name="inbox_reports"),
    path(W + "alerts/", alerts.alert_list, name="inbox_alerts"),
    path(W + "alerts/<int:pk>/", alerts.alert_detail, name="inbox_alert"),
    # POST only: acknowledge, resolve.
    path(W + "alerts/<int:pk>/<slug:action>/", alerts.alert_action, name="inbox_alert_action"),
]
