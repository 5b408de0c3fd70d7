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
import os
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedRedirect
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.cookie import parse_cookie
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from fanloop.tracking import clicklog
from fanloop.tracking.models import TrackingLink
from fanloop.tracking.privacy import hash_ip
from fanloop.tracking.services.links import tagged_url
from fanloop.tracking.useragents import classify

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse

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


def client_ip(meta: Mapping[str, Any]) -> str:
    """REMOTE_ADDR, or the nearest untrusted hop of X-Forwarded-For behind trusted proxies."""
    remote = meta.get("REMOTE_ADDR", "") or ""
    proxies = tuple(getattr(settings, "TRACKING_TRUSTED_PROXIES", ()) or ())
    if not proxies:
        return remote
    networks = _trusted_networks(proxies)
    if not _is_trusted(remote, networks):
        return remote
    forwarded = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    # Walk from the right: every hop we trust appended the one before it; the first
    # untrusted hop is the client as far as anyone we trust can tell.
    for hop in reversed([hop for hop in forwarded if hop]):
        if not _is_trusted(hop, networks):
            return hop
    return remote


def referrer_host(meta: Mapping[str, Any]) -> str:
    referer = meta.get("HTTP_REFERER", "")
    if not referer:
        return ""
    try:
        host = urlsplit(referer).hostname or ""
    except ValueError:
        return ""
    return host[:200]


def _visitor(meta: Mapping[str, Any]) -> tuple[str, bool]:
    """The visitor id to log and whether the cookie must be (re)issued."""
    raw = meta.get("HTTP_COOKIE", "")
    if CONSENT_COOKIE not in raw:
        return "", False
    cookies = parse_cookie(raw)
    if cookies.get(CONSENT_COOKIE) != "1":
        return "", False
    if meta.get("HTTP_DNT") == "1" or meta.get("HTTP_SEC_GPC") == "1":
        return "", False
    current = cookies.get(VISITOR_COOKIE, "")
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
    issue = _record(link, request.META, now)
    if issue:
        response.set_cookie(
            VISITOR_COOKIE,
            issue,
            max_age=VISITOR_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def _record(link: CachedLink, meta: Mapping[str, Any], now: datetime) -> str:
    """Queue the click; returns a new visitor id to set as a cookie, or ""."""
    visitor_id, issue_cookie = _visitor(meta)
    clicklog.record(
        clicklog.PendingClick(
            link_id=link.link_id,
            workspace_id=link.workspace_id,
            timezone=link.timezone,
            clicked_at=now,
            referrer_host=referrer_host(meta),
            ua_class=classify(meta.get("HTTP_USER_AGENT", "")),
            ip_hash=hash_ip(client_ip(meta)),
            visitor_id=visitor_id,
        )
    )
    return visitor_id if issue_cookie else ""


# --- the fast path ----------------------------------------------------------------------
# A short link is the hottest URL Fanloop serves. A link this process has cached is
# answered here, at the WSGI level, before Django's middleware (sessions, CSRF, locale,
# auth, messages, CSP... none of which a 302 to a stored destination needs); anything
# else (a first visit, an unknown or retired code, POST) goes through Django as usual.

_BENCH = os.environ.get("FANLOOP_BENCH_ENDPOINTS", "").lower() in {"1", "true", "yes", "on"}
_HEADERS = [
    ("Content-Length", "0"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Robots-Tag", "noindex, nofollow"),
    ("X-Content-Type-Options", "nosniff"),
]


def fast_path(environ: dict[str, Any], start_response: "StartResponse") -> list[bytes] | None:
    """The response for a cached, live link; None to let Django answer."""
    path = environ.get("PATH_INFO", "")
    if _BENCH and path == "/l-bench/302":
        start_response("302 Found", [("Location", "https://example.com/"), *_HEADERS])
        return []
    method = environ.get("REQUEST_METHOD")
    if not path.startswith("/l/") or method not in ("GET", "HEAD"):
        return None
    hit = _links.get(path[3:])
    if hit is None or hit[0] <= time.monotonic() or hit[1] is None:
        return None
    link = hit[1]
    now = timezone.now()
    if link.archived or (link.expires_at is not None and link.expires_at <= now):
        return None
    if not link.url.startswith(("https://", "http://")):
        return None  # Django refuses such a destination with its 404 page
    headers = [("Location", iri_to_uri(link.url)), *_HEADERS]
    if method == "GET":
        issue = _record(link, environ, now)
        if issue:
            headers.append(("Set-Cookie", _visitor_cookie(issue)))
    start_response("302 Found", headers)
    return []


def _visitor_cookie(visitor_id: str) -> str:
    expires = http_date(time.time() + VISITOR_COOKIE_MAX_AGE)
    secure = "; Secure" if settings.SESSION_COOKIE_SECURE else ""
    return (
        f"{VISITOR_COOKIE}={visitor_id}; expires={expires}; HttpOnly; "
        f"Max-Age={VISITOR_COOKIE_MAX_AGE}; Path=/; SameSite=Lax{secure}"
    )
