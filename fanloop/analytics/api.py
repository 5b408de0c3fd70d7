"""The KPI API: the figures of the dashboards for scripts and BI tools."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from fanloop.analytics import queries
from fanloop.analytics.kpis import KPIS, Totals, change
from fanloop.analytics.models import DailyFact
from fanloop.campaigns.api.common import validated
from fanloop.campaigns.models import Campaign
from fanloop.core.api import ERRORS, WORKSPACE_PARAM, WorkspaceScopedViewSet
from fanloop.core.permissions import Action
from fanloop.core.platforms import Platform

MAX_SPAN_DAYS = 731


class KpiQuerySerializer(serializers.Serializer[dict[str, Any]]):
    start = serializers.DateField(required=False, help_text="default: 30 days before end")
    end = serializers.DateField(required=False, help_text="default: today (workspace time)")
    campaign = serializers.IntegerField(required=False, min_value=1)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False)
    partner = serializers.IntegerField(required=False, min_value=1)
    link = serializers.IntegerField(required=False, min_value=1)
    by = serializers.ChoiceField(
        choices=[(name, name) for name in queries.BREAKDOWNS], required=False
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and start > end:
            raise serializers.ValidationError({"end": _("The end date is before the start date.")})
        return attrs


class KpiValueSerializer(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField()
    name = serializers.CharField()
    formula = serializers.CharField()
    unit = serializers.CharField(help_text="count, percent (0-100), fen or ratio")
    value = serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True)
    previous = serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True)
    change_percent = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)


class KpiRowSerializer(serializers.Serializer[dict[str, Any]]):
    key = serializers.CharField()
    name = serializers.CharField()
    kpis = serializers.DictField(
        child=serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True)
    )


class KpiReportSerializer(serializers.Serializer[dict[str, Any]]):
    start = serializers.DateField()
    end = serializers.DateField()
    totals = serializers.DictField(child=serializers.IntegerField())
    kpis = KpiValueSerializer(many=True)
    by = serializers.CharField(allow_null=True)
    rows = KpiRowSerializer(many=True)


def _values(current: Totals, previous: Totals) -> list[dict[str, Any]]:
    result = []
    for code, kpi in KPIS.items():
        now, before = kpi.compute(current), kpi.compute(previous)
        result.append(
            {
                "code": code,
                "name": str(kpi.label),
                "formula": str(kpi.formula),
                "unit": kpi.unit,
                "value": now,
                "previous": before,
                "change_percent": change(now, before),
            }
        )
    return result


@extend_schema(tags=["analytics"], parameters=[WORKSPACE_PARAM])
class KpiViewSet(WorkspaceScopedViewSet[DailyFact]):
    view_action = Action.ANALYTICS_VIEW

    @extend_schema(
        description="KPIs of the workspace or one campaign / platform / partner / link over "
        "[start, end], against the period of the same length before, optionally broken down "
        "by day, week, month, campaign, platform, account, post, link or partner.",
        parameters=[KpiQuerySerializer],
        responses={200: KpiReportSerializer, **ERRORS},
    )
    def report(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        query = validated(KpiQuerySerializer, request.query_params)
        workspace = self.workspace
        end: date = query.get("end") or timezone.localdate(timezone=workspace.zoneinfo)
        start: date = query.get("start") or end - timedelta(days=29)
        if (end - start).days >= MAX_SPAN_DAYS:
            raise serializers.ValidationError(
                {"start": [_("Ask for at most %(days)d days at a time.") % {"days": MAX_SPAN_DAYS}]}
            )
        campaign_id = query.get("campaign")
        if (
            campaign_id
            and not Campaign.objects.filter(workspace=workspace, pk=campaign_id).exists()
        ):
            raise serializers.ValidationError({"campaign": [_("No such campaign here.")]})
        scope = queries.Scope(
            workspace.pk,
            start,
            end,
            campaign_id=campaign_id,
            platform=query.get("platform"),
            partner_id=query.get("partner"),
            link_id=query.get("link"),
        )
        current = queries.totals(scope)
        by = query.get("by")
        rows = [
            {"key": row.key, "name": row.label, "kpis": row.totals.kpis()}
            for row in (queries.breakdown(scope, by) if by else [])
        ]
        report = {
            "start": start,
            "end": end,
            "totals": {name: getattr(current, name) for name in Totals.measure_names()},
            "kpis": _values(current, queries.totals(scope.previous())),
            "by": by,
            "rows": rows,
        }
        return Response(KpiReportSerializer(report).data)
