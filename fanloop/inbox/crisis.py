"""Crisis early warning: negative fan messages rising well above their recent baseline.

For every *scope* (an account, a post, a campaign) that has negative inbound messages in
the last hour, negative messages are counted per clock hour (UTC hours, so a DST change
never makes a 0- or 2-hour bucket). The last complete hour and the current partial hour
are each compared with the ``BASELINE_HOURS`` hourly buckets before the last complete
hour, zeros included. An hour raises an alert when all three hold:

* ``count >= settings.crisis_min_negative`` — a handful of complaints is not a crisis;
* ``z = (count - mean) / max(std, floor) >= settings.crisis_z_threshold`` where
  ``floor = max(1, sqrt(mean))``: a quiet or perfectly steady baseline has a standard
  deviation near zero, and Poisson noise of a count with that mean is ``sqrt(mean)``;
* the hour's negative share of all fan messages is at least ``SHARE_MARGIN`` above the
  baseline's share (capped at 100 %): a post going viral brings more of every kind of
  message, which is volume, not a turn of mood.

One alert stays open per scope (a partial unique constraint); later evaluations update
its counts, peak, top messages and keywords instead of raising a second one, and only
the first raise notifies. After someone resolves an alert, hours that began before the
resolution cannot raise a new one.
"""

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncHour
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from fanloop.core import audit
from fanloop.core.models import Membership, User, Workspace
from fanloop.core.notifications import notify
from fanloop.core.permissions import Action, Role, require
from fanloop.core.services import role_of
from fanloop.inbox.labels import Sentiment
from fanloop.inbox.models import AlertScope, AlertStatus, CrisisAlert, Direction, Message
from fanloop.inbox.nlp import keywords
from fanloop.inbox.sla import settings_or_default

HOUR = timedelta(hours=1)
BASELINE_HOURS = 7 * 24
SHARE_MARGIN = 0.10
TOP_MESSAGES = 5
KEYWORD_SAMPLE = 500  # most recent negative messages read for keywords
ALERT_FIELDS = ["status", "acknowledged_by", "resolved_at"]


@dataclass(frozen=True)
class ScopeRef:
    scope: str
    key: str
    account_id: int | None = None
    campaign_id: int | None = None
    platform: str = ""
    post_remote_id: str = ""

    def messages(self) -> Q:
        if self.scope == AlertScope.ACCOUNT:
            return Q(account_id=self.account_id)
        if self.scope == AlertScope.CAMPAIGN:
            return Q(thread__campaign_id=self.campaign_id)
        return Q(platform=self.platform, post_remote_id=self.post_remote_id)


def account_ref(account_id: int) -> ScopeRef:
    return ScopeRef(AlertScope.ACCOUNT, f"account:{account_id}", account_id=account_id)


def campaign_ref(campaign_id: int) -> ScopeRef:
    return ScopeRef(AlertScope.CAMPAIGN, f"campaign:{campaign_id}", campaign_id=campaign_id)


def post_ref(platform: str, post_remote_id: str) -> ScopeRef:
    # The platform is in the key: two platforms may use the same post id.
    return ScopeRef(
        AlertScope.POST,
        f"post:{platform}:{post_remote_id}",
        platform=platform,
        post_remote_id=post_remote_id,
    )


def ref_of(alert: CrisisAlert) -> ScopeRef:
    """The scope of a stored alert, read from its key (its FKs may have been deleted)."""
    kind, _sep, rest = alert.scope_key.partition(":")
    if kind == AlertScope.POST:
        platform, _sep, remote = rest.partition(":")
        return post_ref(platform, remote)
    if kind == AlertScope.CAMPAIGN:
        return campaign_ref(int(rest))
    return account_ref(int(rest))


@dataclass(frozen=True)
class HourVerdict:
    hour_start: datetime
    negative: int
    total: int
    mean: float
    std: float
    z: float
    raises: bool


def floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def fan_messages(workspace: Workspace) -> QuerySet[Message]:
    return Message.objects.filter(workspace=workspace, direction=Direction.INBOUND, hidden=False)


def hourly_counts(
    workspace: Workspace, ref: ScopeRef, since: datetime, until: datetime
) -> dict[datetime, tuple[int, int]]:
    """{UTC hour start: (negative, all)} of the scope's fan messages in [since, until)."""
    rows = (
        fan_messages(workspace)
        .filter(ref.messages(), sent_at__gte=since, sent_at__lt=until)
        .annotate(hour=TruncHour("sent_at", tzinfo=UTC))
        .order_by()
        .values_list("hour")
        .annotate(negative=Count("id", filter=Q(sentiment=Sentiment.NEGATIVE)), total=Count("id"))
        .values_list("hour", "negative", "total")
    )
    return {floor_hour(hour): (negative, total) for hour, negative, total in rows}


