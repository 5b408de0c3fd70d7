from fanloop.content.views import calendar_urls, studio_urls

urlpatterns = [*studio_urls.urlpatterns, *calendar_urls.urlpatterns]
