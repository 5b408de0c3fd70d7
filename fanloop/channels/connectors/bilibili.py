"""Bilibili open platform (哔哩哔哩开放平台, member.bilibili.com/arcopen/fn) connector.

Sources (open.bilibili.com/doc/4/..., cross-checked with public clients of the same API):

- Signing ("接口签名实现标准"): every ``member.bilibili.com`` call carries ``x-bili-accesskeyid``
  (client_id), ``x-bili-content-md5`` (MD5 of the JSON body; of "" for GET and multipart),
  ``x-bili-signature-method`` HMAC-SHA256, ``x-bili-signature-nonce``,
  ``x-bili-signature-version`` 2.0, ``x-bili-timestamp`` (seconds, 10 min skew allowed);
  ``Authorization`` is the hex HMAC-SHA256 (key: client_secret) of those six headers sorted,
  ``name:value`` joined by newlines; the user token goes in ``access-token``.
- Token refresh: ``POST https://api.bilibili.com/x/account-oauth2/v1/refresh_token`` (form:
  client_id, client_secret, grant_type=refresh_token, refresh_token) -> ``data.access_token``,
  ``refresh_token`` (single use) and ``expires_in`` (an absolute Unix time).
- Video submission ("服务端视频稿件投递"): ``POST /arcopen/fn/archive/video/init`` {name,
  utype: "1" single file <= 100 MB, "0" chunked} -> ``upload_token``; small file
  ``POST https://openupos.bilivideo.com/video/v2/upload?upload_token=`` (raw bytes), or 8 MB
  chunks to ``/video/v2/part/upload?upload_token&part_number`` (from 1, serial) then
  ``POST /arcopen/fn/archive/video/complete?upload_token=``; cover ``POST
  /arcopen/fn/archive/cover/upload`` (multipart ``file``, jpeg/png <= 5 MB) -> ``data.url``;
  ``POST /arcopen/fn/archive/add-by-utoken?upload_token=`` {title < 80, cover, tid, no_reprint,
  desc <= 250, tag (comma separated, <= 200 in total), copyright 1|2, source} ->
  ``data.resource_id`` (the BV id). Submissions go through Bilibili's review.
- Data (scope ARC_DATA / USER_DATA): ``GET /arcopen/fn/data/arc/stat?resource_id=`` ->
  cumulative {ptime, view, danmaku, reply, favorite, coin, share, like};
  ``GET /arcopen/fn/data/user/stat`` -> {follower, following, arc_passed_total}.
- Codes ("状态码"): 127001 access_token wrong -> refresh; 122007 refresh token invalid;
  127009 / 127306 request limits, 123015 / 123026 / 123029 submission limits; 4010 / 4011 /
  122009 / 122010 / 123002 / 123023 / 123028 platform busy; 127007 / 127011 / 127304 /
  127305 / 123001 permissions; 1230xx content rejections.

Not verified (so not relied on): whether the openupos upload host also wants the signed
headers (the upload_token authorises it, and that is all we send); the numeric request
quotas (Bilibili does not publish them: the only documented number is "wait 30 s between
submissions", code 123026, kept as ``archive.add`` below). Comments are not in the open
platform, so FETCH_COMMENTS / REPLY are not declared; neither is LOOKUP (an interrupted
publish after ``add-by-utoken`` was sent goes to "needs check").

The partition ``tid`` has no sensible default: set ``tid`` in the account's credentials
(from ``/arcopen/fn/archive/type/list``).
"""

import hashlib
import hmac
import json
import os
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import httpx
from django.utils.translation import gettext as _

