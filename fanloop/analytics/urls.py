"""Analytics pages, under the workspace."""

from django.urls import URLPattern, URLResolver, path

from fanloop.analytics.views import campaign, hot, overview, post

A = "w/<slug:slug>/analytics/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(A, overview.overview, name="analytics"),
    path(A + "campaigns/<int:pk>/", campaign.campaign_dashboard, name="analytics_campaign"),
    path(A + "hot/", hot.hot, name="analytics_hot"),
    path(A + "posts/<path:ref>/", post.post_detail, name="analytics_post"),
]