def judge(
    counts: dict[datetime, tuple[int, int]],
    hour_start: datetime,
    baseline_start: datetime,
    *,
    min_negative: int,
    z_threshold: float,
) -> HourVerdict:
    """Compare ``hour_start``'s count with the hourly buckets from ``baseline_start`` up
    to the hour before the last complete one (see the module's docstring)."""
    baseline = [counts.get(baseline_start + HOUR * n, (0, 0)) for n in range(BASELINE_HOURS)]
    negatives = [negative for negative, _total in baseline]
    mean = statistics.fmean(negatives)
    std = statistics.pstdev(negatives)
    negative, total = counts.get(hour_start, (0, 0))
    z = (negative - mean) / max(std, 1.0, math.sqrt(mean))
    baseline_total = sum(total for _negative, total in baseline)
    baseline_share = sum(negatives) / baseline_total if baseline_total else 0.0
    share = negative / total if total else 0.0
    # Capped: where nearly only complaints arrive, "more negative" cannot exceed 100 %.
    share_needed = min(baseline_share + SHARE_MARGIN, 1.0)
    raises = negative >= min_negative and z >= z_threshold and share >= share_needed
    return HourVerdict(hour_start, negative, total, mean, std, z, raises)


def _candidates(workspace: Workspace, since: datetime, now: datetime, least: int) -> list[ScopeRef]:
    """Scopes with at least ``least`` negative messages since the last complete hour
    began: a cheap filter before the per-hour comparison."""
    recent = fan_messages(workspace).filter(
        sentiment=Sentiment.NEGATIVE, sent_at__gte=since, sent_at__lte=now
    )
    refs: list[ScopeRef] = []
    for account_id in _grouped(recent.filter(account__isnull=False), ["account_id"], least):
        refs.append(account_ref(account_id[0]))
    for campaign_id in _grouped(
        recent.filter(thread__campaign__isnull=False), ["thread__campaign_id"], least
    ):
        refs.append(campaign_ref(campaign_id[0]))
    for platform, post in _grouped(
        recent.exclude(post_remote_id=""), ["platform", "post_remote_id"], least
    ):
        refs.append(post_ref(platform, post))
    return refs


def _grouped(rows: QuerySet[Message], fields: list[str], least: int) -> Iterable[tuple[Any, ...]]:
    grouped = rows.order_by().values(*fields).annotate(n=Count("id")).filter(n__gte=least)
    return [tuple(row[f] for f in fields) for row in grouped]


def evaluate_crisis(now: datetime | None = None) -> int:
    """Evaluate every workspace with recent negative messages; returns alerts raised
    (new ones; updates of open alerts are not counted)."""
    now = now or timezone.now()
    current = floor_hour(now)
    last = current - HOUR
    workspace_ids = (
        Message.objects.filter(
            direction=Direction.INBOUND,
            hidden=False,
            sentiment=Sentiment.NEGATIVE,
            sent_at__gte=last,
            sent_at__lte=now,
        )
        .order_by()
        .values_list("workspace_id", flat=True)
        .distinct()
    )
    raised = 0
    for workspace in Workspace.objects.filter(pk__in=list(workspace_ids)):
        raised += evaluate_workspace(workspace, now=now)
    return raised


def evaluate_workspace(workspace: Workspace, *, now: datetime) -> int:
    settings = settings_or_default(workspace)
    current = floor_hour(now)
    last = current - HOUR
    baseline_start = last - HOUR * BASELINE_HOURS
    least = max(1, settings.crisis_min_negative)
    raised = 0
    for ref in _candidates(workspace, last, now, least):
        counts = hourly_counts(workspace, ref, baseline_start, now + timedelta(microseconds=1))
        verdicts = [
            judge(
                counts,
                hour,
                baseline_start,
                min_negative=least,
                z_threshold=settings.crisis_z_threshold,
            )
            for hour in (last, current)
        ]
        rising = [verdict for verdict in verdicts if verdict.raises]
        if not rising:
            continue
        verdict = max(rising, key=lambda v: (v.z, v.hour_start))
        if _resolved_since(workspace, ref, verdict.hour_start):
            continue
        if _raise_or_update(workspace, ref, verdict, now=now):
            raised += 1
    return raised


