from django.urls import URLPattern, path

from fanloop.channels.views import imports

W = "w/<slug:slug>/publishing/"

urlpatterns: list[URLPattern] = [
    path(W + "imports/", imports.metric_imports, name="metric_imports"),
    path(W + "imports/<int:pk>/", imports.metric_import_batch, name="metric_import_batch"),
    path(W + "imports/<int:pk>/status/", imports.metric_import_status, name="metric_import_status"),
    path(
        W + "imports/<int:pk>/errors.csv",
        imports.metric_import_errors,
        name="metric_import_errors",
    ),
    path(W + "imports/profiles/", imports.metric_import_profiles, name="metric_import_profiles"),
    path(W + "imports/profiles/new/", imports.metric_import_mapping, name="metric_import_mapping"),
    path(
        W + "imports/profiles/<int:pk>/delete/",
        imports.metric_import_profile_delete,
        name="metric_import_profile_delete",
    ),
]
