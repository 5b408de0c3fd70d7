"""Weibo (新浪微博开放平台, api.weibo.com/2) connector for one authorised user account.

Sources (open.weibo.com/wiki/..., looked up, not guessed):

- ``POST /2/statuses/share.json`` (第三方分享一条链接到微博): ``access_token``; ``status``
  (URL-encoded, at most 140 Chinese characters, must contain at least one URL on the app's
  bound safe domain (应用信息 > 安全域名), and must NOT contain "#话题词#"); optional ``pic``
  (multipart, JPEG / GIF / PNG under 5 MB, one picture); ``rip`` (the operating user's real
  IP, required in the current version). Returns the status {id, idstr, mid, created_at,
  user...}. Length counts a Chinese character as one and two ASCII characters as one; we
  count the URL in full (Weibo may shorten it to t.cn, we do not rely on that).
- ``GET /2/comments/show.json`` {id, since_id, max_id, count (documented default 50; public
  clients pass 200), page} -> {comments[{id, idstr, created_at, text, user{idstr,
  screen_name}, reply_comment}], total_number}, newest first. ``POST
  /2/comments/reply.json`` {cid, id, comment (<= 140), rip} -> the new comment.
- ``GET /2/statuses/count.json`` {ids: comma separated, at most 100} -> [{id, comments,
  reposts, attitudes}] running totals now; unknown or deleted ids are silently left out.
- Error envelope ``{request, error_code, error}``. System codes: 10001 / 10002 / 10009 /
  10010 / 10011 busy; 10014 app lacks the API permission; 10017 bad parameter value (also
  "appkey not bind domain"); 10022 / 10023 / 10024 IP / user / user-per-API rate limit.
  Service codes: 20003 user does not exist; 20005 / 20006 image type / size; 20012 text
  over 140; 20016 posting too often; 20017 similar / 20019 same content as before / 20111
  same weibo; 20018 illegal URL; 20020 advertising; 20021 illegal content; 20032 "posted,
  but the server is slow: wait 1-2 minutes"; 20101 status gone; 20201 comment gone. OAuth:
  21301 auth failed; 21314-21317 token used / expired / invalid; 21319 authorisation
  revoked; 21321 unaudited app over its user limit; 21327 token expired; 21332 token
  invalid (the last one from the platform's OAuth2 table as the brief gives it; not in the
  copies of the table we could read).
- Rate limits (Rate-limiting / 接口访问频次权限): limits are per authorised user per app, by
  the hour and the day, and depend on the app's level and quality; the published examples
  are posting 30 / hour per user, commenting 60 / hour per user (older table: 150 calls /
  hour per user in total at test level), 15,000 / hour per IP. Only the two write limits
  are declared below; 10022-10024 and 20016 are transient until the next hour.

Tokens: Weibo issues refresh tokens only to apps using its mobile SDK; a web app such as
this one gets an access token whose lifetime depends on the app's level (1 day for test
apps up to 90 days) and must send the user through authorisation again. So REFRESH_TOKEN
is not declared and every token error says "connect the account again".

Not declared: LOOKUP (a shared status carries no client reference, so an interrupted share
ends in "needs check"); FETCH_ACCOUNT_METRICS (no daily follower history in the open API).
Topics are left out of the text: the share API refuses "#话题词#".
"""

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
from django.utils.translation import gettext as _

