"""``GET /l/<code>``: send the visitor on to the destination and log the click.

The hot path does no database work for a link seen in the last ``LINK_CACHE_SECONDS``:
the link's target is cached in the process, and the click goes to the buffered click
log (fanloop.tracking.clicklog). So a change to a link (archived, new destination,
new expiry) reaches visitors within that TTL.

Privacy: the raw IP is hashed here and never stored; the referrer is reduced to its
host; the first-party visitor cookie ``fl_vid`` is read or set only when the visitor
agreed (``fl_consent=1``, set by the landing page) and did not send ``DNT: 1`` or
``Sec-GPC: 1``. ``X-Forwarded-For`` is trusted only from the proxies listed in the
setting ``TRACKING_TRUSTED_PROXIES`` (IPs or CIDR networks).
"""

import ipaddress
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedRedirect
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from fanloop.tracking import clicklog
from fanloop.tracking.models import TrackingLink
from fanloop.tracking.privacy import hash_ip
from fanloop.tracking.services.links import tagged_url
from fanloop.tracking.useragents import classify

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network

LINK_CACHE_SECONDS = 60.0
# Unknown codes are cached briefly so a scan of random codes does not hit the database
# on every request, yet a link created just after a miss works within seconds.
MISSING_CACHE_SECONDS = 5.0
LINK_CACHE_MAX = 20_000
CODE_MAX_LENGTH = 32

VISITOR_COOKIE = "fl_vid"
CONSENT_COOKIE = "fl_consent"
VISITOR_COOKIE_MAX_AGE = 365 * 24 * 3600
_VISITOR_ID = re.compile(r"^[0-9a-f]{32}$")
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")


@dataclass(frozen=True, slots=True)
class CachedLink:
    link_id: int
    workspace_id: int
    timezone: str
    url: str
    expires_at: datetime | None
    archived: bool


# code -> (monotonic deadline, link or None for "no such code"). Plain dict operations
# are atomic under the GIL; a race only means two threads load the same link.
_links: dict[str, tuple[float, CachedLink | None]] = {}


def forget(code: str | None = None) -> None:
    """Drop one code (or all) from this process's cache; other processes wait the TTL."""
    if code is None:
        _links.clear()
    else:
        _links.pop(code, None)


def _lookup(code: str) -> CachedLink | None:
    now = time.monotonic()
    hit = _links.get(code)
    if hit is not None and hit[0] > now:
        return hit[1]
    link = (
        TrackingLink.objects.filter(code=code)
        .select_related("workspace")
        .only(
            "id",
            "workspace_id",
            "workspace__timezone",
            "destination_url",
            "expires_at",
            "archived",
            *UTM_FIELDS,
        )
        .first()
    )
    cached = (
        CachedLink(
            link_id=link.id,
            workspace_id=link.workspace_id,
            timezone=link.workspace.timezone,
            url=tagged_url(link),
            expires_at=link.expires_at,
            archived=link.archived,
        )
        if link is not None
        else None
    )
    if len(_links) >= LINK_CACHE_MAX:
        _links.clear()
    ttl = LINK_CACHE_SECONDS if cached is not None else MISSING_CACHE_SECONDS
    _links[code] = (now + ttl, cached)
    return cached


def _missing_page(request: HttpRequest, status: int) -> HttpResponse:
    # Rendered without the request context: visitors are anonymous, and the shell's
    # context processors would touch the session (and set cookies) for nothing.
    html = render_to_string("tracking/link_missing.html", {"gone": status == 410})
    response = HttpResponse(html, status=status)
    _no_store(response)
    return response


def _no_store(response: HttpResponse) -> None:
    response["Cache-Control"] = "no-store"
    # The destination learns which site the visitor came from (origin only), as browsers
    # do by default; never our /l/ path.
    response["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _is_trusted(
    ip: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the nearest untrusted hop of X-Forwarded-For behind trusted proxies."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = tuple(getattr(settings, "TRACKING_TRUSTED_PROXIES", ()) or ())
    if not proxies:
        return remote
    networks = _trusted_networks(proxies)
    if not _is_trusted(remote, networks):
        return remote
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    # Walk from the right: every hop we trust appended the one before it; the first
    # untrusted hop is the client as far as anyone we trust can tell.
    for hop in reversed([hop for hop in forwarded if hop]):
        if not _is_trusted(hop, networks):
            return hop
    return remote


def referrer_host(request: HttpRequest) -> str:
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return ""
    try:
        host = urlsplit(referer).hostname or ""
    except ValueError:
        return ""
    return host[:200]


def _visitor(request: HttpRequest) -> tuple[str, bool]:
    """The visitor id to log and whether the cookie must be (re)issued."""
    if request.COOKIES.get(CONSENT_COOKIE) != "1":
        return "", False
    if request.META.get("HTTP_DNT") == "1" or request.META.get("HTTP_SEC_GPC") == "1":
        return "", False
    current = request.COOKIES.get(VISITOR_COOKIE, "")
    if _VISITOR_ID.match(current):
        return current, False
    return secrets.token_hex(16), True


@require_safe
def redirect(request: HttpRequest, code: str) -> HttpResponse:
    if len(code) > CODE_MAX_LENGTH:
        return _missing_page(request, 404)
    link = _lookup(code)
    if link is None:
        return _missing_page(request, 404)
    now = timezone.now()
    if link.archived or (link.expires_at is not None and link.expires_at <= now):
        return _missing_page(request, 410)
    try:
        response = HttpResponseRedirect(link.url)
    except DisallowedRedirect:
        # A destination with a scheme we refuse to send people to (javascript: ...).
        return _missing_page(request, 404)
    _no_store(response)
    if request.method == "HEAD":
        # Link checkers and unfurlers probe with HEAD; nobody was sent anywhere.
        return response
    visitor_id, issue_cookie = _visitor(request)
    if issue_cookie:
        response.set_cookie(
            VISITOR_COOKIE,
            visitor_id,
            max_age=VISITOR_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    clicklog.record(
        clicklog.PendingClick(
            link_id=link.link_id,
            workspace_id=link.workspace_id,
            timezone=link.timezone,
            clicked_at=now,
            referrer_host=referrer_host(request),
            ua_class=classify(request.META.get("HTTP_USER_AGENT", "")),
            ip_hash=hash_ip(client_ip(request)),
            visitor_id=visitor_id,
        )
    )
    return response


@require_safe
def bench_baseline(request: HttpRequest) -> HttpResponse:
    """The benchmark's floor: the same stack and headers, no lookup, no logging."""
    response = HttpResponseRedirect("https://example.com/")
    _no_store(response)
    return response
