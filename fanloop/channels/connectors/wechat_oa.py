"""WeChat Official Account (微信公众号, api.weixin.qq.com) connector.

Sources (developers.weixin.qq.com/doc/service|subscription/..., looked up, not guessed):

- Token: ``POST /cgi-bin/stable_token`` {grant_type: client_credential, appid, secret,
  force_refresh} -> {access_token, expires_in <= 7200}. Preferred over ``GET /cgi-bin/token``:
  the two are isolated, and in normal mode (force_refresh false) a repeated call returns the
  SAME token while it is valid (a new one only in its last 5 minutes, old and new both valid
  for those 5 minutes). So several workers, or the brand's own backend, refreshing at once
  never invalidate each other's token, which ``/cgi-bin/token`` does. Force-refresh mode
  kills the current token for every holder and is limited to 20 a day, so it is never used.
  Limits: 10,000 calls a minute, 500,000 a day. Every other call takes ``?access_token=``.
- Global codes: -1 busy; 40001 token invalid (on a token call: AppSecret wrong); 40014 /
  42001 / 41001 token invalid / expired / missing; 40013 AppID, 40125 AppSecret invalid, 40243
  AppSecret frozen; 40164 caller IP not in the account's IP whitelist (the errmsg names the
  IP); 45009 daily quota of this API reached; 48001 API not authorised for the account
  (unverified and personal accounts lack publishing, comments and data APIs).
- Quotas (API_Call_Limits, defaults for new accounts, per account per day, shown and
  clearable in the MP console): draft/add 1000, freepublish/submit 100, freepublish/get 100.
  45009 resets with the day; WeChat does not state the hour, we assume 00:00 Beijing time
  (verified accounts may clear a quota, 10 times a month, by hand or ``clear_quota``; we do
  not spend those automatically).
- Publishing: cover via ``material/add_material?type=image`` (permanent, <= 10 MB,
  bmp/png/jpeg/jpg/gif; ``thumb`` is JPG <= 64 KB, too small) -> media_id for
  thumb_media_id; body images via ``media/uploadimg`` (jpg/png, < 1 MB) -> url (external
  image URLs are filtered out of articles); ``draft/add`` {articles: [{title <= 32 chars,
  author <= 16, content (HTML, < 20,000 chars, < 1 MB, JS stripped), content_source_url
  (<= 1 KB), thumb_media_id, need_open_comment, only_fans_can_comment}]} -> media_id;
  ``freepublish/submit`` {media_id} -> publish_id, msg_data_id (errors 53503 failed the
  publish check, 53504 / 53505 must be used / saved in the MP console first). Submission
  only starts the job, so ``publish`` returns ``pending``; ``freepublish/get`` {publish_id}
  -> publish_status 0 success (article_id, article_detail.item[{idx, article_url}]), 1
  publishing, 2 original-claim failed, 3 normal failure, 4 rejected by review, 5 every
  article deleted by the user, 6 every article blocked by the platform; fail_idx lists the
  failing articles.
- Comments (verified accounts only): ``comment/list`` {msg_data_id, index (from 0), begin,
  count (>= 50 is refused), type 0} -> comment[{user_comment_id, create_time, content,
  comment_type, openid}], total; ``comment/reply/add`` {msg_data_id, index,
  user_comment_id, content}; 88000 no comment privilege, 88001 article gone, 88008 comment
  gone. Only ``msg_data_id`` works here (WeChat staff: article_id cannot be used).
- Data (verified accounts): ``getarticlesummary`` / ``getarticletotal`` are marked "stopped
  maintenance" and (WeChat staff in the developer community) only cover mass-sent (群发)
  articles, not freepublish ones. So the successors are used: ``datacube/getarticleread``
  (detail.read_user) and ``datacube/getarticleshare`` (detail.share_user), one day per
  query, data from 2025-11-01, rows keyed by msgid "<msg_data_id>_<idx>" (idx from 1); they
  report people (人数), not counts. ``getusersummary`` (new_user / cancel_user per
  user_source) and ``getusercumulate`` (cumulate_user) take at most 7 days per query.
  Yesterday's data is ready after 08:00 Beijing time; the end date may be at most yesterday.

Identifiers: a pending publish is "<publish_id>:<msg_data_id>" (freepublish/get does not
return msg_data_id, so it rides along); a published article is "<msg_data_id>_<idx>", the
form the data APIs use and the comment APIs can be driven from (should WeChat return no
msg_data_id, the article_id is used and comments and data are unavailable for that post).
Articles are published with comments open (need_open_comment 1) so fans can answer.

Not declared: LOOKUP (no API finds an article by our key: drafts and publications carry no
client reference, so an interrupted submit ends in "needs check"). Topics and mentions are
not sent: article tags are an editor feature outside draft/add, and "#x#" would show as
literal text.
"""