from fanloop.channels.connectors.base import (
    Capability,
    Connector,
    ConnectorError,
    MediaFile,
    PostMetrics,
    PublishRequest,
    PublishResult,
    RateLimit,
    RemoteComment,
    register,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TEXT_MAX = 140
PIC_MAX_BYTES = 5 * 1024 * 1024
PIC_MIMES = frozenset({"image/jpeg", "image/gif", "image/png"})
COMMENT_PAGE_SIZE = 200
COMMENT_MAX_PAGES = 50
COUNT_BATCH = 100
CREATED_AT = "%a %b %d %H:%M:%S %z %Y"

AUTH_CODES = frozenset({21301, 21314, 21315, 21316, 21317, 21319, 21327, 21332})
RATE_CODES = frozenset({10022, 10023, 10024, 20016})
BUSY_CODES = frozenset({10001, 10002, 10009, 10010, 10011})
DUPLICATE_CODES = frozenset({20017, 20019, 20111})
PERMISSION_CODES = frozenset({10014, 21321})


def _messages() -> dict[int, str]:
    check = _(
        "An earlier attempt may already have posted it: check the account before posting again."
    )
    return {
        10001: _("Weibo had a system error; try again shortly."),
        10002: _("Weibo's service is paused; try again shortly."),
        10009: _("Weibo is busy; try again shortly."),
        10014: _("The Weibo app lacks permission for this API; apply for it in the console."),
        10017: _(
            "Weibo rejected a parameter value (for sharing, the link must be on the app's "
            "safe domain)."
        ),
        10022: _("Weibo's request limit for this server's IP is reached."),
        10023: _("Weibo's request limit for this user is reached."),
        10024: _("Weibo's request limit for this user on this API is reached."),
        20003: _("Weibo says the user does not exist."),
        20005: _("Weibo only accepts JPG, GIF and PNG pictures."),
        20006: _("Weibo says the picture is too large."),
        20012: _("Weibo says the text is longer than 140 characters."),
        20016: _("Weibo says the account is posting too often."),
        20017: _("Weibo refused content too similar to an earlier post.") + " " + check,
        20018: _("Weibo refused a link it considers illegal."),
        20019: _("Weibo refused the same content as an earlier post.") + " " + check,
        20020: _("Weibo refused the post as advertising."),
        20021: _("Weibo refused the post for illegal content."),
        20101: _("Weibo says this post does not exist."),
        20111: _("Weibo refused the same post twice.") + " " + check,
        20201: _("Weibo says this comment does not exist."),
        21321: _("The Weibo app is not audited and has reached its user limit."),
    }


def _now() -> datetime:
    return datetime.now(UTC)


def weibo_length(text: str) -> int:
    """Weibo's count: a Chinese (non-ASCII) character is 1, an ASCII character is 1/2."""
    return math.ceil(sum(0.5 if ord(char) < 128 else 1 for char in text))


def _created(value: Any) -> datetime | None:
    try:
        return datetime.strptime(str(value), CREATED_AT).astimezone(UTC)
    except ValueError:
        return None


@register
@dataclass
class WeiboConnector(Connector):
    platform: ClassVar[str] = "weibo"
    platform_label: ClassVar[str] = "Weibo"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH,
            Capability.FETCH_COMMENTS,
            Capability.REPLY,
            Capability.FETCH_POST_METRICS,
        }
    )
    default_base_url: ClassVar[str] = "https://api.weibo.com/2"
    rate_limits: ClassVar[Mapping[str, RateLimit]] = {
        # Rate-limiting page: posting 30 / hour, commenting 60 / hour per user per app.
        "statuses.share": RateLimit(calls=30, seconds=3600),
        "comments.reply": RateLimit(calls=60, seconds=3600),
    }

    now: Callable[[], datetime] = field(default=_now, repr=False)

    # Plumbing ---------------------------------------------------------------------------

    def _seconds_to_next_hour(self) -> float:
        moment = self.now()
        top = moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        return max((top - moment).total_seconds(), 1.0)

    def _error(self, code: int, message: str) -> ConnectorError:
        text = _messages().get(code) or _("Weibo refused the request.")
        detail = f"{text} ({code}{': ' + message if message else ''})"
        if code in AUTH_CODES:
            return ConnectorError(
                _("Weibo no longer accepts this account's token; connect the account again.")
                + f" ({code}{': ' + message if message else ''})",
                code=str(code),
                auth=True,
            )
        if code in RATE_CODES:
            return ConnectorError(
                detail,
                code="rate_limited",
                transient=True,
                retry_after=self._seconds_to_next_hour(),
            )
        if code in BUSY_CODES:
            return ConnectorError(detail, code="busy", transient=True)
        if code in DUPLICATE_CODES:
            return ConnectorError(detail, code="duplicate")
        if code in PERMISSION_CODES:
            return ConnectorError(detail, code="permission")
        if code == 20032:
            return ConnectorError(
                _(
                    "Weibo says the post went out but its server is slow; check the account in "
                    "a few minutes before posting again."
                ),
                code="outcome_unknown",
            )
        return ConnectorError(detail, code=str(code))

    def _parse(self, response: httpx.Response) -> Any:
        if response.status_code >= 500:
            raise ConnectorError(
                _("Weibo had a server error (HTTP %(status)s).") % {"status": response.status_code},
                code="server_error",
                transient=True,
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("error_code"):
            raise self._error(int(body["error_code"]), str(body.get("error") or ""))
        if response.status_code >= 400 or body is None:
            raise self._error(0, f"HTTP {response.status_code}")
        return body

    def auth_is_refreshable(self, error: ConnectorError) -> bool:
        return False  # web apps get no refresh token: a person must authorise again

    def _token(self) -> str:
        token = str(self.credentials.get("access_token") or "")
        expires = self.credentials.get("expires_at")
        try:
            expired = bool(expires) and datetime.fromisoformat(str(expires)) <= self.now()
        except ValueError:
            expired = False
        if not token or expired:
            raise ConnectorError(
                _("The Weibo authorisation has expired; connect the account again."),
                code="21327",
                auth=True,
            )
        return token

    def _user_ip(self) -> str:
        ip = str(self.credentials.get("rip") or "")
        if not ip:
            raise ConnectorError(
                _(
                    "Weibo requires the operating user's real IP (rip) for posting; set it on "
                    "the account."
                ),
                code="config",
            )
        return ip

    def _get(self, api: str, path: str, params: Mapping[str, Any]) -> Any:
        query = {"access_token": self._token(), **params}

        def send() -> Any:
            return self._parse(self._client.get(f"{self.base_url}{path}", params=query))

        return self.call_authed(api, send)

    def _post(
        self, api: str, path: str, data: Mapping[str, Any], *, pic: MediaFile | None = None
    ) -> Any:
        form = {"access_token": self._token(), **data}

        def send() -> Any:
            url = f"{self.base_url}{path}"
            if pic is None:
                return self._parse(self._client.post(url, data=form))
            with open(pic.path, "rb") as handle:
                files = {"pic": (os.path.basename(pic.path), handle, pic.mime)}
                return self._parse(self._client.post(url, data=form, files=files))

        return self.call_authed(api, self.creating(send))

    # Publishing -------------------------------------------------------------------------

    def compose_text(self, request: PublishRequest) -> str:
        """Title and body, then @mentions, then the link; topics are refused by the API."""
        parts = [p for p in (request.title.strip(), request.body.strip()) if p]
        text = "\n".join(parts)
        mentions = [f"@{m.lstrip('@').strip()}" for m in request.mentions if m.strip()]
        return " ".join([t for t in (text, *mentions) if t] + [request.link.strip()])

    def _check_request(self, request: PublishRequest) -> tuple[str, MediaFile | None]:
        def refuse(message: str) -> ConnectorError:
            return ConnectorError(message, code="invalid")

        link = request.link.strip()
        host = urlsplit(link).hostname or ""
        if not link or urlsplit(link).scheme not in {"http", "https"} or not host:
            raise refuse(_("Weibo's share API needs a link (http or https) in every post."))
        domain = str(self.credentials.get("safe_domain") or "").lower().lstrip(".")
        if domain and host != domain and not host.endswith(f".{domain}"):
            raise refuse(
                _("Weibo only accepts links on the app's safe domain (%(domain)s).")
                % {"domain": domain}
            )
        if any(m.kind != "image" for m in request.media):
            raise refuse(_("Weibo's share API takes pictures only, no video."))
        pictures = list(request.media) or ([request.cover] if request.cover else [])
        if len(pictures) > 1:
            raise refuse(_("Weibo's share API takes one picture per post."))
        pic = pictures[0] if pictures else None
        if pic is not None and (
            pic.mime not in PIC_MIMES or os.path.getsize(pic.path) >= PIC_MAX_BYTES
        ):
            raise refuse(_("Weibo pictures must be JPEG, GIF or PNG under 5 MB."))
        text = self.compose_text(request)
        if weibo_length(text) > TEXT_MAX:
            raise refuse(
                _(
                    "This Weibo post counts %(count)d characters with its link; the limit is "
                    "140 (two ASCII characters count as one)."
                )
                % {"count": weibo_length(text)}
            )
        return text, pic

    def publish(self, request: PublishRequest) -> PublishResult:
        self.require(Capability.PUBLISH)
        text, pic = self._check_request(request)
        data = {"status": text, "rip": self._user_ip()}
        status = self._post("statuses.share", "/statuses/share.json", data, pic=pic)
        status_id = str(status.get("idstr") or status.get("id") or "")
        if not status_id:
            raise ConnectorError(
                _("Weibo accepted the post but returned no id; check the account."),
                code="outcome_unknown",
            )
        uid = str(self.credentials.get("uid") or (status.get("user") or {}).get("idstr") or "")
        url = f"https://weibo.com/{uid}/{status_id}" if uid else ""
        return PublishResult(
            remote_id=status_id, url=url, published_at=_created(status.get("created_at"))
        )

    # Comments ---------------------------------------------------------------------------

    def fetch_comments(
        self, post_remote_id: str, *, since: datetime | None = None
    ) -> list[RemoteComment]:
        self.require(Capability.FETCH_COMMENTS)
        comments: list[RemoteComment] = []
        seen = 0
        for page in range(1, COMMENT_MAX_PAGES + 1):
            data = self._get(
                "comments.show",
                "/comments/show.json",
                {"id": post_remote_id, "count": COMMENT_PAGE_SIZE, "page": page},
            )
            rows = [r for r in data.get("comments") or [] if isinstance(r, dict)]
            oldest: datetime | None = None
            for row in rows:
                created = _created(row.get("created_at")) or datetime.fromtimestamp(0, UTC)
                oldest = created if oldest is None else min(oldest, created)
                if since is not None and created < since:
                    continue
                user = row.get("user") or {}
                comments.append(
                    RemoteComment(
                        remote_id=str(row.get("idstr") or row.get("id") or ""),
                        post_remote_id=post_remote_id,
                        author_id=str(user.get("idstr") or user.get("id") or ""),
                        author_name=str(user.get("screen_name") or ""),
                        text=str(row.get("text") or ""),
                        created_at=created,
                        parent_remote_id=str((row.get("reply_comment") or {}).get("idstr") or ""),
                    )
                )
            seen += len(rows)
            done = not rows or seen >= int(data.get("total_number") or 0)
            if done or (since is not None and oldest is not None and oldest < since):
                break  # newest first: the rest is older still
        return comments

    def reply(self, comment: RemoteComment, text: str) -> str:
        self.require(Capability.REPLY)
        if weibo_length(text) > TEXT_MAX:
            raise ConnectorError(
                _("A Weibo comment may be at most 140 characters."), code="invalid"
            )
        data = {
            "cid": comment.remote_id,
            "id": comment.post_remote_id,
            "comment": text,
            "rip": self._user_ip(),
        }
        created = self._post("comments.reply", "/comments/reply.json", data)
        return str(created.get("idstr") or created.get("id") or "")

    # Metrics ----------------------------------------------------------------------------

    def fetch_post_metrics(
        self, post_remote_ids: Sequence[str], start: date, end: date
    ) -> list[PostMetrics]:
        """Running totals as of now, dated ``end`` (or today if ``end`` is later): Weibo
        keeps no per-day history in the open API, so ``start`` cannot be honoured."""
        self.require(Capability.FETCH_POST_METRICS)
        day = min(end, self.now().astimezone(SHANGHAI).date())
        ids = list(dict.fromkeys(str(i) for i in post_remote_ids if str(i).strip()))
        results: list[PostMetrics] = []
        for index in range(0, len(ids), COUNT_BATCH):
            batch = ids[index : index + COUNT_BATCH]
            rows = self._get("statuses.count", "/statuses/count.json", {"ids": ",".join(batch)})
            for row in rows if isinstance(rows, list) else []:
                results.append(
                    PostMetrics(
                        remote_id=str(row.get("id") or ""),
                        day=day,
                        likes=int(row.get("attitudes") or 0),
                        comments=int(row.get("comments") or 0),
                        shares=int(row.get("reposts") or 0),
                        cumulative=True,
                    )
                )
        return results