def _resolved_since(workspace: Workspace, ref: ScopeRef, hour_start: datetime) -> bool:
    return CrisisAlert.objects.filter(
        workspace=workspace,
        scope_key=ref.key,
        status=AlertStatus.RESOLVED,
        resolved_at__gte=hour_start,
    ).exists()


def _raise_or_update(
    workspace: Workspace, ref: ScopeRef, verdict: HourVerdict, *, now: datetime
) -> bool:
    """Create the scope's open alert or refresh it; True when a new one was raised."""
    with transaction.atomic():
        existing = (
            CrisisAlert.objects.select_for_update()
            .filter(workspace=workspace, scope_key=ref.key)
            .exclude(status=AlertStatus.RESOLVED)
            .first()
        )
        if existing is not None:
            _refresh(existing, ref, verdict, now=now)
            return False
        alert = CrisisAlert(
            workspace=workspace,
            scope=ref.scope,
            scope_key=ref.key,
            account_id=ref.account_id,
            campaign_id=ref.campaign_id,
            post_remote_id=ref.post_remote_id,
            hour_start=verdict.hour_start,
            negative_count=verdict.negative,
            total_count=verdict.total,
            baseline_mean=verdict.mean,
            baseline_std=verdict.std,
            z_score=verdict.z,
            peak_negative_count=verdict.negative,
            created_at=now,
            updated_at=now,
        )
        alert.top_message_ids, alert.keywords = _evidence(workspace, ref, verdict.hour_start, now)
        try:
            with transaction.atomic():
                alert.save()
        except IntegrityError:
            # Another evaluation raised it a moment ago: refresh that one instead.
            existing = (
                CrisisAlert.objects.select_for_update()
                .filter(workspace=workspace, scope_key=ref.key)
                .exclude(status=AlertStatus.RESOLVED)
                .get()
            )
            _refresh(existing, ref, verdict, now=now)
            return False
        audit.record(
            actor=None,
            workspace=workspace,
            action="inbox.crisis_raised",
            obj=alert,
            changes={
                "negative_count": (None, alert.negative_count),
                "baseline_mean": (None, round(alert.baseline_mean, 2)),
                "z_score": (None, round(alert.z_score, 2)),
            },
        )
        _announce(alert)
    return True


def _refresh(alert: CrisisAlert, ref: ScopeRef, verdict: HourVerdict, *, now: datetime) -> None:
    alert.negative_count = verdict.negative
    alert.total_count = verdict.total
    alert.baseline_mean = verdict.mean
    alert.baseline_std = verdict.std
    alert.z_score = verdict.z
    alert.peak_negative_count = max(alert.peak_negative_count, verdict.negative)
    alert.top_message_ids, alert.keywords = _evidence(alert.workspace, ref, alert.hour_start, now)
    alert.updated_at = now
    alert.save()


def _evidence(
    workspace: Workspace, ref: ScopeRef, since: datetime, now: datetime
) -> tuple[list[int], list[list[Any]]]:
    """The most severe negative messages since the alert's hour (VIP fans first, then
    the lowest sentiment score) and the words they share."""
    negatives = fan_messages(workspace).filter(
        ref.messages(), sentiment=Sentiment.NEGATIVE, sent_at__gte=since, sent_at__lte=now
    )
    top = list(
        negatives.order_by(
            F("author__is_vip").desc(),
            F("sentiment_score").asc(nulls_last=True),
            "-sent_at",
            "-id",
        ).values_list("id", flat=True)[:TOP_MESSAGES]
    )
    texts = negatives.order_by("-sent_at").values_list("text", flat=True)[:KEYWORD_SAMPLE]
    return top, [[word, count] for word, count in keywords(list(texts), top=10)]


def responders(workspace: Workspace) -> list[User]:
    """Who hears about a crisis: the workspace's operators and admins."""
    return [
        m.user
        for m in Membership.objects.filter(
            workspace=workspace, role__in=[Role.OPERATOR, Role.ADMIN], user__is_active=True
        ).select_related("user")
    ]


def alerts_url(workspace: Workspace) -> str:
    try:
        return reverse("inbox_alerts", args=[workspace.slug])
    except NoReverseMatch:
        return ""


