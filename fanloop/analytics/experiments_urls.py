"""A/B test pages; fanloop/urls.py includes them at the root."""

from django.urls import URLPattern, URLResolver, path

from fanloop.analytics.views import experiments as views

W = "w/<slug:slug>/analytics/experiments/"
E = W + "<int:pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(W, views.experiment_list, name="experiments"),
    path(W + "new/", views.experiment_new, name="experiment_new"),
    path(W + "calculator/", views.experiment_calculator, name="experiment_calculator"),
    path(E, views.experiment_detail, name="experiment_detail"),
    path(E + "variants/", views.variant_add, name="experiment_variant_add"),
    path(
        E + "variants/<int:variant_pk>/remove/",
        views.variant_remove,
        name="experiment_variant_remove",
    ),
    path(E + "start/", views.experiment_start, name="experiment_start"),
    path(E + "stop/", views.experiment_stop, name="experiment_stop"),
    path(E + "decide/", views.experiment_decide, name="experiment_decide"),
]