from fanloop.channels.connectors.base import (
    AccountMetrics,
    Capability,
    Connector,
    ConnectorError,
    Credentials,
    MediaFile,
    PostMetrics,
    PublishRequest,
    PublishResult,
    RateLimit,
    register,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TITLE_MAX = 80
DESC_MAX = 250
TAGS_MAX = 200

AUTH_CODES = frozenset({127001})
REAUTHORISE_CODES = frozenset({122007, 127000})
PERMISSION_CODES = frozenset({123001, 127005, 127006, 127007, 127010, 127011, 127304, 127305})
CONFIG_CODES = frozenset({122000, 122001, 127002, 127004, 4001, 4002, 4005, 4006})
RATE_CODES = {127009: None, 127306: None, 123015: None, 123026: 30.0, 123029: None}
BUSY_CODES = {
    -500: None,
    4010: None,
    4011: None,
    122009: None,
    122010: None,
    123002: None,
    123023: None,
    123028: 10.0,
}


def _messages() -> dict[int, str]:
    return {
        4000: _("Bilibili says a parameter is missing or wrong."),
        4003: _("Bilibili says the request expired; check the server clock."),
        122007: _("The Bilibili refresh token is not valid; authorise the account again."),
        127000: _(
            "Bilibili says authentication parameters are missing; connect the account again."
        ),
        127001: _("The Bilibili access token was rejected."),
        127002: _("Bilibili rejected the request signature; check the client secret."),
        127004: _("Bilibili rejected the client id."),
        127007: _("The Bilibili app has no permission for this API."),
        127009: _("Bilibili's request limit for this API is reached."),
        127011: _("The Bilibili user has not authorised this API."),
        127306: _("Bilibili says requests are too frequent."),
        123004: _("Bilibili says this video does not exist."),
        123009: _("Bilibili says the partition (tid) does not exist."),
        123012: _("Bilibili rejected the tags."),
        123013: _("Bilibili rejected the title."),
        123014: _("Bilibili rejected the description."),
        123015: _("Bilibili refuses the same title twice in a short time."),
        123024: _("Bilibili found sensitive content in the text; please revise it."),
        123026: _("Bilibili asks to wait 30 seconds between submissions."),
        123028: _("Bilibili is still processing the video; try again in 10 seconds."),
        123029: _("The account reached Bilibili's submission limit."),
        123030: _("The Bilibili title is longer than 80 characters."),
        123038: _("Bilibili does not accept this cover format (use JPEG or PNG)."),
    }


def _today_shanghai() -> date:
    return datetime.now(SHANGHAI).date()


@register
@dataclass
class BilibiliConnector(Connector):
    platform: ClassVar[str] = "bilibili"
    platform_label: ClassVar[str] = "Bilibili"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH,
            Capability.FETCH_POST_METRICS,
            Capability.FETCH_ACCOUNT_METRICS,
            Capability.REFRESH_TOKEN,
        }
    )
    default_base_url: ClassVar[str] = "https://member.bilibili.com"
    default_upload_url: ClassVar[str] = "https://openupos.bilivideo.com"
    default_oauth_url: ClassVar[str] = "https://api.bilibili.com"
    rate_limits: ClassVar[Mapping[str, RateLimit]] = {
        # "您投稿的频率过快，请稍等30秒" (code 123026): one submission per 30 s. No other
        # numeric quota is published.
        "archive.add": RateLimit(calls=1, seconds=30),
    }

    today: Callable[[], date] = field(default=_today_shanghai, repr=False)
    small_file_max_bytes: int = 100 * 1024 * 1024
    chunk_bytes: int = 8 * 1024 * 1024

    def _hosts(self) -> tuple[str, str]:
        """Upload and OAuth hosts; an overridden base URL (fake server, proxy) serves all."""
        if self.base_url != self.default_base_url:
            return self.base_url, self.base_url
        return self.default_upload_url, self.default_oauth_url

    # Signing and parsing ----------------------------------------------------------------

    def signed_headers(self, body: bytes) -> dict[str, str]:
        signed = {
            "x-bili-accesskeyid": str(self.credentials.get("client_id") or ""),
            "x-bili-content-md5": hashlib.md5(body).hexdigest(),  # noqa: S324 (the platform's choice)
            "x-bili-signature-method": "HMAC-SHA256",
            "x-bili-signature-nonce": uuid.uuid4().hex,
            "x-bili-signature-version": "2.0",
            "x-bili-timestamp": str(int(time.time())),
        }
        payload = "\n".join(f"{key}:{signed[key]}" for key in sorted(signed))
        secret = str(self.credentials.get("client_secret") or "").encode()
        signature = hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()
        return {
            **signed,
            "Authorization": signature,
            "Accept": "application/json",
            "access-token": str(self.credentials.get("access_token") or ""),
        }

    def _error(self, code: int, message: str) -> ConnectorError:
        text = _messages().get(code) or _("Bilibili refused the request.")
        detail = f"{text} ({code}{': ' + message if message else ''})"
        if code in AUTH_CODES:
            return ConnectorError(detail, code=str(code), auth=True)
        if code in REAUTHORISE_CODES:
            return ConnectorError(detail, code=str(code), auth=True)
        if code in RATE_CODES:
            return ConnectorError(
                detail, code="rate_limited", transient=True, retry_after=RATE_CODES[code]
            )
        if code in BUSY_CODES:
            return ConnectorError(
                detail, code=str(code), transient=True, retry_after=BUSY_CODES[code]
            )
        if code in PERMISSION_CODES:
            return ConnectorError(detail, code="permission")
        if code in CONFIG_CODES:
            return ConnectorError(detail, code="config")
        return ConnectorError(detail, code=str(code))

    def _parse(self, response: httpx.Response) -> Any:
        if response.status_code == 429:
            retry_after = response.headers.get("Retry-After")
            raise ConnectorError(
                _("Bilibili is rate limiting this account."),
                code="rate_limited",
                transient=True,
                retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
            )
        body = self.json_body(response)
        try:
            code = int(body.get("code", 0 if response.status_code < 400 else -1))
        except (TypeError, ValueError):
            code = -1
        if response.status_code == 401 and code in (0, -1):
            code = 127001
        if code != 0:
            raise self._error(code, str(body.get("message") or ""))
        return body.get("data")

    def _member(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        upload: tuple[str, MediaFile] | None = None,
    ) -> Any:
        url = f"{self.base_url}{path}"
        if upload is not None:
            name, media = upload
            with open(media.path, "rb") as handle:
                files = {name: (os.path.basename(media.path), handle, media.mime)}
                response = self._client.request(
                    method, url, params=params, headers=self.signed_headers(b""), files=files
                )
        elif json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            headers = {**self.signed_headers(body), "Content-Type": "application/json"}
            response = self._client.request(
                method, url, params=params, headers=headers, content=body
            )
        else:
            headers = {**self.signed_headers(b""), "Content-Type": "application/json"}
            response = self._client.request(method, url, params=params, headers=headers)
        return self._parse(response)

    def auth_is_refreshable(self, error: ConnectorError) -> bool:
        # Only 127001 (access token expired) is cured by a refresh.
        return error.code == "127001"

    # Token ------------------------------------------------------------------------------

    def refresh_token(self) -> Credentials:
        self.require(Capability.REFRESH_TOKEN)
        creds = self.credentials
        if not (
            creds.get("client_id") and creds.get("client_secret") and creds.get("refresh_token")
        ):
            raise ConnectorError(
                _("The Bilibili account has no refresh token; connect it again."),
                code="auth",
                auth=True,
            )
        _upload, oauth = self._hosts()

        def send() -> Any:
            response = self._client.post(
                f"{oauth}/x/account-oauth2/v1/refresh_token",
                data={
                    "client_id": str(creds["client_id"]),
                    "client_secret": str(creds["client_secret"]),
                    "grant_type": "refresh_token",
                    "refresh_token": str(creds["refresh_token"]),
                },
            )
            return self._parse(response)

        data = self.call("oauth.refresh_token", send) or {}
        access = str(data.get("access_token") or "")
        if not access:
            raise ConnectorError(
                _("Bilibili returned no access token on refresh; connect the account again."),
                code="auth",
                auth=True,
            )
        new: Credentials = {**creds, "access_token": access}
        if data.get("refresh_token"):
            new["refresh_token"] = str(data["refresh_token"])
        if data.get("expires_in"):
            # Bilibili's expires_in is an absolute Unix time, not a duration.
            new["expires_at"] = datetime.fromtimestamp(int(data["expires_in"]), tz=UTC).isoformat()
        return self.remember_credentials(new)

    # Publishing -------------------------------------------------------------------------

    @staticmethod
    def tag_string(topics: Sequence[str]) -> str:
        tags: list[str] = []
        for topic in topics:
            tag = topic.strip().lstrip("#").replace(",", " ").strip()
            if tag and tag not in tags:
                tags.append(tag)
        return ",".join(tags)

    def _validate(self, request: PublishRequest) -> tuple[MediaFile, str, int]:
        videos = [m for m in request.media if m.kind == "video"]
        if len(videos) != 1:
            raise ConnectorError(
                _(
                    "A Bilibili submission carries exactly one video (this one has %(n)d); "
                    "image posts are not offered by the open platform."
                )
                % {"n": len(videos)},
                code="invalid",
            )
        title = request.title.strip()
        if not title or len(title) >= TITLE_MAX:
            raise ConnectorError(
                _("Bilibili titles need 1 to 79 characters; this one has %(n)d.")
                % {"n": len(title)},
                code="invalid",
            )
        if len(request.body) > DESC_MAX:
            raise ConnectorError(
                _("Bilibili descriptions take at most 250 characters; this one has %(n)d.")
                % {"n": len(request.body)},
                code="invalid",
            )
        tags = self.tag_string(request.topics)
        if len(tags) > TAGS_MAX:
            raise ConnectorError(
                _("Bilibili tags take at most 200 characters together; these have %(n)d.")
                % {"n": len(tags)},
                code="invalid",
            )
        try:
            tid = int(self.credentials.get("tid") or 0)
        except (TypeError, ValueError):
            tid = 0
        if tid <= 0:
            raise ConnectorError(
                _(
                    "Set the Bilibili partition (tid) in the account's credentials before "
                    "publishing; Bilibili requires one for every video."
                ),
                code="config",
            )
        return videos[0], tags, tid

    def _upload_video(self, media: MediaFile) -> str:
        size = os.path.getsize(media.path)
        small = size <= self.small_file_max_bytes
        name = os.path.basename(media.path)
        data = (
            self.call_authed(
                "archive.video.init",
                lambda: self._member(
                    "POST",
                    "/arcopen/fn/archive/video/init",
                    json_body={"name": name, "utype": "1" if small else "0"},
                ),
            )
            or {}
        )
        token = str(data.get("upload_token") or "")
        if not token:
            raise ConnectorError(_("Bilibili returned no upload token."), code="invalid")
        upload_host, _oauth = self._hosts()
        headers = {"Content-Type": "application/octet-stream"}
        if small:
            with open(media.path, "rb") as handle:
                content = handle.read()
            self.call(
                "video.upload",
                lambda: self._parse(
                    self._client.post(
                        f"{upload_host}/video/v2/upload",
                        params={"upload_token": token},
                        content=content,
                        headers=headers,
                    )
                ),
            )
            return token
        with open(media.path, "rb") as handle:
            part = 0
            while chunk := handle.read(self.chunk_bytes):
                part += 1

                def send(chunk: bytes = chunk, part: int = part) -> Any:
                    return self._parse(
                        self._client.post(
                            f"{upload_host}/video/v2/part/upload",
                            params={"upload_token": token, "part_number": part},
                            content=chunk,
                            headers=headers,
                        )
                    )

                self.call("video.part_upload", send)
        self.call_authed(
            "archive.video.complete",
            lambda: self._member(
                "POST", "/arcopen/fn/archive/video/complete", params={"upload_token": token}
            ),
        )
        return token

    def _upload_cover(self, cover: MediaFile) -> str:
        data = (
            self.call_authed(
                "archive.cover.upload",
                lambda: self._member(
                    "POST", "/arcopen/fn/archive/cover/upload", upload=("file", cover)
                ),
            )
            or {}
        )
        return str(data.get("url") or "")

    def publish(self, request: PublishRequest) -> PublishResult:
        self.require(Capability.PUBLISH)
        video, tags, tid = self._validate(request)
        token = self._upload_video(video)
        cover_file = request.cover or next((m for m in request.media if m.kind == "image"), None)
        cover = self._upload_cover(cover_file) if cover_file is not None else ""
        archive = {
            "title": request.title.strip(),
            "cover": cover,
            "tid": tid,
            "no_reprint": 1,
            "desc": request.body,
            "tag": tags,
            "copyright": 1,
        }
        data = (
            self.call_authed(
                "archive.add",
                self.creating(
                    lambda: self._member(
                        "POST",
                        "/arcopen/fn/archive/add-by-utoken",
                        params={"upload_token": token},
                        json_body=archive,
                    )
                ),
            )
            or {}
        )
        bvid = str(data.get("resource_id") or "")
        if not bvid:
            raise ConnectorError(
                _("Bilibili accepted the submission but returned no video id; check the account."),
                code="outcome_unknown",
            )
        # Accepted for review; it becomes public once Bilibili approves it.
        return PublishResult(remote_id=bvid, url=f"https://www.bilibili.com/video/{bvid}")

    # Data -------------------------------------------------------------------------------

    def fetch_post_metrics(
        self, post_remote_ids: Sequence[str], start: date, end: date
    ) -> list[PostMetrics]:
        """Bilibili gives running totals only: one cumulative snapshot per video, dated
        today (the caller turns successive snapshots into daily increments)."""
        self.require(Capability.FETCH_POST_METRICS)
        today = self.today()
        rows: list[PostMetrics] = []
        for bvid in post_remote_ids:

            def send(bvid: str = bvid) -> Any:
                return self._member(
                    "GET", "/arcopen/fn/data/arc/stat", params={"resource_id": bvid}
                )

            data = self.call_authed("data.arc.stat", send) or {}
            rows.append(
                PostMetrics(
                    remote_id=bvid,
                    day=today,
                    views=int(data.get("view") or 0),
                    likes=int(data.get("like") or 0),
                    comments=int(data.get("reply") or 0),
                    shares=int(data.get("share") or 0),
                    favourites=int(data.get("favorite") or 0),
                    cumulative=True,
                )
            )
        return rows

    def fetch_account_metrics(self, start: date, end: date) -> list[AccountMetrics]:
        """Today's follower total (Bilibili's user stat has no history)."""
        self.require(Capability.FETCH_ACCOUNT_METRICS)
        data = (
            self.call_authed(
                "data.user.stat", lambda: self._member("GET", "/arcopen/fn/data/user/stat")
            )
            or {}
        )
        return [AccountMetrics(day=self.today(), followers_total=int(data.get("follower") or 0))]
