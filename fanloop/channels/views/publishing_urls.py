from django.urls import URLPattern, path

from fanloop.channels.views import publishing

W = "w/<slug:slug>/publishing/"

urlpatterns: list[URLPattern] = [
    path(W, publishing.queue, name="publishing"),
    path(W + "assisted/", publishing.assisted, name="publishing_assisted"),
    path(W + "jobs/<int:pk>/", publishing.job_detail, name="publishing_job"),
    # POST only: retry, reschedule, cancel, account, complete, resolve.
    path(W + "jobs/<int:pk>/<slug:action>/", publishing.job_action, name="publishing_job_action"),
    path(W + "variants/<int:variant_pk>/", publishing.variant_job, name="publishing_variant"),
]
