"""``fanloop kpi``: a campaign's (or the whole workspace's) KPIs from the shell."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from fanloop.analytics import queries
from fanloop.analytics.kpis import KPIS, Totals
from fanloop.core.management.base import FanloopCommand
from fanloop.core.models import Workspace

DEFAULT_DAYS = 30


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Not a date: {text!r} (use YYYY-MM-DD).") from exc


def _value(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _shown(code: str, value: Decimal | None) -> str:
    if value is None:
        return "–"
    unit = KPIS[code].unit
    if unit == "fen":
        return f"¥{value / 100:,.2f}"
    if unit == "percent":
        return f"{value:.2f}%"
    if unit == "ratio":
        return f"{value:.2f}"
    return f"{value:,.0f}"


class Command(FanloopCommand):
    help = (
        "Print KPIs from the rollup: --workspace SLUG (--campaign ID | --all) "
        "[--by day|week|month|platform|account|post|link|partner|campaign] "
        "[--from YYYY-MM-DD --to YYYY-MM-DD] [--json]."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--workspace", required=True, help="workspace slug")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--campaign", type=int, help="campaign id")
        which.add_argument("--all", action="store_true", help="the whole workspace")
        parser.add_argument("--by", help=f"breakdown: {', '.join(queries.BREAKDOWNS)}")
        parser.add_argument(
            "--from",
            dest="start",
            help="first day (default: the campaign's start, or 30 days ago)",
        )
        parser.add_argument(
            "--to", dest="end", help="last day (default: the campaign's end or today)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from fanloop.campaigns.models import Campaign

        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with slug {options['workspace']!r}.")
        by = options["by"]
        if by is not None and by not in queries.BREAKDOWNS:
            raise CommandError(
                f"Unknown breakdown {by!r}; choose one of {', '.join(queries.BREAKDOWNS)}."
            )
        today = timezone.localtime(timezone.now(), workspace.zoneinfo).date()
        campaign = None
        if options["campaign"] is not None:
            campaign = Campaign.objects.filter(pk=options["campaign"], workspace=workspace).first()
            if campaign is None:
                raise CommandError(
                    f"No campaign with id {options['campaign']} in workspace {workspace.slug!r}."
                )
            start, end = (
                campaign.start_date,
                min(campaign.end_date, max(today, campaign.start_date)),
            )
        else:
            start, end = today - timedelta(days=DEFAULT_DAYS - 1), today
        if options["start"]:
            start = _date(options["start"])
        if options["end"]:
            end = _date(options["end"])
        if start > end:
            raise CommandError(f"--from {start} is after --to {end}.")
        scope = queries.Scope(
            workspace_id=workspace.pk,
            start=start,
            end=end,
            campaign_id=campaign.pk if campaign else None,
        )
        totals = queries.totals(scope)
        rows = queries.breakdown(scope, by) if by else []
        data = {
            "workspace": workspace.slug,
            "campaign": {"id": campaign.pk, "name": campaign.name} if campaign else None,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "totals": vars(totals),
            "kpis": {
                code: {
                    "label": str(kpi.label),
                    "value": _value(kpi.compute(totals)),
                    "unit": kpi.unit,
                    "formula": str(kpi.formula),
                }
                for code, kpi in KPIS.items()
            },
            "by": by,
            "rows": [
                {
                    "key": row.key,
                    "label": str(row.label),
                    "totals": vars(row.totals),
                    "kpis": {code: _value(value) for code, value in row.totals.kpis().items()},
                }
                for row in rows
            ],
        }
        self.emit(options, data, self._text(data, totals, rows))

    @staticmethod
    def _text(data: dict[str, Any], totals: Totals, rows: list[queries.Row]) -> str:
        title = data["campaign"]["name"] if data["campaign"] else data["workspace"]
        lines = [f"{title}  {data['from']}..{data['to']}", ""]
        width = max(len(str(kpi.label)) for kpi in KPIS.values())
        for code, kpi in KPIS.items():
            lines.append(f"  {kpi.label!s:<{width}}  {_shown(code, kpi.compute(totals))}")
        if rows:
            columns = ["impressions", "engagement_rate", "clicks", "orders", "gmv", "cost", "roi"]
            header = f"{data['by']:<28}" + "".join(f"{c:>16}" for c in columns)
            lines += ["", header]
            for row in rows:
                values = row.totals.kpis(columns)
                lines.append(
                    f"{str(row.label)[:27]:<28}"
                    + "".join(f"{_shown(c, values[c]):>16}" for c in columns)
                )
        return "\n".join(lines)
