"""The attribution page: how many orders each rule credited, the click window, and a
re-run of attribution over a period after codes or the window changed."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanloop.analytics.tasks import reattribute_orders
from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action, allowed
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view
from fanloop.tracking.models import AttributionRule, AttributionSettings, Order
from fanloop.tracking.services import attribution


class WindowForm(forms.Form):
    click_window_days = forms.IntegerField(
        label=gettext_lazy("Click window (days)"),
        min_value=1,
        max_value=attribution.MAX_CLICK_WINDOW_DAYS,
        help_text=gettext_lazy(
            "An order with no code is credited to the visitor's last click within this many "
            "days before it."
        ),
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end date is before the start date."))
        return data


def _page(
    request: WorkspaceRequest,
    window: WindowForm | None = None,
    period: PeriodForm | None = None,
    status: int = 200,
) -> HttpResponse:
    workspace = request.workspace
    row = AttributionSettings.objects.filter(workspace=workspace).first()
    days = row.click_window_days if row else attribution.click_window_days(workspace)
    today = timezone.localdate()
    counts = dict(
        Order.objects.filter(workspace=workspace)
        .values_list("attribution_rule")
        .annotate(n=Count("pk"))
        .values_list("attribution_rule", "n")
    )
    rules = [(label, counts.get(value, 0)) for value, label in AttributionRule.choices]
    context = {
        "tab": "attribution",
        "window_form": window or WindowForm(initial={"click_window_days": days}),
        "period_form": period
        or PeriodForm(initial={"start": today - timedelta(days=30), "end": today}),
        "rules": rules,
        "window_days": days,
        "can_manage": allowed(request.role, Action.ANALYTICS_MANAGE),
    }
    return render_page(request, "tracking/attribution.html", context, status=status)


@workspace_local_view(Action.ANALYTICS_VIEW)
def attribution_page(request: WorkspaceRequest) -> HttpResponseBase:
    if request.method != "POST":
        return _page(request)
    if not allowed(request.role, Action.ANALYTICS_MANAGE):
        return _page(request, status=403)
    actor = acting_user(request)
    if "click_window_days" in request.POST:
        window = WindowForm(request.POST)
        if window.is_valid():
            try:
                attribution.update_attribution_settings(
                    workspace=request.workspace,
                    actor=actor,
                    click_window_days=window.cleaned_data["click_window_days"],
                )
            except ValidationError as exc:
                apply_validation_error(window, exc)
            else:
                messages.success(
                    request,
                    _("Click window saved. Re-run attribution for the days it should apply to."),
                )
                return redirect("tracking_attribution", request.workspace.slug)
        return _page(request, window=window, status=400)
    period = PeriodForm(request.POST)
    if not period.is_valid():
        return _page(request, period=period, status=400)
    start, end = period.cleaned_data["start"], period.cleaned_data["end"]
    workspace_id, actor_id = request.workspace.pk, actor.pk
    transaction.on_commit(
        lambda: reattribute_orders.enqueue(
            workspace_id, actor_id, start.isoformat(), end.isoformat()
        )
    )
    messages.success(
        request,
        _("Attribution of the orders from %(start)s to %(end)s runs in the background.")
        % {"start": start, "end": end},
    )
    return redirect("tracking_attribution", request.workspace.slug)
