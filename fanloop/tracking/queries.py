"""Read helpers for tracking links, partners and promo codes, scoped to a workspace."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from fanloop.campaigns.models import Campaign
from fanloop.content.models import Variant
from fanloop.core.models import Workspace
from fanloop.tracking.models import Click, Partner, PromoCode, TrackingLink

PAGE_SIZE = 50


def short_path(code: str) -> str:
    """The path of a link's redirect (absolute URLs: ``request.build_absolute_uri``)."""
    try:
        return reverse("tracking_redirect", args=[code])
    except NoReverseMatch:
        return f"/l/{code}"


# Links -----------------------------------------------------------------------------------


def links(
    workspace: Workspace,
    *,
    campaign: int | None = None,
    platform: str = "",
    partner: int | None = None,
    search: str = "",
    archived: bool | None = False,
    ids: list[int] | None = None,
) -> QuerySet[TrackingLink]:
    """Links with click counts: ``clicks_total``, ``clicks_human`` (not bots) and
    ``clicks_unique`` (human and not a repeat of the same visitor)."""
    found = TrackingLink.objects.filter(workspace=workspace).select_related(
        "campaign", "partner", "variant__item"
    )
    if campaign:
        found = found.filter(campaign_id=campaign)
    if platform:
        found = found.filter(platform=platform)
    if partner:
        found = found.filter(partner_id=partner)
    if archived is not None:
        found = found.filter(archived=archived)
    if ids is not None:
        found = found.filter(pk__in=ids)
    search = search.strip()
    if search:
        found = found.filter(
            Q(code__icontains=search)
            | Q(name__icontains=search)
            | Q(channel__icontains=search)
            | Q(destination_url__icontains=search)
            | Q(partner__name__icontains=search)
        )
    return found.annotate(
        clicks_total=Count("clicks"),
        clicks_human=Count("clicks", filter=Q(clicks__is_bot=False)),
        clicks_unique=Count("clicks", filter=Q(clicks__is_bot=False, clicks__is_repeat=False)),
    ).order_by("-created_at", "-id")


def link(workspace: Workspace, pk: int) -> TrackingLink:
    return get_object_or_404(links(workspace, archived=None), pk=pk)


@dataclass(frozen=True)
class ClickBreakdown:
    days: list[tuple[date, int, int]]  # (day, all clicks, human clicks)
    ua_classes: list[tuple[str, int]]
    referrers: list[tuple[str, int]]


def click_breakdown(link: TrackingLink, days: int = 30) -> ClickBreakdown:
    """Clicks of the last ``days`` days by the workspace's local day, plus all-time
    counts by browser class and referrer (top 10)."""
    zone = link.workspace.zoneinfo
    today = timezone.localtime(timezone.now(), zone).date()
    start = today - timedelta(days=days - 1)
    clicks = Click.objects.filter(link=link)
    per_day = {
        row["day"]: (row["n"], row["human"])
        for row in clicks.filter(clicked_at__date__gte=start - timedelta(days=1))
        .annotate(day=TruncDate("clicked_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("id"), human=Count("id", filter=Q(is_bot=False)))
    }
    series = [
        (day, *per_day.get(day, (0, 0)))
        for day in (start + timedelta(days=offset) for offset in range(days))
    ]
    ua = list(clicks.values_list("ua_class").annotate(n=Count("id")).order_by("-n", "ua_class"))
    referrers = list(
        clicks.values_list("referrer_host")
        .annotate(n=Count("id"))
        .order_by("-n", "referrer_host")[:10]
    )
    return ClickBreakdown(days=series, ua_classes=ua, referrers=referrers)


# Partners and codes ----------------------------------------------------------------------


def partners(workspace: Workspace, *, kind: str = "", search: str = "") -> QuerySet[Partner]:
    found = Partner.objects.filter(workspace=workspace)
    if kind:
        found = found.filter(kind=kind)
    if search.strip():
        term = search.strip()
        found = found.filter(Q(name__icontains=term) | Q(handle__icontains=term))
    return found.annotate(
        link_count=Count("links", distinct=True), code_count=Count("codes", distinct=True)
    ).order_by("name", "id")


def partner(workspace: Workspace, pk: int) -> Partner:
    return get_object_or_404(Partner, workspace=workspace, pk=pk)


def codes(
    workspace: Workspace, *, campaign: int | None = None, kind: str = "", search: str = ""
) -> QuerySet[PromoCode]:
    found = PromoCode.objects.filter(workspace=workspace).select_related(
        "campaign", "partner", "link"
    )
    if campaign:
        found = found.filter(campaign_id=campaign)
    if kind:
        found = found.filter(kind=kind)
    if search.strip():
        found = found.filter(code__icontains=search.strip())
    return found.order_by("code")


def code(workspace: Workspace, pk: int) -> PromoCode:
    return get_object_or_404(
        PromoCode.objects.select_related("workspace"), workspace=workspace, pk=pk
    )


# Choices for forms -----------------------------------------------------------------------


def campaigns(workspace: Workspace) -> QuerySet[Campaign]:
    return Campaign.objects.filter(workspace=workspace).order_by("-start_date", "-id")


def variants(workspace: Workspace) -> QuerySet[Variant]:
    return (
        Variant.objects.filter(workspace=workspace)
        .select_related("item")
        .order_by("-item__updated_at", "item_id", "platform")
    )
