"""WeCom (企业微信, qyapi.weixin.qq.com) customer-group connector.

Sources (developer.work.weixin.qq.com/document/path/...):

- ``GET /cgi-bin/gettoken?corpid&corpsecret`` -> {errcode, access_token, expires_in 7200};
  the secret is the customer-contact secret or a self-built app's secret allowed to call
  customer contact. Every other call takes ``?access_token=``.
- 92120 客户群列表: ``POST /cgi-bin/externalcontact/groupchat/list`` {status_filter,
  owner_filter.userid_list (<= 100), cursor, limit 1..1000} -> group_chat_list[{chat_id,
  status}], next_cursor. Without owner_filter WeCom answers 81017 when more than 1000
  members are in the app's visible range.
- 92122 客户群详情: ``POST /cgi-bin/externalcontact/groupchat/get`` {chat_id, need_name: 1}
  -> group_chat{chat_id, name, owner, create_time, notice, member_list[{userid, type,
  join_time, join_scene, invitor{userid}, group_nickname, name, unionid}], admin_list}.
- 92133 群聊数据统计: ``POST /cgi-bin/externalcontact/groupchat/statistic`` (by owner) and
  ``.../statistic_group_by_day`` (by day): day_begin_time / day_end_time are 00:00 of a day,
  from yesterday back to 180 days; at most 30 days per query; owner_filter.userid_list
  <= 100; statistic pages with offset / limit (<= 1000) -> items[{owner | stat_time,
  data{new_chat_cnt, chat_total, chat_has_msg, new_member_cnt, member_total,
  member_has_msg, msg_total, migrate_trainee_chat_cnt}}].
- Global codes: -1 busy, 40014 / 42001 / 41001 token invalid / expired / missing, 40001 /
  40013 bad secret / corp id, 45009 / 45033 frequency / concurrency limit, 48002 API not
  allowed, 60011 no privilege, 81017 owner filter needed, 84061 no relationship with the
  external contact.

Capabilities: only REFRESH_TOKEN in the base interface. Group messages to customer groups
need a member to confirm each one in the WeCom client (群发助手), so PUBLISH is not declared;
the group methods below (list_group_chats, get_group_chat, group_statistics) are what the
community features build on. WeCom's frequency limits are per corp / per app and we could not
verify their numbers, so ``rate_limits`` is empty; 45009 / 45033 are retried as transient.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import httpx
from django.utils.translation import gettext as _

from fanloop.channels.connectors.base import (
    Capability,
    Connector,
    ConnectorError,
    Credentials,
    RateLimit,
    register,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
LIST_LIMIT = 1000
OWNERS_PER_CALL = 100
STATS_SPAN_DAYS = 30
STATS_HISTORY_DAYS = 180

AUTH_CODES = frozenset({40014, 41001, 42001})
SECRET_CODES = frozenset({40001, 40013, 40091})
TRANSIENT_CODES = frozenset({-1, 45009, 45033})
STAT_FIELDS = (
    "new_chat_cnt",
    "chat_total",
    "chat_has_msg",
    "new_member_cnt",
    "member_total",
    "member_has_msg",
    "msg_total",
    "migrate_trainee_chat_cnt",
)


def _messages() -> dict[int, str]:
    return {
        -1: _("WeCom is busy; try again shortly."),
        40001: _("WeCom rejected the secret; check the customer-contact secret."),
        40013: _("WeCom rejected the corp id."),
        40014: _("The WeCom access token is not valid."),
        41001: _("The WeCom access token is missing."),
        42001: _("The WeCom access token has expired."),
        45009: _("WeCom's call frequency limit is reached."),
        45033: _("WeCom's concurrent call limit is reached."),
        48002: _("This WeCom app may not call this API; allow it under customer contact."),
        60011: _(
            "The WeCom app has no privilege here: the group owner must be in the app's "
            "visible range and the app needs customer-contact permission."
        ),
        81017: _("WeCom needs a list of group owners here (the app sees more than 1000 people)."),
        84061: _("WeCom says there is no relationship with this external contact."),
    }


def _now() -> datetime:
    return datetime.now(UTC)


def _day_start(day: date) -> int:
    return int(datetime.combine(day, time(0, 0), tzinfo=SHANGHAI).timestamp())


def _from_ts(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


@dataclass(frozen=True)
class GroupMember:
    userid: str
    type: int  # 1 = WeCom member, 2 = external contact
    join_time: datetime | None
    join_scene: int  # 1 invited, 2 invite link, 3 group QR code
    invitor: str = ""
    group_nickname: str = ""
    name: str = ""
    unionid: str = ""

    @property
    def is_external(self) -> bool:
        return self.type == 2


@dataclass(frozen=True)
class GroupChat:
    chat_id: str
    name: str
    owner: str
    create_time: datetime | None
    notice: str
    members: tuple[GroupMember, ...]
    admins: tuple[str, ...]


@dataclass(frozen=True)
class GroupDayStats:
    """One day's customer-group figures; ``owner`` is "" when summed over the owners asked."""

    day: date
    owner: str
    new_chat_cnt: int = 0
    chat_total: int = 0
    chat_has_msg: int = 0
    new_member_cnt: int = 0
    member_total: int = 0
    member_has_msg: int = 0
    msg_total: int = 0
    migrate_trainee_chat_cnt: int = 0


