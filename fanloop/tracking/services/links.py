"""Tracking links: create, change, archive, bulk-create. The one write path.

Every link carries its context (campaign, platform/channel, content variant, partner)
and UTM parameters that are filled from that context unless the user typed their own.
Destinations are http(s) URLs only. A WeChat mini-program page is reached through its
https landing page or URL link (e.g. ``https://wxaurl.cn/...``); ``weixin://`` scheme
links and bare ``pages/...`` paths are refused because a browser redirect cannot open them.
"""

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fanloop.campaigns.models import Campaign
from fanloop.content.models import Variant
from fanloop.core import audit
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Action
from fanloop.core.platforms import Platform
from fanloop.core.services import require_action
from fanloop.tracking.models import Partner, PartnerKind, TrackingLink

# No 0/O/o, 1/l/I: codes are read aloud, typed from posters and printed small.
ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 7
CODE_ATTEMPTS = 12
CUSTOM_CODE = re.compile(r"^[A-Za-z0-9_-]{3,32}$")
# Words that read like pages of the site or the redirect itself.
RESERVED_CODES = frozenset(
    {
        "about",
        "accounts",
        "admin",
        "api",
        "bulk",
        "edit",
        "export",
        "fanloop",
        "favicon",
        "health",
        "healthz",
        "help",
        "i18n",
        "jsi18n",
        "l",
        "login",
        "logout",
        "media",
        "new",
        "none",
        "null",
        "qr",
        "robots",
        "static",
        "undefined",
        "w",
        "www",
    }
)
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
AUTO_UTM = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
UTM_MAX = 100
NAME_MAX = 200
CHANNEL_MAX = 100
URL_MAX = 1000
BULK_MAX = 500
AUDITED = (
    "code",
    "name",
    "destination_url",
    "campaign",
    "platform",
    "channel",
    "variant",
    "partner",
    *UTM_FIELDS,
    "expires_at",
    "archived",
)
EDITABLE = frozenset(AUDITED) - {"code", "archived"}
_url_validator = URLValidator(schemes=["http", "https"])


# Short codes -----------------------------------------------------------------------------


def random_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def _code_taken(code: str) -> bool:
    # Case-insensitive so "Sale" and "sale" never become two links that read the same.
    return TrackingLink.objects.filter(code__iexact=code).exists()


def new_code(taken: Iterable[str] = ()) -> str:
    """A random code not used yet (nor in ``taken``, the codes of a batch being built)."""
    busy = {c.lower() for c in taken}
    for _attempt in range(CODE_ATTEMPTS):
        code = random_code()
        if code.lower() not in busy and not _code_taken(code):
            return code
    raise RuntimeError("could not find a free short code")  # pragma: no cover


def custom_code_error(code: str) -> str | None:
    """Why ``code`` cannot be a custom short code, or None when it can."""
    if not CUSTOM_CODE.match(code):
        return _("Use 3 to 32 letters, digits, '-' or '_'.")
    if code.lower() in RESERVED_CODES:
        return _("“%(code)s” is reserved; choose another code.") % {"code": code}
    if _code_taken(code):
        return _("The code “%(code)s” is already in use.") % {"code": code}
    return None


# Destinations and UTM --------------------------------------------------------------------


def destination_error(url: str) -> str | None:
    """Why ``url`` cannot be a destination, or None when it can."""
    if not url:
        return _("Enter the destination URL (shop item, landing page or live room).")
    if len(url) > URL_MAX:
        return _("Keep the URL under %(n)d characters.") % {"n": URL_MAX}
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "weixin":
        return _(
            "weixin:// links only open inside WeChat and cannot be redirected to. For a "
            "mini-program page use its https landing page or URL link (e.g. https://wxaurl.cn/...)."
        )
    if url.lstrip("/").startswith("pages/"):
        return _(
            "A mini-program page path is not a web address. Use the mini-program's https "
            "landing page or URL link instead."
        )
    if scheme and scheme not in ("http", "https"):
        return _("Only http:// and https:// addresses can be tracking destinations.")
    try:
        _url_validator(url)
    except ValidationError:
        return _("Enter a full web address starting with https:// (or http://).")
    return None


def _ascii_slug(text: str) -> str:
    return slugify(text, allow_unicode=False)


def _slug(text: str) -> str:
    # Chinese names have no ASCII slug; the Unicode one keeps them readable in reports.
    return _ascii_slug(text) or slugify(text, allow_unicode=True)


