"""The public tracking redirect (no login, no workspace in the URL).

Cached links are answered before Django by :func:`fanloop.tracking.redirect.fast_path`
(see fanloop/wsgi.py); this route serves the rest: first visits, unknown and retired codes.
"""

from django.urls import URLPattern, URLResolver, path

from fanloop.tracking import redirect

urlpatterns: list[URLPattern | URLResolver] = [
    path("l/<str:code>", redirect.redirect, name="tracking_redirect"),
]
