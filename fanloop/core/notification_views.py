from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fanloop.core import notifications
from fanloop.core.htmx import render_page
from fanloop.core.models import Notification, User


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    rows = Notification.objects.filter(user=_user(request)).select_related("workspace")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render_page(request, "core/notifications.html", {"page": page, "nav": "notifications"})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponseBase:
    notification = get_object_or_404(Notification, pk=pk, user=_user(request))
    notifications.mark_read(user=_user(request), notification_id=notification.pk)
    safe = url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()})
    return redirect(notification.url if notification.url and safe else "notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponseBase:
    notifications.mark_read(user=_user(request))
    return redirect("notifications")
