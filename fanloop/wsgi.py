import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.wsgi import get_wsgi_application

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanloop.settings")
django_application = get_wsgi_application()

from fanloop.tracking.redirect import fast_path  # noqa: E402  (needs Django set up)


def application(environ: dict[str, Any], start_response: "StartResponse") -> Iterable[bytes]:
    """Django, except for tracking links this process already knows: those are answered
    before the middleware stack (see fanloop.tracking.redirect.fast_path)."""
    if environ.get("PATH_INFO", "").startswith("/l"):
        response = fast_path(environ, start_response)
        if response is not None:
            return response
    return django_application(environ, start_response)
