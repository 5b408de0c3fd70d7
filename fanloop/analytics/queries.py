"""Reads over the rollup (DailyFact, and WeeklyFact for whole weeks) shared by
dashboards, the API, the CLI, alerts and goal pacing. Nothing here scans raw clicks or
orders.

Sums are cached (Django's cache) under the workspace's ``FactsVersion``, which every
rebuild of its facts bumps in the same transaction: a dashboard opened again, or by a
colleague, between two rollup runs costs one version lookup instead of the aggregation,
and a cached sum is never older than the facts. Labels (campaign, link, partner names)
are not cached; they follow renames at once.
"""

import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum

from fanloop.analytics.kpis import Totals
from fanloop.analytics.models import DailyFact, FactsVersion, WeeklyFact, WeekRollup
from fanloop.analytics.models.facts import FactSums
from fanloop.analytics.rollups import DIMENSIONS, week_of

BREAKDOWNS = ("day", "week", "month", "campaign", "platform", "account", "post", "link", "partner")

_RAW_MEASURES = [name for name in Totals.measure_names() if not name.startswith("attributed_")]
_ATTRIBUTED = Q(campaign__isnull=False) | Q(link__isnull=False) | Q(partner__isnull=False)


@dataclass(frozen=True)
class Scope:
    """Which facts to sum: a workspace, an inclusive date range and optional filters."""

    workspace_id: int
    start: date
    end: date
    campaign_id: int | None = None
    platform: str | None = None
    account_id: int | None = None
    variant_id: int | None = None
    post_key: str | None = None
    link_id: int | None = None
    partner_id: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Scope":
        """The period of the same length that ends the day before this one starts."""
        return replace(
            self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(1)
        )


def facts(scope: Scope) -> QuerySet[DailyFact]:
    return _filtered(
        DailyFact.objects.filter(
            workspace_id=scope.workspace_id, day__gte=scope.start, day__lte=scope.end
        ),
        scope,
    )


def _filtered[F: FactSums](rows: QuerySet[F], scope: Scope) -> QuerySet[F]:
    for name in DIMENSIONS:  # a scope filters on the facts' dimensions, named alike
        value = getattr(scope, name)
        if value is not None:
            rows = rows.filter(**{name: value})
    return rows


def fact_parts(scope: Scope) -> list[QuerySet[Any]]:
    """The scope's facts as the fewest rows to sum: WeeklyFact for the whole weeks inside
    the period that are built, DailyFact for its other days. Summing the parts
    equals summing the period's DailyFact rows."""
    weeks = _whole_weeks(scope)
    if weeks:
        weeks = list(
            WeekRollup.objects.filter(
                workspace_id=scope.workspace_id,
                week__gte=weeks[0],
                week__lte=weeks[-1],
                built=True,
            )
            .order_by("week")
            .values_list("week", flat=True)
        )
    if not weeks:
        return [facts(scope)]
    parts: list[QuerySet[Any]] = [
        _filtered(WeeklyFact.objects.filter(workspace_id=scope.workspace_id, week__in=weeks), scope)
    ]
    # the other days as ranges, which an index scans, rather than "not in these weeks"
    others = Q()
    day = scope.start
    for week in [*weeks, scope.end + timedelta(days=1)]:
        if week > day:
            others |= Q(day__gte=day, day__lte=week - timedelta(days=1))
        day = week + timedelta(days=7)
    if others:
        parts.append(facts(scope).filter(others))
    return parts


def _whole_weeks(scope: Scope) -> list[date]:
    """Mondays of the weeks (Monday to Sunday) that lie wholly inside the period."""
    first = week_of(scope.start + timedelta(days=6))
    weeks = []
    while first + timedelta(days=6) <= scope.end:
        weeks.append(first)
        first += timedelta(days=7)
    return weeks


# Aliases must not equal field names: Django would resolve Sum("orders") in the
# attributed sums to the "orders" aggregate itself.
_ALIAS = "sum_"


def aggregates() -> dict[str, Any]:
    sums: dict[str, Any] = {_ALIAS + name: Sum(name) for name in _RAW_MEASURES}
    sums[_ALIAS + "attributed_orders"] = Sum("orders", filter=_ATTRIBUTED)
    sums[_ALIAS + "attributed_gmv_fen"] = Sum("net_gmv_fen", filter=_ATTRIBUTED)
    return sums


