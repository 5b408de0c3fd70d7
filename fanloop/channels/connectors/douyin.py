"""Douyin (抖音开放平台, open.douyin.com) connector for one authorised user account.

Sources (looked up, not guessed; re-check them when the platform changes):

- OAuth refresh ``POST /oauth/refresh_token/`` (form: client_key, grant_type=refresh_token,
  refresh_token): developer.open-douyin.com ... account-permission/refresh-access-token.
- Publishing ("代替用户发布内容到抖音", scope ``video.create.bind``): ``upload_video`` (multipart
  ``video`` -> ``data.video.video_id``), ``create_video`` (JSON ``video_id``, ``text`` ->
  ``data.item_id``), ``upload_image`` (multipart ``image`` -> ``data.image.image_id``) and
  ``create_image_text`` (JSON ``image_list``, ``text`` -> ``data.item_id``); the user token
  goes in the ``access-token`` header and ``open_id`` in the query. Douyin admits this
  capability only for some developer entities and reviews every post before it is public.
- Simple upload is documented for files up to 128 MB (part upload is suggested above 50 MB
  and required above 128 MB, max 4 GB). Only the simple upload is implemented: bigger files
  are refused with a clear message.
- Video data (scope ``data.external.item``): ``GET /data/external/item/{play,like,comment,
  share}/?open_id&item_id&date_type=7|15|30`` -> ``data.result_list[{date, <metric>}]``
  (per day, new counts). Only videos created in the last 30 days; data for a day appears the
  next day. ``/data/external/item/base/`` only has 30-day totals (no per-day rows), so it is
  not used.
- Comments (scope ``item.comment``): ``GET /item/comment/list/`` -> ``data.list[{comment_id,
  comment_user_id, content, digg_count, create_time}]``, ``cursor``, ``has_more``;
  ``POST /item/comment/reply/`` (JSON item_id, comment_id, content). Replies are only
  possible on the authorised account's own videos, and the capability is reviewed
  separately (enterprise accounts); the permission errors are explained, not hidden.
- Error envelope ``{data: {error_code, description}, extra: {error_code, description,
  logid}}``. Code meanings from the published code table (10008 / 2190008 / 2190002 token,
  2100004 system busy, 2100005 / 10002 parameters, 2190001 quota, 2190003 / 2190004 /
  2100007 / 2112001 permissions, 2190005-2190007 video file).

Rate limits: Douyin publishes no per-account numbers for these APIs that we could verify,
so ``rate_limits`` is empty; the platform's quota / busy codes are retried as transient.

Lookup: Douyin has no way to find a post by our idempotency key, so LOOKUP is not declared;
a publish interrupted after ``create_video`` was sent ends in "needs check".
"""

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import httpx
from django.utils.translation import gettext as _

