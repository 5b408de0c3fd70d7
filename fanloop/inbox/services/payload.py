"""The JSON shape messages arrive in, by webhook or JSON file, turned into
:class:`IncomingMessage`. One shape for both, documented on the settings page::

    {"messages": [{"platform": "weibo", "id": "c-1", "kind": "comment", "text": "…",
                   "author": {"id": "u-1", "nickname": "小王", "vip": false},
                   "sent_at": "2026-11-23T10:00:00+08:00", "parent_id": "", "post_id": "p-1",
                   "account_id": 12, "direction": "inbound", "media": []}]}
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from fanloop.channels.models import ChannelAccount
from fanloop.core.models import Workspace
from fanloop.inbox.services.ingest import IncomingMessage


class PayloadError(ValueError):
    pass


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise PayloadError(_("“%(key)s” must be text") % {"key": key})
    return str(value).strip()


def parse_time(value: str) -> datetime:
    if not value:
        raise PayloadError(_("the time (sent_at) is missing"))
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise PayloadError(
            _("“%(value)s” is not an ISO 8601 time with a time zone") % {"value": value}
        ) from error
    if parsed.tzinfo is None:
        raise PayloadError(_("the time “%(value)s” has no time zone") % {"value": value})
    return parsed


def message_from(
    workspace: Workspace, item: Any, accounts: dict[int, ChannelAccount]
) -> IncomingMessage:
    if not isinstance(item, Mapping):
        raise PayloadError(_("each message must be a JSON object"))
    author = item.get("author") or {}
    if not isinstance(author, Mapping):
        raise PayloadError(_("“author” must be an object with id and nickname"))
    account = None
    if item.get("account_id") not in (None, ""):
        try:
            account = accounts.get(int(item["account_id"]))
        except (TypeError, ValueError):
            account = None
        if account is None:
            raise PayloadError(
                _("account %(id)s is not an account of this workspace") % {"id": item["account_id"]}
            )
    media = item.get("media") or []
    if not isinstance(media, list):
        raise PayloadError(_("“media” must be a list"))
    vip = author.get("vip")
    return IncomingMessage(
        platform=_text(item, "platform") or (account.platform if account else ""),
        remote_id=_text(item, "id"),
        kind=_text(item, "kind") or "comment",
        text=_text(item, "text"),
        author_id=_text(author, "id"),
        author_name=_text(author, "nickname"),
        sent_at=parse_time(_text(item, "sent_at")),
        account=account,
        parent_remote_id=_text(item, "parent_id"),
        post_remote_id=_text(item, "post_id"),
        media=media,
        direction=_text(item, "direction") or "inbound",
        is_vip=bool(vip) if vip is not None else None,
    )


def accounts_of(workspace: Workspace) -> dict[int, ChannelAccount]:
    return {a.pk: a for a in ChannelAccount.objects.filter(workspace=workspace)}
