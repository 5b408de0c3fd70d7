from fanloop.channels.views import accounts_urls, imports_urls, publishing_urls

urlpatterns = [
    *publishing_urls.urlpatterns,
    *accounts_urls.urlpatterns,
    *imports_urls.urlpatterns,
]