def totals_from(values: dict[str, Any]) -> Totals:
    return Totals(**{name: int(values.get(_ALIAS + name) or 0) for name in Totals.measure_names()})


CACHE_SECONDS = 3600


def facts_version(workspace_id: int) -> int:
    found = FactsVersion.objects.filter(workspace_id=workspace_id).values_list("version")
    return next(iter(found), (0,))[0]


def _cached[T](scope: Scope, what: str, compute: Callable[[], T]) -> T:
    digest = hashlib.sha256(repr((what, scope)).encode()).hexdigest()[:40]
    key = f"analytics:{scope.workspace_id}:{facts_version(scope.workspace_id)}:{digest}"
    found: T | None = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found


def totals(scope: Scope) -> Totals:
    return _cached(scope, "totals", lambda: _sum_totals(scope))


def _sum_totals(scope: Scope) -> Totals:
    total = Totals()
    for part in fact_parts(scope):
        total = total + totals_from(part.aggregate(**aggregates()))
    return total


@dataclass
class Row:
    key: str
    label: str
    totals: Totals
    ref: Any = None  # the campaign / account / variant / link / partner id, or the date


_GROUPING: dict[str, list[str]] = {
    "day": ["day"],
    "week": ["day"],
    "month": ["day"],
    "campaign": ["campaign_id"],
    "platform": ["platform"],
    "account": ["account_id"],
    "post": ["variant_id", "platform", "post_key"],
    "link": ["link_id"],
    "partner": ["partner_id"],
}


def _bucket(by: str, values: dict[str, Any]) -> tuple[str, Any]:
    if by in {"day", "week", "month"}:
        day: date = values["day"]
        if by == "week":
            day = week_of(day)
        elif by == "month":
            day = day.replace(day=1)
        return day.isoformat(), day
    if by == "post":
        if values["variant_id"] is not None:
            return f"v{values['variant_id']}", values["variant_id"]
        if not values["post_key"]:
            return "", None
        platform, post_key = values["platform"], values["post_key"]
        return f"{platform}:{post_key}", (platform, post_key)
    ref = values[_GROUPING[by][0]]
    return ("" if ref is None else str(ref)), ref


def breakdowns(scope: Scope, bys: list[str]) -> dict[str, list[Row]]:
    """Several breakdowns from one grouped pass over the facts (a dashboard needs four or
    five; each would otherwise aggregate the same rows again)."""
    for by in bys:
        if by not in BREAKDOWNS:
            raise ValueError(f"unknown breakdown {by!r}; choose one of {', '.join(BREAKDOWNS)}")
    sums = _cached(scope, f"breakdowns:{','.join(bys)}", lambda: _bucket_sums(scope, bys))
    return {
        by: _finish(
            by,
            [
                Row(key=key, label=key, totals=Totals(*measures), ref=ref)
                for key, (ref, measures) in sums[by].items()
            ],
            scope,
        )
        for by in bys
    }


def _bucket_sums(scope: Scope, bys: list[str]) -> dict[str, dict[str, tuple[Any, list[int]]]]:
    """Per breakdown, per bucket key: the bucket's ref and its measures in
    ``Totals.measure_names()`` order."""
    fields = sorted({name for by in bys for name in _GROUPING[by]})
    names = Totals.measure_names()
    # Time buckets need the days; the rest may sum whole weeks from WeeklyFact.
    parts = [facts(scope)] if "day" in fields else fact_parts(scope)
    # Plain lists while summing: a dashboard folds thousands of groups, and building a
    # Totals per group and bucket costs more than the query.
    width = len(fields)
    sums: dict[str, dict[str, tuple[Any, list[int]]]] = {by: {} for by in bys}
    with _room_to_hash():
        rows = _grouped(parts, fields, names)
    for row in rows:
        dims = dict(zip(fields, row[:width], strict=True))
        values = [int(value or 0) for value in row[width:]]
        for by in bys:
            key, ref = _bucket(by, dims)
            found = sums[by].get(key)
            if found is None:
                sums[by][key] = (ref, list(values))
            else:
                into = found[1]
                for index, value in enumerate(values):
                    into[index] += value
    return sums