def _chunks(values: Sequence[str], size: int) -> Iterator[list[str]]:
    for index in range(0, len(values), size):
        yield list(values[index : index + size])


@register
@dataclass
class WecomConnector(Connector):
    platform: ClassVar[str] = "wecom"
    platform_label: ClassVar[str] = "WeCom"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.REFRESH_TOKEN})
    default_base_url: ClassVar[str] = "https://qyapi.weixin.qq.com"
    # Not verified (see module docstring): no entries.
    rate_limits: ClassVar[Mapping[str, RateLimit]] = {}

    now: Callable[[], datetime] = field(default=_now, repr=False)

    # Plumbing ---------------------------------------------------------------------------

    def _error(self, code: int, errmsg: str) -> ConnectorError:
        text = _messages().get(code) or _("WeCom refused the request.")
        detail = f"{text} ({code}{': ' + errmsg if errmsg else ''})"
        if code in AUTH_CODES or code in SECRET_CODES:
            return ConnectorError(detail, code=str(code), auth=True)
        if code in (45009, 45033):
            return ConnectorError(detail, code="rate_limited", transient=True)
        if code in TRANSIENT_CODES:
            return ConnectorError(detail, code=str(code), transient=True)
        return ConnectorError(detail, code=str(code))

    def _parse(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code == 429:
            retry_after = response.headers.get("Retry-After")
            raise ConnectorError(
                _("WeCom is rate limiting this app."),
                code="rate_limited",
                transient=True,
                retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
            )
        body = self.json_body(response)
        code = int(body.get("errcode") or 0)
        if code or response.status_code >= 400:
            raise self._error(code or -1, str(body.get("errmsg") or ""))
        return body

    def _token_fresh(self) -> bool:
        if not self.credentials.get("access_token"):
            return False
        expires = self.credentials.get("expires_at")
        if not expires:
            return True
        try:
            moment = datetime.fromisoformat(str(expires))
        except ValueError:
            return True
        return moment > self.now() + timedelta(seconds=60)

    def _post(self, api: str, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """A JSON POST with the token; ONE token refresh and retry when WeCom rejects it."""

        def send() -> dict[str, Any]:
            token = str(self.credentials.get("access_token") or "")
            response = self._client.post(
                f"{self.base_url}{path}", params={"access_token": token}, json=dict(body)
            )
            return self._parse(response)

        if not self._token_fresh():
            self.refresh_token()
        try:
            result: dict[str, Any] = self.call(api, send)
            return result
        except ConnectorError as exc:
            if not exc.auth:
                raise
        self.refresh_token()
        try:
            result = self.call(api, send)
            return result
        except ConnectorError as exc:
            if exc.auth:
                raise ConnectorError(
                    _(
                        "WeCom still rejects the token after fetching a new one; check the "
                        "corp id and secret."
                    )
                    + f" ({exc.message})",
                    code=exc.code,
                    auth=True,
                ) from exc
            raise

    # Token ------------------------------------------------------------------------------

    def refresh_token(self) -> Credentials:
        self.require(Capability.REFRESH_TOKEN)
        corp_id = str(self.credentials.get("corp_id") or "")
        secret = str(self.credentials.get("secret") or "")
        if not corp_id or not secret:
            raise ConnectorError(
                _("The WeCom account needs its corp id and secret."), code="config", auth=True
            )

        def send() -> dict[str, Any]:
            response = self._client.get(
                f"{self.base_url}/cgi-bin/gettoken",
                params={"corpid": corp_id, "corpsecret": secret},
            )
            return self._parse(response)

        data = self.call("gettoken", send)
        token = str(data.get("access_token") or "")
        if not token:
            raise ConnectorError(_("WeCom returned no access token."), code="auth", auth=True)
        expires = self.now() + timedelta(seconds=int(data.get("expires_in") or 7200))
        new: Credentials = {
            **self.credentials,
            "access_token": token,
            "expires_at": expires.isoformat(),
        }
        return self.remember_credentials(new)

    # Customer groups --------------------------------------------------------------------

    def list_group_chats(self, *, owners: Sequence[str] = (), status_filter: int = 0) -> list[str]:
        """Every customer group's chat id (all pages; owners in batches of 100)."""
        batches: list[list[str]] = list(_chunks(list(owners), OWNERS_PER_CALL)) or [[]]
        chat_ids: list[str] = []
        for batch in batches:
            cursor = ""
            while True:
                body: dict[str, Any] = {"status_filter": status_filter, "limit": LIST_LIMIT}
                if batch:
                    body["owner_filter"] = {"userid_list": batch}
                if cursor:
                    body["cursor"] = cursor
                data = self._post("groupchat.list", "/cgi-bin/externalcontact/groupchat/list", body)
                for row in data.get("group_chat_list") or []:
                    chat_id = str(row.get("chat_id") or "")
                    if chat_id and chat_id not in chat_ids:
                        chat_ids.append(chat_id)
                cursor = str(data.get("next_cursor") or "")
                if not cursor:
                    break
        return chat_ids

    def get_group_chat(self, chat_id: str) -> GroupChat:
        data = self._post(
            "groupchat.get",
            "/cgi-bin/externalcontact/groupchat/get",
            {"chat_id": chat_id, "need_name": 1},
        )
        chat = data.get("group_chat") or {}
        members = tuple(
            GroupMember(
                userid=str(m.get("userid") or ""),
                type=int(m.get("type") or 0),
                join_time=_from_ts(m.get("join_time")),
                join_scene=int(m.get("join_scene") or 0),
                invitor=str((m.get("invitor") or {}).get("userid") or ""),
                group_nickname=str(m.get("group_nickname") or ""),
                name=str(m.get("name") or ""),
                unionid=str(m.get("unionid") or ""),
            )
            for m in chat.get("member_list") or []
        )
        return GroupChat(
            chat_id=str(chat.get("chat_id") or chat_id),
            name=str(chat.get("name") or ""),
            owner=str(chat.get("owner") or ""),
            create_time=_from_ts(chat.get("create_time")),
            notice=str(chat.get("notice") or ""),
            members=members,
            admins=tuple(str(a.get("userid") or "") for a in chat.get("admin_list") or []),
        )

    def _check_range(self, day_begin: date, day_end: date, owners: Sequence[str]) -> None:
        today = self.now().astimezone(SHANGHAI).date()
        earliest = today - timedelta(days=STATS_HISTORY_DAYS)
        if not owners:
            raise ConnectorError(
                _("Name the group owners whose statistics you want; WeCom requires them."),
                code="invalid",
            )
        if day_begin > day_end:
            raise ConnectorError(_("The first day comes after the last day."), code="invalid")
        if day_end >= today:
            raise ConnectorError(
                _("WeCom group statistics end yesterday (%(day)s); today is not available yet.")
                % {"day": (today - timedelta(days=1)).isoformat()},
                code="out_of_window",
            )
        if day_begin < earliest:
            raise ConnectorError(
                _("WeCom keeps group statistics for 180 days (from %(day)s).")
                % {"day": earliest.isoformat()},
                code="out_of_window",
            )

    @staticmethod
    def _figures(data: Mapping[str, Any]) -> dict[str, int]:
        return {name: int(data.get(name) or 0) for name in STAT_FIELDS}

    def group_statistics(
        self, day_begin: date, day_end: date, owners: Sequence[str], *, per_owner: bool = False
    ) -> list[GroupDayStats]:
        """Daily figures for the owners' customer groups.

        ``per_owner=False``: one row per day, summed over the owners (``statistic_group_by_day``).
        ``per_owner=True``: one row per day and owner (``statistic``, one day per query).
        Ranges longer than WeCom's 30 days and owner lists over 100 are split here.
        """
        self._check_range(day_begin, day_end, owners)
        owner_list = list(dict.fromkeys(owners))
        if per_owner:
            return self._stats_per_owner(day_begin, day_end, owner_list)
        totals: dict[date, dict[str, int]] = {}
        window_start = day_begin
        while window_start <= day_end:
            window_end = min(day_end, window_start + timedelta(days=STATS_SPAN_DAYS - 1))
            for batch in _chunks(owner_list, OWNERS_PER_CALL):
                data = self._post(
                    "groupchat.statistic_group_by_day",
                    "/cgi-bin/externalcontact/groupchat/statistic_group_by_day",
                    {
                        "day_begin_time": _day_start(window_start),
                        "day_end_time": _day_start(window_end),
                        "owner_filter": {"userid_list": batch},
                    },
                )
                for item in data.get("items") or []:
                    day = datetime.fromtimestamp(int(item.get("stat_time") or 0), SHANGHAI).date()
                    figures = self._figures(item.get("data") or {})
                    current = totals.setdefault(day, dict.fromkeys(STAT_FIELDS, 0))
                    for name, value in figures.items():
                        current[name] += value
            window_start = window_end + timedelta(days=1)
        return [
            GroupDayStats(day=day, owner="", **figures) for day, figures in sorted(totals.items())
        ]

    def _stats_per_owner(
        self, day_begin: date, day_end: date, owners: list[str]
    ) -> list[GroupDayStats]:
        rows: list[GroupDayStats] = []
        day = day_begin
        while day <= day_end:
            for batch in _chunks(owners, OWNERS_PER_CALL):
                offset = 0
                while True:
                    data = self._post(
                        "groupchat.statistic",
                        "/cgi-bin/externalcontact/groupchat/statistic",
                        {
                            "day_begin_time": _day_start(day),
                            "day_end_time": _day_start(day),
                            "owner_filter": {"userid_list": batch},
                            "order_by": 2,
                            "order_asc": 0,
                            "offset": offset,
                            "limit": LIST_LIMIT,
                        },
                    )
                    items = data.get("items") or []
                    for item in items:
                        rows.append(
                            GroupDayStats(
                                day=day,
                                owner=str(item.get("owner") or ""),
                                **self._figures(item.get("data") or {}),
                            )
                        )
                    offset = int(data.get("next_offset") or offset + len(items))
                    if not items or offset >= int(data.get("total") or 0):
                        break
            day += timedelta(days=1)
        return rows