import html
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
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
    RemoteComment,
    register,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TITLE_MAX = 32
AUTHOR_MAX = 16
CONTENT_MAX_CHARS = 20_000
CONTENT_MAX_BYTES = 1024 * 1024
SOURCE_URL_MAX_BYTES = 1024
COVER_MAX_BYTES = 10 * 1024 * 1024
COVER_MIMES = frozenset({"image/bmp", "image/png", "image/jpeg", "image/gif"})
INLINE_MAX_BYTES = 1024 * 1024
INLINE_MIMES = frozenset({"image/png", "image/jpeg"})
COMMENT_PAGE_SIZE = 49
COMMENT_MAX_PAGES = 100
DATA_READY_HOUR = 8
ARTICLE_DATA_SINCE = date(2025, 11, 1)
USER_DATA_SPAN_DAYS = 7
TOKEN_MARGIN = timedelta(minutes=5)
POST_ID = re.compile(r"^(\d+)_(\d+)$")

TOKEN_CODES = frozenset({40001, 40014, 41001, 42001})
SECRET_CODES = frozenset({40001, 40013, 40125, 40243, 41002, 41004})
PERMISSION_CODES = frozenset({48001, 88000})


def _messages() -> dict[int, str]:
    return {
        -1: _("WeChat is busy; try again shortly."),
        40001: _("The WeChat access token is invalid or not the latest."),
        40005: _("WeChat does not accept this file type."),
        40007: _("WeChat says the media id is not valid."),
        40009: _("WeChat says the image is too large."),
        40013: _("WeChat rejected the AppID; check it in the account settings."),
        40014: _("The WeChat access token is not valid."),
        40125: _("WeChat rejected the AppSecret; check it in the account settings."),
        40164: _(
            "WeChat refused the call because this server's IP is not on the account's IP "
            "whitelist. An admin must add the IP named below under MP console > Settings and "
            "development > Basic configuration > IP whitelist."
        ),
        40243: _("The WeChat AppSecret is frozen; unfreeze it in the MP console."),
        41001: _("The WeChat access token is missing."),
        42001: _("The WeChat access token has expired."),
        45001: _("WeChat says the media file is too large."),
        45002: _("WeChat says the content is too long."),
        45003: _("WeChat says the title is too long."),
        45009: _("The account's daily WeChat quota for this API is used up."),
        48001: _(
            "WeChat has not authorised this API for the account (unverified and personal "
            "accounts cannot publish, manage comments or read data through the API)."
        ),
        53503: _("The draft failed WeChat's publish check; review it in the MP console."),
        53504: _("WeChat wants this draft used from the MP console."),
        53505: _("WeChat wants this draft saved by hand in the MP console before publishing."),
        88000: _("The WeChat account has no comment privilege for this article."),
        88001: _("WeChat says this article does not exist."),
        88008: _("WeChat says this comment does not exist."),
    }


def _now() -> datetime:
    return datetime.now(UTC)


def _day_chunks(start: date, end: date, span: int) -> Iterator[tuple[date, date]]:
    while start <= end:
        chunk_end = min(end, start + timedelta(days=span - 1))
        yield start, chunk_end
        start = chunk_end + timedelta(days=1)


