"""Order, order-import, order-webhook and cost pages, and the webhook's receiving end."""

from django.urls import URLPattern, URLResolver, path

from fanloop.tracking.views import attribution, costs, orders

W = "w/<slug:slug>/tracking/"
O = W + "orders/"  # noqa: E741
C = W + "costs/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("hooks/orders/<str:token>/", orders.receive_webhook, name="tracking_order_webhook"),
    path(O, orders.order_list, name="tracking_orders"),
    path(O + "<int:pk>/", orders.order_detail, name="tracking_order"),
    path(O + "import/", orders.order_import, name="tracking_order_import"),
    path(O + "imports/<int:pk>/", orders.order_import_run, name="tracking_order_import_run"),
    path(
        O + "imports/<int:pk>/status/",
        orders.order_import_status,
        name="tracking_order_import_status",
    ),
    path(
        O + "imports/<int:pk>/errors.csv",
        orders.order_import_errors,
        name="tracking_order_import_errors",
    ),
    path(O + "webhooks/", orders.webhooks, name="tracking_order_webhooks"),
    path(
        O + "webhooks/<int:pk>/<slug:action>/",
        orders.webhook_action,
        name="tracking_order_webhook_action",
    ),
    path(W + "attribution/", attribution.attribution_page, name="tracking_attribution"),
    path(C, costs.cost_list, name="tracking_costs"),
    path(C + "new/", costs.cost_new, name="tracking_cost_new"),
    path(C + "import/", costs.cost_import, name="tracking_cost_import"),
    path(C + "sync-budget/", costs.cost_sync_budget, name="tracking_cost_sync_budget"),
    path(C + "<int:pk>/delete/", costs.cost_delete, name="tracking_cost_delete"),
]
