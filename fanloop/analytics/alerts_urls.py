"""Early-warning pages under w/<slug>/analytics/alerts/; fanloop/urls.py includes them."""

from django.urls import URLPattern, URLResolver, path

from fanloop.analytics.views import alerts

A = "w/<slug:slug>/analytics/alerts/"
R = A + "rules/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(A, alerts.alert_list, name="analytics_alerts"),
    path(A + "<int:pk>/", alerts.alert_detail, name="analytics_alert"),
    path(A + "<int:pk>/<slug:action>/", alerts.alert_action, name="analytics_alert_action"),
    path(R, alerts.rule_list, name="analytics_alert_rules"),
    path(R + "new/", alerts.rule_new, name="analytics_alert_rule_new"),
    path(R + "explain/", alerts.rule_explain, name="analytics_alert_rule_explain"),
    path(R + "<int:pk>/", alerts.rule_edit, name="analytics_alert_rule"),
    path(R + "<int:pk>/delete/", alerts.rule_delete, name="analytics_alert_rule_delete"),
    path(R + "<int:pk>/test/", alerts.rule_test_webhook, name="analytics_alert_rule_test"),
    path(R + "<int:pk>/evaluate/", alerts.rule_evaluate, name="analytics_alert_rule_evaluate"),
]
