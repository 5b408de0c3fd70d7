"""The public tracking redirect (no login, no workspace in the URL).

``l-bench/302`` is the redirect benchmark's baseline: the same middleware and headers
without lookup or logging. It exists only when the environment variable
``FANLOOP_BENCH_ENDPOINTS`` is true (bench/redirect.py sets it for its own server).
"""

import os

from django.urls import URLPattern, URLResolver, path

from fanloop.tracking import redirect

urlpatterns: list[URLPattern | URLResolver] = [
    path("l/<str:code>", redirect.redirect, name="tracking_redirect"),
]

if os.environ.get("FANLOOP_BENCH_ENDPOINTS", "").lower() in {"1", "true", "yes", "on"}:
    urlpatterns.append(path("l-bench/302", redirect.bench_baseline, name="tracking_bench_302"))