def body_html(body: str) -> str:
    """Plain text as escaped paragraphs: blank lines split paragraphs, newlines break lines."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", body.strip()) if b.strip()]
    return "".join(
        "<p>" + "<br/>".join(html.escape(line) for line in block.splitlines()) + "</p>"
        for block in blocks
    )


def parse_post_id(post_remote_id: str) -> tuple[int, int]:
    """Split a published article's id "<msg_data_id>_<idx>" (idx counts from 1)."""
    match = POST_ID.match(post_remote_id.strip())
    if not match or int(match.group(2)) < 1:
        raise ConnectorError(
            _(
                "This WeChat post id (%(id)s) is not of the form <msg_data_id>_<idx>; only "
                "articles published through Fanloop can be read here."
            )
            % {"id": post_remote_id},
            code="invalid",
        )
    return int(match.group(1)), int(match.group(2))


@register
@dataclass
class WechatOAConnector(Connector):
    platform: ClassVar[str] = "wechat_oa"
    platform_label: ClassVar[str] = "WeChat Official Account"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH,
            Capability.PUBLISH_STATUS,
            Capability.FETCH_COMMENTS,
            Capability.REPLY,
            Capability.FETCH_POST_METRICS,
            Capability.FETCH_ACCOUNT_METRICS,
            Capability.REFRESH_TOKEN,
        }
    )
    default_base_url: ClassVar[str] = "https://api.weixin.qq.com"
    rate_limits: ClassVar[Mapping[str, RateLimit]] = {
        # API_Call_Limits (default daily quotas per account; see the module docstring).
        "draft.add": RateLimit(calls=1000, seconds=86400),
        "freepublish.submit": RateLimit(calls=100, seconds=86400),
        "freepublish.get": RateLimit(calls=100, seconds=86400),
        "stable_token": RateLimit(calls=10000, seconds=60),
    }

    now: Callable[[], datetime] = field(default=_now, repr=False)

    # Plumbing ---------------------------------------------------------------------------

    def _seconds_to_next_day(self) -> float:
        local = self.now().astimezone(SHANGHAI)
        midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=SHANGHAI)
        return max((midnight - local).total_seconds(), 1.0)

    def _error(self, code: int, errmsg: str, *, token_call: bool = False) -> ConnectorError:
        text = _messages().get(code) or _("WeChat refused the request.")
        if token_call and code == 40001:
            text = _("WeChat rejected the AppSecret while issuing a token; check it.")
        detail = f"{text} ({code}{': ' + errmsg if errmsg else ''})"
        if token_call and code in SECRET_CODES:
            return ConnectorError(detail, code="credentials", auth=True)
        if code in TOKEN_CODES:
            return ConnectorError(detail, code=str(code), auth=True)
        if code in SECRET_CODES:
            return ConnectorError(detail, code="credentials", auth=True)
        if code == 40164:
            return ConnectorError(detail, code="ip_not_whitelisted")
        if code == 45009:
            return ConnectorError(
                detail,
                code="quota_exhausted",
                transient=True,
                retry_after=self._seconds_to_next_day(),
            )
        if code == -1:
            return ConnectorError(detail, code="busy", transient=True)
        if code in PERMISSION_CODES:
            return ConnectorError(detail, code="permission")
        return ConnectorError(detail, code=str(code))

    def _parse(self, response: httpx.Response, *, token_call: bool = False) -> dict[str, Any]:
        body = self.json_body(response)
        code = int(body.get("errcode") or 0)
        if code or response.status_code >= 400:
            raise self._error(code or -1, str(body.get("errmsg") or ""), token_call=token_call)
        return body

    def auth_is_refreshable(self, error: ConnectorError) -> bool:
        return error.auth and error.code != "credentials"

    def _ensure_token(self) -> None:
        expires = self.credentials.get("expires_at")
        try:
            moment = datetime.fromisoformat(str(expires)) if expires else None
        except ValueError:
            moment = None
        if not self.credentials.get("access_token") or (
            moment is not None and moment <= self.now() + TOKEN_MARGIN
        ):
            self.refresh_token()

    def _api(
        self,
        api: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        upload: MediaFile | None = None,
        creates: bool = False,
    ) -> dict[str, Any]:
        """A POST with the current token; one refresh and retry when WeChat rejects it."""

        def send() -> dict[str, Any]:
            query = {"access_token": str(self.credentials.get("access_token") or "")}
            query.update(params or {})
            url = f"{self.base_url}{path}"
            if upload is not None:
                with open(upload.path, "rb") as handle:
                    files = {"media": (os.path.basename(upload.path), handle, upload.mime)}
                    response = self._client.post(url, params=query, files=files)
            else:
                response = self._client.post(url, params=query, json=json)
            return self._parse(response)

        self._ensure_token()
        result: dict[str, Any] = self.call_authed(api, self.creating(send) if creates else send)
        return result

    # Token ------------------------------------------------------------------------------

    def refresh_token(self) -> Credentials:
        self.require(Capability.REFRESH_TOKEN)
        app_id = str(self.credentials.get("app_id") or "")
        secret = str(self.credentials.get("app_secret") or "")
        if not app_id or not secret:
            raise ConnectorError(
                _("The WeChat account needs its AppID and AppSecret."), code="config", auth=True
            )

        def send() -> dict[str, Any]:
            body = {
                "grant_type": "client_credential",
                "appid": app_id,
                "secret": secret,
                "force_refresh": False,
            }
            response = self._client.post(f"{self.base_url}/cgi-bin/stable_token", json=body)
            return self._parse(response, token_call=True)

        data = self.call("stable_token", send)
        token = str(data.get("access_token") or "")
        if not token:
            raise ConnectorError(_("WeChat returned no access token."), code="auth", auth=True)
        expires = self.now() + timedelta(seconds=int(data.get("expires_in") or 7200))
        new: Credentials = {
            **self.credentials,
            "access_token": token,
            "expires_at": expires.isoformat(),
        }
        return self.remember_credentials(new)

    # Publishing -------------------------------------------------------------------------

    def _check_request(self, request: PublishRequest) -> MediaFile:
        """The article's cover once everything WeChat would refuse has been ruled out."""

        def refuse(message: str) -> ConnectorError:
            return ConnectorError(message, code="invalid")

        title = request.title.strip()
        if not title or len(title) > TITLE_MAX:
            raise refuse(_("A WeChat article needs a title of 1 to 32 characters."))
        if len(str(self.credentials.get("author") or "")) > AUTHOR_MAX:
            raise refuse(_("WeChat allows an author name of at most 16 characters."))
        cover = request.cover
        if cover is None:
            raise refuse(_("WeChat requires a cover image for every article; add one."))
        if cover.mime not in COVER_MIMES or os.path.getsize(cover.path) > COVER_MAX_BYTES:
            raise refuse(_("The WeChat cover must be a JPEG, PNG, GIF or BMP of at most 10 MB."))
        for media in request.media:
            if media.kind != "image":
                raise refuse(_("Only images can be placed in a WeChat article by Fanloop."))
            if media.mime not in INLINE_MIMES or os.path.getsize(media.path) >= INLINE_MAX_BYTES:
                raise refuse(_("Images in a WeChat article must be JPEG or PNG under 1 MB."))
        if len(request.link.encode()) > SOURCE_URL_MAX_BYTES:
            raise refuse(_("WeChat's 'read more' link may be at most 1 KB."))
        if not request.body.strip() and not request.media:
            raise refuse(_("A WeChat article needs body text or images."))
        self._check_content(body_html(request.body))
        return cover

    @staticmethod
    def _check_content(content: str) -> None:
        if len(content) >= CONTENT_MAX_CHARS or len(content.encode()) >= CONTENT_MAX_BYTES:
            raise ConnectorError(
                _("WeChat article content must stay under 20,000 characters and 1 MB."),
                code="invalid",
            )

    def publish(self, request: PublishRequest) -> PublishResult:
        self.require(Capability.PUBLISH)
        cover_file = self._check_request(request)
        cover = self._api(
            "material.add",
            "/cgi-bin/material/add_material",
            params={"type": "image"},
            upload=cover_file,
        )
        thumb_media_id = str(cover.get("media_id") or "")
        if not thumb_media_id:
            raise ConnectorError(_("WeChat returned no media id for the cover."), code="invalid")
        content = body_html(request.body)
        for media in request.media:
            uploaded = self._api("media.uploadimg", "/cgi-bin/media/uploadimg", upload=media)
            url = str(uploaded.get("url") or "")
            if not url:
                raise ConnectorError(_("WeChat returned no URL for an image."), code="invalid")
            content += f'<p><img src="{html.escape(url, quote=True)}"/></p>'
        self._check_content(content)
        article = {
            "article_type": "news",
            "title": request.title.strip(),
            "author": str(self.credentials.get("author") or ""),
            "content": content,
            "content_source_url": request.link,
            "thumb_media_id": thumb_media_id,
            "need_open_comment": 1,
            "only_fans_can_comment": 0,
        }
        draft = self._api("draft.add", "/cgi-bin/draft/add", json={"articles": [article]})
        media_id = str(draft.get("media_id") or "")
        if not media_id:
            raise ConnectorError(_("WeChat returned no draft media id."), code="invalid")
        submitted = self._api(
            "freepublish.submit",
            "/cgi-bin/freepublish/submit",
            json={"media_id": media_id},
            creates=True,
        )
        publish_id = str(submitted.get("publish_id") or "")
        if not publish_id:
            raise ConnectorError(
                _("WeChat accepted the submission but returned no publish id; check the account."),
                code="outcome_unknown",
            )
        msg_data_id = str(submitted.get("msg_data_id") or "")
        remote_id = f"{publish_id}:{msg_data_id}" if msg_data_id else publish_id
        return PublishResult(remote_id=remote_id, url="", pending=True)

    def publish_status(self, remote_id: str) -> PublishResult:
        self.require(Capability.PUBLISH_STATUS)
        publish_id, _sep, msg_data_id = remote_id.partition(":")
        data = self._api(
            "freepublish.get", "/cgi-bin/freepublish/get", json={"publish_id": publish_id}
        )
        status = int(data.get("publish_status", -1))
        if status == 1:
            return PublishResult(remote_id=remote_id, url="", pending=True)
        if status == 0:
            items = (data.get("article_detail") or {}).get("item") or [{}]
            first = items[0]
            idx = int(first.get("idx") or 1)
            article_id = str(data.get("article_id") or "")
            remote = f"{msg_data_id}_{idx}" if msg_data_id else article_id
            return PublishResult(remote_id=remote, url=str(first.get("article_url") or ""))
        fail_idx = ", ".join(str(i) for i in data.get("fail_idx") or []) or "-"
        code, reason = {
            2: ("publish_original_failed", _("the originality (原创) claim failed")),
            3: ("publish_failed", _("publishing failed")),
            4: ("publish_rejected", _("WeChat's review rejected it")),
            5: ("publish_deleted", _("the user deleted every article after publishing")),
            6: ("publish_blocked", _("WeChat blocked every article after publishing")),
        }.get(status, ("publish_unknown", _("WeChat reported an unknown status")))
        raise ConnectorError(
            _(
                "The WeChat publication did not go through: %(reason)s (status %(status)s, "
                "failing articles: %(idx)s)."
            )
            % {"reason": reason, "status": status, "idx": fail_idx},
            code=code,
        )

    # Comments ---------------------------------------------------------------------------

    def fetch_comments(
        self, post_remote_id: str, *, since: datetime | None = None
    ) -> list[RemoteComment]:
        self.require(Capability.FETCH_COMMENTS)
        msg_data_id, idx = parse_post_id(post_remote_id)
        comments: list[RemoteComment] = []
        begin = 0
        for _page in range(COMMENT_MAX_PAGES):
            body = {
                "msg_data_id": msg_data_id,
                "index": idx - 1,
                "begin": begin,
                "count": COMMENT_PAGE_SIZE,
                "type": 0,
            }
            data = self._api("comment.list", "/cgi-bin/comment/list", json=body)
            rows = data.get("comment") or []
            for row in rows:
                created = datetime.fromtimestamp(int(row.get("create_time") or 0), tz=UTC)
                if since is not None and created < since:
                    continue
                comments.append(
                    RemoteComment(
                        remote_id=str(row.get("user_comment_id") or ""),
                        post_remote_id=post_remote_id,
                        author_id=str(row.get("openid") or ""),
                        author_name="",  # the list gives no nickname
                        text=str(row.get("content") or ""),
                        created_at=created,
                    )
                )
            begin += len(rows)
            if len(rows) < COMMENT_PAGE_SIZE:
                break
        return comments

    def reply(self, comment: RemoteComment, text: str) -> str:
        self.require(Capability.REPLY)
        msg_data_id, idx = parse_post_id(comment.post_remote_id)
        body = {
            "msg_data_id": msg_data_id,
            "index": idx - 1,
            "user_comment_id": int(comment.remote_id),
            "content": text,
        }
        self._api("comment.reply", "/cgi-bin/comment/reply/add", json=body, creates=True)
        return ""  # WeChat gives a reply no id of its own

    # Data -------------------------------------------------------------------------------

    def _last_ready_day(self) -> date:
        """Yesterday once WeChat has processed it (after 08:00 Beijing), else the day before."""
        local = self.now().astimezone(SHANGHAI)
        back = 1 if local.hour >= DATA_READY_HOUR else 2
        return local.date() - timedelta(days=back)

    def _datacube(self, name: str, start: date, end: date) -> list[dict[str, Any]]:
        data = self._api(
            f"datacube.{name}",
            f"/datacube/{name}",
            json={"begin_date": start.isoformat(), "end_date": end.isoformat()},
        )
        return [row for row in data.get("list") or [] if isinstance(row, dict)]

    def fetch_post_metrics(
        self, post_remote_ids: Sequence[str], start: date, end: date
    ) -> list[PostMetrics]:
        self.require(Capability.FETCH_POST_METRICS)
        wanted = {f"{m}_{i}" for m, i in (parse_post_id(p) for p in post_remote_ids)}
        if not wanted:
            return []
        if start < ARTICLE_DATA_SINCE:
            raise ConnectorError(
                _("WeChat keeps article data from %(day)s on; %(start)s is too early.")
                % {"day": ARTICLE_DATA_SINCE.isoformat(), "start": start.isoformat()},
                code="out_of_window",
            )
        end = min(end, self._last_ready_day())  # today never; yesterday only after 08:00
        rows: dict[tuple[str, date], dict[str, int]] = {}
        for day, _same in _day_chunks(start, end, 1):
            for name, source, target in (
                ("getarticleread", "read_user", "views"),
                ("getarticleshare", "share_user", "shares"),
            ):
                for row in self._datacube(name, day, day):
                    msgid = str(row.get("msgid") or "")
                    if msgid in wanted:
                        value = int((row.get("detail") or {}).get(source) or 0)
                        rows.setdefault((msgid, day), {})[target] = value
        return [
            PostMetrics(remote_id=msgid, day=day, **values)  # type: ignore[arg-type]
            for (msgid, day), values in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        ]

    def fetch_account_metrics(self, start: date, end: date) -> list[AccountMetrics]:
        self.require(Capability.FETCH_ACCOUNT_METRICS)
        end = min(end, self._last_ready_day())
        gained: dict[date, int] = {}
        lost: dict[date, int] = {}
        totals: dict[date, int] = {}
        for chunk_start, chunk_end in _day_chunks(start, end, USER_DATA_SPAN_DAYS):
            for row in self._datacube("getusersummary", chunk_start, chunk_end):
                day = date.fromisoformat(str(row.get("ref_date")))
                gained[day] = gained.get(day, 0) + int(row.get("new_user") or 0)
                lost[day] = lost.get(day, 0) + int(row.get("cancel_user") or 0)
            for row in self._datacube("getusercumulate", chunk_start, chunk_end):
                day = date.fromisoformat(str(row.get("ref_date")))
                totals[day] = int(row.get("cumulate_user") or 0)
        return [
            AccountMetrics(
                day=day,
                followers_total=totals.get(day),
                followers_gained=gained.get(day, 0),
                followers_lost=lost.get(day, 0),
            )
            for day in sorted(set(gained) | set(totals))
        ]
