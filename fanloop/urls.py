from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)

urlpatterns = [
    # first: every request to a short link pays for each pattern tried before it
    path("", include("fanloop.tracking.redirect_urls")),
    path("", include("fanloop.campaigns.urls")),
    path("", include("fanloop.content.urls")),
    path("", include("fanloop.channels.urls")),
    path("", include("fanloop.compliance.urls")),
    path("", include("fanloop.inbox.hooks_urls")),
    path("", include("fanloop.inbox.urls")),
    path("", include("fanloop.inbox.reports_urls")),
    path("", include("fanloop.community.urls")),
    path("", include("fanloop.tracking.urls")),
    path("", include("fanloop.tracking.orders_urls")),
    path("", include("fanloop.analytics.urls")),
    path("", include("fanloop.analytics.alerts_urls")),
    path("", include("fanloop.analytics.experiments_urls")),
    path("", include("fanloop.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("fanloop.core.api_urls")),
    path("api/v1/", include("fanloop.campaigns.api_urls")),
    path("api/v1/", include("fanloop.content.api_urls")),
    path("api/v1/", include("fanloop.channels.api.accounts_urls")),
    path("api/v1/", include("fanloop.channels.api.publishing_urls")),
    path("api/v1/", include("fanloop.inbox.api_urls")),
    path("api/v1/", include("fanloop.community.api_urls")),
    path("api/v1/", include("fanloop.tracking.api_urls")),
    path("api/v1/", include("fanloop.analytics.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler403 = "fanloop.core.views.permission_denied"
handler404 = "fanloop.core.views.not_found"
handler500 = "fanloop.core.views.server_error"
