"""The one helper every page goes through: a fragment for HTMX, the full page otherwise."""

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

FRAGMENT = "main"


def render_page(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    fragment: str = FRAGMENT,
    status: int = 200,
) -> HttpResponse:
    """Render ``template``; partial requests get only its ``{% partialdef fragment %}``.

    History restores ask for the whole page, so they get it even though htmx sends them.
    """
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not getattr(htmx, "history_restore_request", False)
    name = f"{template}#{fragment}" if partial else template
    response = render(request, name, context, status=status)
    response["Vary"] = "HX-Request"
    return response