def campaign_token(campaign: Campaign) -> str:
    slug = _ascii_slug(campaign.name)
    # "双11 预售" slugs to "11", which says nothing: Chinese names become c<id>.
    if not any(char.isalpha() for char in slug):
        return f"c{campaign.pk}"
    return f"{campaign.pk}-{slug}"[:UTM_MAX]


def partner_token(partner: Partner) -> str:
    return _ascii_slug(partner.name)[:60] or f"p{partner.pk}"


@dataclass(frozen=True)
class LinkContext:
    campaign: Campaign | None = None
    platform: str = ""
    channel: str = ""
    variant: Variant | None = None
    partner: Partner | None = None


def auto_utm(context: LinkContext) -> dict[str, str]:
    """The UTM values a link gets from its context when the user leaves them blank."""
    partner, variant = context.partner, context.variant
    source = context.platform or (partner.platform if partner else "") or _slug(context.channel)
    if not source and partner is not None:
        source = partner_token(partner)
    if partner is not None and partner.kind in (PartnerKind.KOL, PartnerKind.KOC):
        medium = "kol"
    elif context.channel:
        medium = _slug(context.channel) or "channel"
    elif partner is not None:
        medium = partner_token(partner) if partner.kind == PartnerKind.CHANNEL else "affiliate"
    elif variant is not None or context.platform:
        medium = "social"
    else:
        medium = "link"
    content_parts = []
    if variant is not None:
        content_parts.append(f"v{variant.pk}")
    if partner is not None:
        content_parts.append(partner_token(partner))
    values = {
        "utm_source": source or "fanloop",
        "utm_medium": medium,
        "utm_campaign": campaign_token(context.campaign) if context.campaign else "",
        "utm_content": "-".join(content_parts),
    }
    return {key: value[:UTM_MAX] for key, value in values.items()}


def context_of(link: TrackingLink) -> LinkContext:
    return LinkContext(
        campaign=link.campaign,
        platform=link.platform,
        channel=link.channel,
        variant=link.variant,
        partner=link.partner,
    )