from fanloop.channels.connectors.base import (
    Capability,
    Connector,
    ConnectorError,
    Credentials,
    MediaFile,
    PostMetrics,
    PublishRequest,
    PublishResult,
    RateLimit,
    RemoteComment,
    register,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
SIMPLE_UPLOAD_MAX_BYTES = 128 * 1024 * 1024
METRICS_WINDOW_DAYS = 30
COMMENT_PAGE_SIZE = 20
COMMENT_MAX_PAGES = 50

# The token is bad or expired: refresh once, then the account needs a person.
AUTH_CODES = frozenset({10008, 2190002, 2190008})
# The refresh token itself is dead: only a new authorisation helps.
REAUTHORISE_CODES = frozenset({10010, 10020})
# The app or the user lacks the capability: refreshing does not help.
PERMISSION_CODES = frozenset({10004, 2100007, 2112001, 2190003, 2190004})
# Busy / quota: worth trying again later.
TRANSIENT_CODES = frozenset({-1, 10001, 2100004, 2190001})


def _messages() -> dict[int, str]:
    return {
        10002: _("Douyin says a parameter is wrong or missing."),
        10004: _("The Douyin app lacks the permission (scope) for this; apply for it first."),
        10005: _("Douyin says a required parameter is missing."),
        10008: _("The Douyin access token is invalid or expired."),
        10010: _("The Douyin refresh token has expired; authorise the account again."),
        10020: _("The Douyin token was refreshed too often; authorise the account again."),
        2100004: _("Douyin is busy; try again shortly."),
        2100005: _("Douyin says a parameter is not valid."),
        2100007: _("Douyin refused: no permission for this operation."),
        2100009: _("Douyin has banned this account from this operation."),
        2111001: _("Douyin rejected the text: it contains sensitive words."),
        2112001: _("Douyin refused: this needs an enterprise (blue-V) account."),
        2190001: _("The Douyin API quota is used up; try again later."),
        2190002: _("The Douyin access token is invalid."),
        2190003: _("The Douyin user has not authorised this API; authorise the account again."),
        2190004: _("The Douyin app has not been granted this capability."),
        2190005: _("Douyin says the video file is too large."),
        2190006: _("Douyin videos cannot be longer than 15 minutes."),
        2190007: _("Douyin says the uploaded video id is not valid."),
        2190008: _("The Douyin access token has expired."),
        2190015: _("The Douyin access token and open_id do not belong together."),
    }


def _today_shanghai() -> date:
    return datetime.now(SHANGHAI).date()


@register
@dataclass
class DouyinConnector(Connector):
    platform: ClassVar[str] = "douyin"
    platform_label: ClassVar[str] = "Douyin"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH,
            Capability.FETCH_COMMENTS,
            Capability.REPLY,
            Capability.FETCH_POST_METRICS,
            Capability.REFRESH_TOKEN,
        }
    )
    default_base_url: ClassVar[str] = "https://open.douyin.com"
    # No verified per-API numbers (see module docstring): no entries.
    rate_limits: ClassVar[Mapping[str, RateLimit]] = {}

    today: Callable[[], date] = field(default=_today_shanghai, repr=False)

    # Plumbing ---------------------------------------------------------------------------

    def _open_id(self) -> str:
        open_id = str(self.credentials.get("open_id") or "")
        if not open_id:
            raise ConnectorError(
                _("The Douyin account has no open_id; connect it again."), code="config"
            )
        return open_id

    def _error(self, code: int, description: str, status: int) -> ConnectorError:
        text = _messages().get(code) or _("Douyin refused the request.")
        detail = f"{text} ({code}{': ' + description if description else ''})"
        if code in AUTH_CODES or (status == 401 and code == 0):
            return ConnectorError(detail, code=str(code or "auth"), auth=True)
        if code in REAUTHORISE_CODES:
            return ConnectorError(detail, code=str(code), auth=True)
        if code in PERMISSION_CODES:
            return ConnectorError(detail, code="permission")
        if code in TRANSIENT_CODES:
            return ConnectorError(detail, code=str(code), transient=True)
        return ConnectorError(detail, code=str(code))

    def _parse(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code == 429:
            retry_after = response.headers.get("Retry-After")
            raise ConnectorError(
                _("Douyin is rate limiting this account."),
                code="rate_limited",
                transient=True,
                retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
            )
        body = self.json_body(response)
        raw_data, raw_extra = body.get("data"), body.get("extra")
        data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
        extra: dict[str, Any] = raw_extra if isinstance(raw_extra, dict) else {}
        code = int(data.get("error_code") or extra.get("error_code") or 0)
        description = str(data.get("description") or extra.get("description") or "")
        if code or response.status_code >= 400:
            raise self._error(code, description, response.status_code)
        return data

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        upload: tuple[str, MediaFile] | None = None,
    ) -> dict[str, Any]:
        headers = {"access-token": str(self.credentials.get("access_token") or "")}
        query = {"open_id": self._open_id(), **(params or {})}
        url = f"{self.base_url}{path}"
        if upload is not None:
            name, media = upload
            with open(media.path, "rb") as handle:
                files = {name: (os.path.basename(media.path), handle, media.mime)}
                response = self._client.request(
                    method, url, params=query, headers=headers, files=files
                )
        else:
            response = self._client.request(method, url, params=query, headers=headers, json=json)
        return self._parse(response)

    # Token ------------------------------------------------------------------------------

    def refresh_token(self) -> Credentials:
        self.require(Capability.REFRESH_TOKEN)
        client_key = str(self.credentials.get("client_key") or "")
        refresh = str(self.credentials.get("refresh_token") or "")
        if not client_key or not refresh:
            raise ConnectorError(
                _("The Douyin account has no refresh token; connect it again."),
                code="auth",
                auth=True,
            )

        def send() -> dict[str, Any]:
            response = self._client.post(
                f"{self.base_url}/oauth/refresh_token/",
                data={
                    "client_key": client_key,
                    "grant_type": "refresh_token",
                    "refresh_token": refresh,
                },
            )
            return self._parse(response)

        data = self.call("oauth.refresh_token", send)
        access = str(data.get("access_token") or "")
        if not access:
            raise ConnectorError(
                _("Douyin returned no access token on refresh; connect the account again."),
                code="auth",
                auth=True,
            )
        new: Credentials = {**self.credentials, "access_token": access}
        if data.get("refresh_token"):
            new["refresh_token"] = str(data["refresh_token"])
        if data.get("open_id"):
            new["open_id"] = str(data["open_id"])
        if data.get("expires_in"):
            expires = datetime.now(UTC) + timedelta(seconds=int(data["expires_in"]))
            new["expires_at"] = expires.isoformat()
        return self.remember_credentials(new)

    # Publishing -------------------------------------------------------------------------

    @staticmethod
    def compose_text(request: PublishRequest) -> str:
        """Title, body, then ``#topic`` and ``@mention`` tokens, as Douyin shows them."""
        parts = [p for p in (request.title.strip(), request.body.strip()) if p]
        tags = [f"#{t.lstrip('#').strip()}" for t in request.topics if t.strip()]
        tags += [f"@{m.lstrip('@').strip()}" for m in request.mentions if m.strip()]
        text = "\n".join(parts)
        if tags:
            text = f"{text} {' '.join(tags)}".strip()
        return text

    def _upload_video(self, media: MediaFile) -> str:
        size = os.path.getsize(media.path)
        if size > SIMPLE_UPLOAD_MAX_BYTES:
            raise ConnectorError(
                _(
                    "This video is %(mb)d MB; Douyin's simple upload takes at most 128 MB and "
                    "part upload is not supported yet. Publish it by hand or shrink it."
                )
                % {"mb": size // (1024 * 1024)},
                code="too_large",
            )
        data = self.call_authed(
            "video.upload",
            lambda: self._send(
                "POST", "/api/douyin/v1/video/upload_video/", upload=("video", media)
            ),
        )
        video_id = str((data.get("video") or {}).get("video_id") or "")
        if not video_id:
            raise ConnectorError(_("Douyin returned no video id for the upload."), code="invalid")
        return video_id

    def _upload_image(self, media: MediaFile) -> str:
        data = self.call_authed(
            "image.upload",
            lambda: self._send(
                "POST", "/api/douyin/v1/video/upload_image/", upload=("image", media)
            ),
        )
        image_id = str((data.get("image") or {}).get("image_id") or "")
        if not image_id:
            raise ConnectorError(_("Douyin returned no image id for the upload."), code="invalid")
        return image_id

    def publish(self, request: PublishRequest) -> PublishResult:
        self.require(Capability.PUBLISH)
        videos = [m for m in request.media if m.kind == "video"]
        images = [m for m in request.media if m.kind == "image"]
        text = self.compose_text(request)
        if videos:
            if len(videos) > 1 or images:
                raise ConnectorError(
                    _("A Douyin video post carries exactly one video and no images."),
                    code="invalid",
                )
            video_id = self._upload_video(videos[0])
            body: dict[str, Any] = {"video_id": video_id, "text": text}
            path, api = "/api/douyin/v1/video/create_video/", "video.create"
        elif images:
            image_ids = [self._upload_image(m) for m in images]
            body = {"image_list": image_ids, "text": text}
            path, api = "/api/douyin/v1/video/create_image_text/", "image_text.create"
        else:
            raise ConnectorError(
                _("A Douyin post needs a video or at least one image."), code="invalid"
            )
        data = self.call_authed(api, self.creating(lambda: self._send("POST", path, json=body)))
        item_id = str(data.get("item_id") or "")
        if not item_id:
            raise ConnectorError(
                _("Douyin accepted the post but returned no item id; check the account."),
                code="outcome_unknown",
            )
        # Douyin reviews every post; the item id is encrypted and has no public URL form.
        return PublishResult(remote_id=item_id, url="", published_at=None)

    # Metrics ----------------------------------------------------------------------------

    def fetch_post_metrics(
        self, post_remote_ids: Sequence[str], start: date, end: date
    ) -> list[PostMetrics]:
        self.require(Capability.FETCH_POST_METRICS)
        today = self.today()
        earliest = today - timedelta(days=METRICS_WINDOW_DAYS)
        if start < earliest:
            raise ConnectorError(
                _(
                    "Douyin only reports the last 30 days (from %(earliest)s); "
                    "%(start)s is too early. Import older figures from a creator-centre export."
                )
                % {"earliest": earliest.isoformat(), "start": start.isoformat()},
                code="out_of_window",
            )
        end = min(end, today - timedelta(days=1))  # a day's data appears the next day
        if start > end:
            return []
        span = (today - start).days
        date_type = 7 if span <= 7 else 15 if span <= 15 else 30
        metrics = (
            ("views", "play"),
            ("likes", "like"),
            ("comments", "comment"),
            ("shares", "share"),
        )
        results: list[PostMetrics] = []
        for item_id in post_remote_ids:
            per_day: dict[date, dict[str, int]] = {}
            for attribute, name in metrics:

                def send(name: str = name, item_id: str = item_id) -> dict[str, Any]:
                    return self._send(
                        "GET",
                        f"/data/external/item/{name}/",
                        params={"item_id": item_id, "date_type": date_type},
                    )

                data = self.call_authed(f"data.item.{name}", send)
                for row in data.get("result_list") or []:
                    day = date.fromisoformat(str(row.get("date"))[:10])
                    if start <= day <= end:
                        per_day.setdefault(day, {})[attribute] = int(row.get(name) or 0)
            results += [
                PostMetrics(remote_id=item_id, day=day, **values)  # type: ignore[arg-type]
                for day, values in sorted(per_day.items())
            ]
        return results

    # Comments ---------------------------------------------------------------------------

    @staticmethod
    def _explain_permission(exc: ConnectorError) -> ConnectorError:
        if exc.code != "permission":
            return exc
        return ConnectorError(
            _(
                "Douyin refused comment access. Comment management needs the app's "
                "item.comment capability (reviewed by Douyin), the user's authorisation of "
                "it, and only works on the account's own videos; some operations need an "
                "enterprise (blue-V) account."
            )
            + f" ({exc.message})",
            code="permission",
        )

    def fetch_comments(
        self, post_remote_id: str, *, since: datetime | None = None
    ) -> list[RemoteComment]:
        self.require(Capability.FETCH_COMMENTS)
        comments: list[RemoteComment] = []
        cursor: Any = 0
        for _page in range(COMMENT_MAX_PAGES):

            def send(cursor: Any = cursor) -> dict[str, Any]:
                return self._send(
                    "GET",
                    "/item/comment/list/",
                    params={
                        "item_id": post_remote_id,
                        "cursor": cursor,
                        "count": COMMENT_PAGE_SIZE,
                    },
                )

            try:
                data = self.call_authed("item.comment.list", send)
            except ConnectorError as exc:
                raise self._explain_permission(exc) from exc
            for row in data.get("list") or []:
                created = datetime.fromtimestamp(int(row.get("create_time") or 0), tz=UTC)
                if since is not None and created < since:
                    continue
                comments.append(
                    RemoteComment(
                        remote_id=str(row.get("comment_id") or ""),
                        post_remote_id=post_remote_id,
                        author_id=str(row.get("comment_user_id") or ""),
                        author_name="",  # the list gives no nickname
                        text=str(row.get("content") or ""),
                        created_at=created,
                        likes=int(row.get("digg_count") or 0),
                    )
                )
            if not data.get("has_more"):
                break
            cursor = data.get("cursor")
        return comments

    def reply(self, comment: RemoteComment, text: str) -> str:
        self.require(Capability.REPLY)
        body = {
            "item_id": comment.post_remote_id,
            "comment_id": comment.remote_id,
            "content": text,
        }
        try:
            data = self.call_authed(
                "item.comment.reply",
                self.creating(lambda: self._send("POST", "/item/comment/reply/", json=body)),
            )
        except ConnectorError as exc:
            raise self._explain_permission(exc) from exc
        return str(data.get("comment_id") or "")