def _grouped(parts: list[QuerySet[Any]], fields: list[str], names: list[str]) -> list[Any]:
    """Rows of ``fields`` and the sums of ``names``, one per group, over all parts."""
    grouped = [
        part.values(*fields)
        .annotate(**aggregates())
        .order_by()
        .values_list(*fields, *(_ALIAS + name for name in names))
        for part in parts
    ]
    if len(grouped) == 1:
        return list(grouped[0])
    # The weekly and the daily part share most groups: merged in the database, each
    # group comes back once instead of once per part.
    arms: list[str] = []
    params: list[Any] = []
    for query in grouped:
        sql, arm_params = query.query.sql_with_params()
        arms.append(sql)
        params.extend(arm_params)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in fields)
    sums = ", ".join(f"SUM({quote(_ALIAS + name)})" for name in names)
    union = " UNION ALL ".join(arms)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, {sums} FROM ({union}) AS parts GROUP BY {columns}",  # noqa: S608
            params,
        )
        return list(cursor.fetchall())


@contextmanager
def _room_to_hash() -> Iterator[None]:
    """Give PostgreSQL the memory to group a period's facts in a hash table. With the
    default 4 MB its planner, expecting many wide groups, sorts them on disk instead:
    half again as slow for a campaign's two months. The setting lasts for the
    transaction only."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem TO '64MB'")
        yield


def _finish(by: str, rows: list[Row], scope: Scope) -> list[Row]:
    _label(by, rows, scope)
    if by in {"day", "week", "month"}:
        rows.sort(key=lambda row: row.key)
    else:
        rows.sort(key=lambda row: (-row.totals.net_gmv_fen, -row.totals.impressions, row.key))
    return rows


def breakdown(scope: Scope, by: str) -> list[Row]:
    """Totals per ``by`` bucket, ordered by time for time buckets and by GMV, then
    exposure, for the rest. The "" key holds facts without that dimension
    (e.g. unattributed orders in a by-campaign breakdown)."""
    return breakdowns(scope, [by])[by]


def _label(by: str, rows: Iterable[Row], scope: Scope) -> None:
    from django.utils.translation import gettext as _

    rows = list(rows)
    ids = [row.ref for row in rows if row.ref is not None]
    names: dict[Any, str] = {}
    if by == "campaign":
        from fanloop.campaigns.models import Campaign

        names = dict(Campaign.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif by == "account":
        from fanloop.channels.models import ChannelAccount

        names = {a.pk: str(a) for a in ChannelAccount.objects.filter(pk__in=ids)}
    elif by == "link":
        from fanloop.tracking.models import TrackingLink

        names = {
            pk: name or code
            for pk, name, code in TrackingLink.objects.filter(pk__in=ids).values_list(
                "pk", "name", "code"
            )
        }
    elif by == "partner":
        from fanloop.tracking.models import Partner

        names = dict(Partner.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif by == "platform":
        from fanloop.core.platforms import Platform

        names = {code: str(label) for code, label in Platform.choices}
        for row in rows:
            row.ref = row.key or None
        ids = [row.key for row in rows]
    elif by == "post":
        names = post_titles(scope.workspace_id, [row.ref for row in rows if row.ref is not None])
    for row in rows:
        if row.ref is None and not row.key:
            row.label = (
                _("(none)") if by not in {"campaign", "link", "partner"} else _("Unattributed")
            )
        else:
            row.label = names.get(row.ref, row.label) or row.key


def post_titles(workspace_id: int, refs: list[Any]) -> dict[Any, str]:
    """Titles for post refs: a variant id, or a (platform, post_key) pair."""
    from fanloop.channels.models import PostMetricDaily
    from fanloop.content.models import Variant

    titles: dict[Any, str] = {}
    variant_ids = [ref for ref in refs if isinstance(ref, int)]
    for pk, title, item_title in Variant.objects.filter(
        workspace_id=workspace_id, pk__in=variant_ids
    ).values_list("pk", "title", "item__title"):
        titles[pk] = title or item_title
    keys = [ref for ref in refs if isinstance(ref, tuple)]
    if keys:
        for platform, post_key, title in (
            PostMetricDaily.objects.filter(
                workspace_id=workspace_id, post_key__in=[key for _, key in keys]
            )
            .exclude(post_title="")
            .values_list("platform", "post_key", "post_title")
        ):
            titles[(platform, post_key)] = title
    return titles