def _announce(alert: CrisisAlert) -> None:
    with override(django_settings.LANGUAGE_CODE):
        text = _(
            "Crisis warning: %(count)s negative messages in one hour on %(scope)s "
            "(usually %(mean)s)."
        ) % {
            "count": alert.negative_count,
            "scope": scope_label(alert),
            "mean": f"{alert.baseline_mean:.1f}",
        }
    notify(
        users=responders(alert.workspace),
        workspace=alert.workspace,
        text=text,
        url=alerts_url(alert.workspace),
    )


def scope_label(alert: CrisisAlert) -> str:
    if alert.scope == AlertScope.ACCOUNT:
        return str(alert.account) if alert.account else _("a deleted account")
    if alert.scope == AlertScope.CAMPAIGN:
        return str(alert.campaign) if alert.campaign else _("a deleted campaign")
    ref = ref_of(alert)
    return _("post %(post)s (%(platform)s)") % {
        "post": ref.post_remote_id,
        "platform": ref.platform,
    }


# Services ----------------------------------------------------------------------------


def _transition(
    *, actor: Any, alert: CrisisAlert, allowed_from: Iterable[str], action: str, **changes: Any
) -> CrisisAlert:
    require(role_of(actor, alert.workspace), Action.INBOX_REPLY)
    with transaction.atomic():
        locked = CrisisAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.status not in set(allowed_from):
            raise ValidationError(
                _("This alert is already %(status)s.") % {"status": locked.get_status_display()}
            )
        before = audit.snapshot(locked, ALERT_FIELDS)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.updated_at = timezone.now()
        locked.save()
        audit.record(
            actor=actor,
            workspace=locked.workspace,
            action=action,
            obj=locked,
            changes=audit.diff(before, audit.snapshot(locked, ALERT_FIELDS)),
        )
    return locked


def acknowledge(*, actor: Any, alert: CrisisAlert) -> CrisisAlert:
    """Someone is on it: the alert stays open (and keeps updating) but stops being new."""
    return _transition(
        actor=actor,
        alert=alert,
        allowed_from=[AlertStatus.ACTIVE],
        action="inbox.crisis_acknowledged",
        status=AlertStatus.ACKNOWLEDGED,
        acknowledged_by=actor,
    )


def resolve(*, actor: Any, alert: CrisisAlert) -> CrisisAlert:
    return _transition(
        actor=actor,
        alert=alert,
        allowed_from=[AlertStatus.ACTIVE, AlertStatus.ACKNOWLEDGED],
        action="inbox.crisis_resolved",
        status=AlertStatus.RESOLVED,
        resolved_at=timezone.now(),
    )


# Reads for the alerts page -----------------------------------------------------------------


def alerts(workspace: Workspace) -> QuerySet[CrisisAlert]:
    return CrisisAlert.objects.filter(workspace=workspace).select_related(
        "account", "campaign", "acknowledged_by"
    )


def open_alert_count(workspace: Workspace) -> int:
    """Active (not yet acknowledged) alerts: what a badge in the inbox shows."""
    return CrisisAlert.objects.filter(workspace=workspace, status=AlertStatus.ACTIVE).count()


def top_messages(alert: CrisisAlert) -> list[Message]:
    """The alert's top messages in their stored order; deleted ones drop out."""
    found = (
        Message.objects.filter(workspace_id=alert.workspace_id, pk__in=alert.top_message_ids or [])
        .select_related("author", "thread")
        .in_bulk()
    )
    return [found[pk] for pk in alert.top_message_ids or [] if pk in found]


def hourly_series(
    alert: CrisisAlert, *, hours: int = 24, now: datetime | None = None
) -> dict[str, Any]:
    """Negative messages per hour around the alert, for its small chart."""
    # A resolved alert's chart ends where it was resolved, an open one's at ``now``.
    last_seen = alert.resolved_at or now or timezone.now()
    end = max(floor_hour(last_seen), floor_hour(alert.hour_start)) + HOUR
    start = end - HOUR * hours
    counts = hourly_counts(alert.workspace, ref_of(alert), start, end)
    tz = alert.workspace.zoneinfo
    labels, values = [], []
    for n in range(hours):
        hour = start + HOUR * n
        labels.append(hour.astimezone(tz).strftime("%m-%d %H:00"))
        values.append(counts.get(hour, (0, 0))[0])
    return {
        "hours": labels,
        "negative": values,
        "baseline": round(alert.baseline_mean, 2),
        "alert_hour": floor_hour(alert.hour_start).astimezone(tz).strftime("%m-%d %H:00"),
    }