def tagged_url(link: TrackingLink) -> str:
    """The destination with the link's UTM parameters; the link's values win over any
    utm_* already in the destination, other parameters are kept as they are."""
    parts = urlsplit(link.destination_url)
    utm = {key: getattr(link, key) for key in UTM_FIELDS if getattr(link, key)}
    if not utm:
        return link.destination_url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in utm]
    query += list(utm.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


# Validation ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(value or "").strip()


def _check_context(link: TrackingLink, errors: dict[str, list[str]]) -> None:
    ws = link.workspace_id
    campaign, variant, partner = link.campaign, link.variant, link.partner
    if campaign is not None and campaign.workspace_id != ws:
        errors.setdefault("campaign", []).append(_("Choose a campaign of this workspace."))
    if variant is not None and variant.workspace_id != ws:
        errors.setdefault("variant", []).append(_("Choose content of this workspace."))
    elif (
        variant is not None
        and campaign is not None
        and variant.item.campaign_id is not None
        and variant.item.campaign_id != campaign.pk
    ):
        errors.setdefault("variant", []).append(
            _("This content belongs to another campaign (%(name)s).")
            % {"name": variant.item.campaign}
        )
    if partner is not None and partner.workspace_id != ws:
        errors.setdefault("partner", []).append(_("Choose a partner of this workspace."))


def _validate(link: TrackingLink, *, expiry_changed: bool) -> None:
    errors: dict[str, list[str]] = {}
    problem = destination_error(link.destination_url)
    if problem:
        errors["destination_url"] = [problem]
    if len(link.name) > NAME_MAX:
        errors["name"] = [_("Keep the name under %(n)d characters.") % {"n": NAME_MAX}]
    if link.platform and link.platform not in Platform.values:
        errors["platform"] = [_("Choose a platform from the list.")]
    if len(link.channel) > CHANNEL_MAX:
        errors["channel"] = [_("Keep the channel under %(n)d characters.") % {"n": CHANNEL_MAX}]
    for key in UTM_FIELDS:
        if len(getattr(link, key)) > UTM_MAX:
            errors[key] = [_("Keep UTM values under %(n)d characters.") % {"n": UTM_MAX}]
    if expiry_changed and link.expires_at is not None:
        if timezone.is_naive(link.expires_at):
            errors["expires_at"] = [_("Give the expiry with its time zone.")]
        elif link.expires_at <= timezone.now():
            errors["expires_at"] = [_("The expiry must be in the future.")]
    _check_context(link, errors)
    if errors:
        raise ValidationError(errors)


def _apply(link: TrackingLink, data: dict[str, Any]) -> None:
    unknown = set(data) - EDITABLE - {"code"}
    if unknown:
        raise ValidationError(
            {key: [_("This field cannot be set here.")] for key in sorted(unknown)}
        )
    for key in ("name", "destination_url", "platform", "channel"):
        if key in data:
            setattr(link, key, _text(data[key]))
    for key in ("campaign", "variant", "partner"):
        if key in data:
            setattr(link, key, data[key])
    if "expires_at" in data:
        link.expires_at = data["expires_at"]
    variant = link.variant
    if variant is not None and variant.workspace_id == link.workspace_id:
        # Content written for a campaign credits its links to that campaign and platform.
        if link.campaign is None and variant.item.campaign_id:
            link.campaign = variant.item.campaign
        if not link.platform:
            link.platform = variant.platform


def _apply_utm(link: TrackingLink, data: dict[str, Any], before: dict[str, str]) -> None:
    """Typed values win; blank ones, and ones equal to what the old context would have
    filled in, follow the (possibly new) context."""
    auto = auto_utm(context_of(link))
    for key in UTM_FIELDS:
        typed = _text(data[key]) if key in data else None
        stored = getattr(link, key)
        if typed:
            manual = typed if typed != before.get(key) else None
        elif typed is None and stored and stored != before.get(key):
            manual = stored
        else:
            manual = None
        setattr(link, key, manual if manual is not None else auto.get(key, ""))


def _snapshot(link: TrackingLink) -> dict[str, Any]:
    return audit.snapshot(link, AUDITED)


def _save_new(link: TrackingLink, custom: bool, taken: Sequence[str] = ()) -> None:
    """Insert, drawing another random code if a concurrent insert took ours."""
    for _attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                link.save()
            return
        except IntegrityError:
            if custom or not TrackingLink.objects.filter(code=link.code).exists():
                if custom:
                    raise ValidationError(
                        {
                            "code": [
                                _("The code “%(code)s” is already in use.") % {"code": link.code}
                            ]
                        }
                    ) from None
                raise
            link.code = new_code([*taken, link.code])
    raise RuntimeError("could not find a free short code")  # pragma: no cover


def _record_create(actor: User, link: TrackingLink, action: str) -> None:
    audit.record(
        actor=actor,
        workspace=link.workspace,
        action=action,
        obj=link,
        changes={k: (None, v) for k, v in _snapshot(link).items() if v not in (None, "", False)},
    )


# Writes ----------------------------------------------------------------------------------


@transaction.atomic
def create_link(*, actor: User, workspace: Workspace, data: dict[str, Any]) -> TrackingLink:
    """Create a link. ``data`` holds model field values (campaign/variant/partner as
    instances); ``code`` empty or absent draws a random one."""
    require_action(actor, workspace, Action.TRACKING_MANAGE)
    link = TrackingLink(workspace=workspace, created_by=actor)
    code = _text(data.get("code"))
    _apply(link, data)
    errors: dict[str, list[str]] = {}
    if code:
        problem = custom_code_error(code)
        if problem:
            errors["code"] = [problem]
    try:
        _validate(link, expiry_changed=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    _apply_utm(link, data, {})
    link.code = code or new_code()
    _save_new(link, custom=bool(code))
    _record_create(actor, link, "tracking.link_create")
    return link


def _forget_cached(code: str) -> None:
    """This process's redirect stops using the old target at once; other processes'
    caches expire within a minute (the redirect's cache lifetime)."""
    from fanloop.tracking import redirect

    transaction.on_commit(lambda: redirect.forget(code))


@transaction.atomic
def update_link(*, actor: User, link: TrackingLink, data: dict[str, Any]) -> TrackingLink:
    """Change a link. The short code never changes: it may already be printed."""
    require_action(actor, link.workspace, Action.TRACKING_MANAGE)
    link = (
        TrackingLink.objects.select_for_update(of=("self",))
        .select_related("workspace", "campaign", "variant__item", "partner")
        .get(pk=link.pk)
    )
    if "code" in data and _text(data["code"]) not in ("", link.code):
        raise ValidationError(
            {"code": [_("The short code cannot change: it may already be printed or shared.")]}
        )
    data = {k: v for k, v in data.items() if k != "code"}
    before = _snapshot(link)
    auto_before = auto_utm(context_of(link))
    old_expiry = link.expires_at
    _apply(link, data)
    _validate(link, expiry_changed=link.expires_at != old_expiry)
    _apply_utm(link, data, auto_before)
    link.save()
    _forget_cached(link.code)
    changes = audit.diff(before, _snapshot(link))
    if changes:
        audit.record(
            actor=actor,
            workspace=link.workspace,
            action="tracking.link_update",
            obj=link,
            changes=changes,
        )
    return link


@transaction.atomic
def set_archived(*, actor: User, link: TrackingLink, archived: bool = True) -> TrackingLink:
    """Archive (hide from lists; the redirect decides what an archived link does) or restore."""
    require_action(actor, link.workspace, Action.TRACKING_MANAGE)
    link = TrackingLink.objects.select_for_update().get(pk=link.pk)
    if link.archived != archived:
        link.archived = archived
        link.save(update_fields=["archived"])
        _forget_cached(link.code)
        audit.record(
            actor=actor,
            workspace=link.workspace,
            action="tracking.link_archive" if archived else "tracking.link_restore",
            obj=link,
            changes={"archived": (not archived, archived)},
        )
    return link


def parse_channel_lines(text: str) -> list[str]:
    """One channel name per line; blank lines are skipped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@transaction.atomic
def bulk_create_links(
    *,
    actor: User,
    workspace: Workspace,
    data: dict[str, Any],
    partners: Sequence[Partner] = (),
    channels: Sequence[str] = (),
) -> list[TrackingLink]:
    """One link per partner or per channel name, all sharing ``data`` (destination,
    campaign, platform, variant, expiry, utm_term). All or nothing: every row's problem is
    reported under ``partners`` or ``channels``."""
    require_action(actor, workspace, Action.TRACKING_MANAGE)
    shared = {k: v for k, v in data.items() if k not in ("code", "name", "partner", "channel")}
    errors: dict[str, list[str]] = {}
    rows: list[tuple[str, dict[str, Any]]] = []
    if partners and channels:
        errors["partners"] = [_("Choose partners or type channel names, not both.")]
    elif not partners and not channels:
        errors["partners"] = [_("Choose at least one partner or type channel names.")]
    elif len(partners) + len(channels) > BULK_MAX:
        key = "partners" if partners else "channels"
        errors[key] = [_("At most %(n)d links at a time.") % {"n": BULK_MAX}]
    else:
        seen: set[int] = set()
        for number, partner in enumerate(partners, start=1):
            if partner.workspace_id != workspace.pk:
                errors.setdefault("partners", []).append(
                    _("Row %(n)d: not a partner of this workspace.") % {"n": number}
                )
            elif partner.pk in seen:
                errors.setdefault("partners", []).append(
                    _("Row %(n)d (%(name)s): listed twice.") % {"n": number, "name": partner}
                )
            else:
                seen.add(partner.pk)
                rows.append(("partners", {"partner": partner, "name": partner.name}))
        names: set[str] = set()
        for number, channel in enumerate(channels, start=1):
            channel = channel.strip()
            if not channel:
                errors.setdefault("channels", []).append(
                    _("Line %(n)d: empty channel name.") % {"n": number}
                )
            elif len(channel) > CHANNEL_MAX:
                errors.setdefault("channels", []).append(
                    _("Line %(n)d: keep channel names under %(max)d characters.")
                    % {"n": number, "max": CHANNEL_MAX}
                )
            elif channel.lower() in names:
                errors.setdefault("channels", []).append(
                    _("Line %(n)d (%(name)s): listed twice.") % {"n": number, "name": channel}
                )
            else:
                names.add(channel.lower())
                rows.append(("channels", {"channel": channel, "name": channel}))
    # The shared part is checked once, on a probe link, so its problems are reported once.
    probe = TrackingLink(workspace=workspace)
    try:
        _apply(probe, shared)
        _validate(probe, expiry_changed=True)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    links: list[TrackingLink] = []
    codes: list[str] = []
    for _key, row in rows:
        link = TrackingLink(workspace=workspace, created_by=actor)
        values = {**shared, **row}
        _apply(link, values)
        _apply_utm(link, values, {})
        link.code = new_code(codes)
        codes.append(link.code)
        _save_new(link, custom=False, taken=codes)
        _record_create(actor, link, "tracking.link_bulk_create")
        links.append(link)
    return links


def expired(link: TrackingLink, now: datetime | None = None) -> bool:
    return link.expires_at is not None and link.expires_at <= (now or timezone.now())
