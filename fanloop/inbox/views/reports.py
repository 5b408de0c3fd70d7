"""The inbox team report: reply rate, first-response time, backlog and breaches over a
range of days, per day, per person and per account, with a CSV export."""

import csv
import io
import json
from datetime import date, timedelta
from typing import Any

from django import forms
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanloop.channels.models import ChannelAccount
from fanloop.core.htmx import render_page
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.platforms import Platform
from fanloop.core.views import WorkspaceRequest, workspace_local_view
from fanloop.inbox.forms import style
from fanloop.inbox.reports import Figures, ReportScope, TeamReport, team_report
from fanloop.inbox.views.display import duration_text
from fanloop.inbox.views.inbox import header_context

DEFAULT_DAYS = 14
MAX_DAYS = 366


class ReportFilterForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    platform = forms.ChoiceField(label=gettext_lazy("Platform"), required=False)
    account = forms.ModelChoiceField(
        label=gettext_lazy("Account"),
        queryset=ChannelAccount.objects.none(),
        required=False,
        empty_label=gettext_lazy("All accounts"),
    )
    person = forms.ModelChoiceField(
        label=gettext_lazy("Person"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("Everyone"),
    )

    def __init__(self, *args: Any, workspace: Workspace, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.today = today
        platform = self.fields["platform"]
        assert isinstance(platform, forms.ChoiceField)
        platform.choices = [("", _("All platforms")), *Platform.choices]
        account = self.fields["account"]
        assert isinstance(account, forms.ModelChoiceField)
        account.queryset = ChannelAccount.objects.filter(workspace=workspace)
        person = self.fields["person"]
        assert isinstance(person, forms.ModelChoiceField)
        person.queryset = User.objects.filter(memberships__workspace=workspace).order_by("username")
        style(self)

    def default_range(self) -> tuple[date, date]:
        return self.today - timedelta(days=DEFAULT_DAYS - 1), self.today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "start" in self.errors or "end" in self.errors:
            return data
        given_start: date | None = data.get("start")
        given_end: date | None = data.get("end")
        if given_start is None:
            if given_end is None:
                start, end = self.default_range()
            else:
                start, end = given_end - timedelta(days=DEFAULT_DAYS - 1), given_end
        else:
            start, end = given_start, given_end or max(given_start, self.today)
        if end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("Choose at most %(days)d days.") % {"days": MAX_DAYS})
        data["start"], data["end"] = start, end
        return data

    def scope(self) -> ReportScope:
        """The filters as a report scope; the default range when the input is invalid."""
        if not self.is_bound or not self.is_valid():
            start, end = self.default_range()
            return ReportScope(workspace=self.workspace, start=start, end=end)
        data = self.cleaned_data
        return ReportScope(
            workspace=self.workspace,
            start=data["start"],
            end=data["end"],
            platform=data.get("platform") or "",
            account_id=data["account"].pk if data.get("account") else None,
            person_id=data["person"].pk if data.get("person") else None,
        )


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def duration(seconds: float | None) -> str:
    return "—" if seconds is None else duration_text(timedelta(seconds=round(seconds)))


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _row(figures: Figures) -> dict[str, Any]:
    """A table row as the template and the CSV both show it."""
    return {
        "needing_reply": figures.needing_reply,
        "replied": figures.replied,
        "rate": percent(figures.reply_rate),
        "frt_median": duration(figures.frt_median),
        "frt_p90": duration(figures.frt_p90),
        "frt_count": figures.frt_count,
        "breaches": figures.breaches,
        "replies_sent": figures.replies_sent,
        "backlog": figures.backlog,
        "figures": figures,
    }


def _charts(report: TeamReport) -> dict[str, str]:
    days = [row.day.strftime("%m-%d") for row in report.days]
    daily = {
        "days": days,
        "rate": [
            None if row.figures.reply_rate is None else round(row.figures.reply_rate * 100, 1)
            for row in report.days
        ],
        "target": round(report.reply_rate_target * 100, 1),
        "labels": {"rate": _("Reply rate"), "target": _("Target")},
    }
    frt = {
        "days": days,
        "median": [minutes(row.figures.frt_median) for row in report.days],
        "p90": [minutes(row.figures.frt_p90) for row in report.days],
        "target": report.reply_target_minutes,
        "labels": {"median": _("Median"), "p90": _("p90"), "target": _("Target")},
        "unit": _("business minutes"),
    }
    backlog = {
        "labels": [str(bucket.label) for bucket in report.backlog_buckets],
        "counts": [bucket.count for bucket in report.backlog_buckets],
        "name": _("Waiting conversations"),
    }
    return {
        "daily_json": json.dumps(daily, ensure_ascii=False),
        "frt_json": json.dumps(frt, ensure_ascii=False),
        "backlog_json": json.dumps(backlog, ensure_ascii=False),
    }


def _query_without_export(request: WorkspaceRequest) -> str:
    query = request.GET.copy()
    for key in ("export", "table"):
        query.pop(key, None)
    return query.urlencode()


@workspace_local_view(Action.ANALYTICS_VIEW)
def team_report_page(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    today = timezone.localdate()
    form = ReportFilterForm(request.GET or None, workspace=workspace, today=today)
    scope = form.scope()
    report = team_report(scope)
    if request.GET.get("export") == "csv" and (not form.is_bound or form.is_valid()):
        return export_csv(report, request.GET.get("table", "days"))
    totals = report.totals
    context = {
        **header_context(request),
        "here": request.get_full_path(),
        "form": form,
        "report": report,
        "totals": _row(totals),
        "below_rate_target": report.below_rate_target,
        "target_rate": percent(report.reply_rate_target),
        "target_duration": duration(report.target_seconds),
        "median_over_target": (totals.frt_median or 0) > report.target_seconds,
        "p90_over_target": (totals.frt_p90 or 0) > report.target_seconds,
        "oldest_waiting": (
            duration((timezone.now() - report.oldest_waiting_since).total_seconds())
            if report.oldest_waiting_since
            else ""
        ),
        "day_rows": [(row.day, _row(row.figures)) for row in report.days],
        "person_rows": [(row.user, _row(row.figures)) for row in report.people],
        "account_rows": [(row.account, _row(row.figures)) for row in report.accounts],
        "query": _query_without_export(request),
        "nav": "inbox",
        **_charts(report),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render_page(request, "inbox/reports/team.html", context, status=status)


def export_csv(report: TeamReport, table: str) -> HttpResponse:
    """The per-day (default) or per-person table; minutes are business minutes."""
    out = io.StringIO()
    writer = csv.writer(out)
    measures = [
        _("needing a reply"),
        _("replied"),
        _("reply rate %"),
        _("first responses"),
        _("FRT median (business min)"),
        _("FRT p90 (business min)"),
        _("breaches"),
        _("replies sent"),
    ]

    def values(figures: Figures) -> list[Any]:
        rate = figures.reply_rate
        return [
            figures.needing_reply,
            figures.replied,
            "" if rate is None else f"{rate * 100:.1f}",
            figures.frt_count,
            _blank(minutes(figures.frt_median)),
            _blank(minutes(figures.frt_p90)),
            figures.breaches,
            figures.replies_sent,
        ]

    if table == "people":
        writer.writerow([_("person"), *measures, _("waiting now")])
        for person in report.people:
            name = person.user.get_username() if person.user else _("unassigned")
            writer.writerow([name, *values(person.figures), person.figures.backlog])
    else:
        table = "days"
        writer.writerow([_("day"), *measures])
        for day in report.days:
            writer.writerow([day.day.isoformat(), *values(day.figures)])
    scope = report.scope
    name = f"inbox-{table}-{scope.start.isoformat()}-{scope.end.isoformat()}.csv"
    # A BOM so Excel opens the Chinese text as UTF-8.
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _blank(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
