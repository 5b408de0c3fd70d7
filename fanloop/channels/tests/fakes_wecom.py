"""A fake WeCom customer-contact API on pytest-httpserver, reusable by any test.

``gettoken`` checks corpid / corpsecret and hands out ``next_tokens`` in order; the
group-chat endpoints accept only ``valid_token`` (anything else gets 42001) and answer with
the documented ``{errcode, errmsg, ...}`` bodies.
"""

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from fanloop.channels.connectors.wecom import WecomConnector

CORP_ID = "ww-corp-1"
SECRET = "contact-secret"


def ok(**fields: Any) -> dict[str, Any]:
    return {"errcode": 0, "errmsg": "ok", **fields}


def error(code: int, errmsg: str = "error") -> dict[str, Any]:
    return {"errcode": code, "errmsg": errmsg}


def reply(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def figures(base: int) -> dict[str, int]:
    return {
        "new_chat_cnt": base,
        "chat_total": base * 10,
        "chat_has_msg": base,
        "new_member_cnt": base * 2,
        "member_total": base * 100,
        "member_has_msg": base * 3,
        "msg_total": base * 50,
        "migrate_trainee_chat_cnt": 0,
    }


class FakeWecom:
    def __init__(self, server: HTTPServer, *, valid_token: str = "wx.valid") -> None:
        self.server = server
        self.valid_token = valid_token
        self.next_tokens: list[str] = []
        self.sleeps: list[float] = []
        self.saved: list[dict[str, Any]] = []

    def connector(self, *, token: str | None = "", **overrides: Any) -> WecomConnector:
        credentials: dict[str, Any] = {"corp_id": CORP_ID, "secret": SECRET}
        if token is not None:
            credentials["access_token"] = token or self.valid_token
            credentials["expires_at"] = "2030-01-01T00:00:00+00:00"
        options: dict[str, Any] = {
            "credentials": credentials,
            "base_url": self.server.url_for("/").rstrip("/"),
            "sleep": self.sleeps.append,
            "on_credentials": self.saved.append,
            "now": lambda: datetime(2025, 6, 30, 4, 0, tzinfo=UTC),
        }
        options.update(overrides)
        return WecomConnector(**options)

    def expect_gettoken(self) -> None:
        def handler(request: Request) -> Response:
            assert request.args.get("corpid") == CORP_ID
            assert request.args.get("corpsecret") == SECRET
            return reply(ok(access_token=self.next_tokens.pop(0), expires_in=7200))

        self.server.expect_request("/cgi-bin/gettoken", method="GET").respond_with_handler(handler)

    def api(
        self, path: str, answer: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> list[dict[str, Any]]:
        bodies: list[dict[str, Any]] = []

        def handler(request: Request) -> Response:
            if request.args.get("access_token") != self.valid_token:
                return reply(error(42001, "access_token expired"))
            assert request.content_type.startswith("application/json")
            body = json.loads(request.get_data())
            bodies.append(body)
            return reply(ok(**answer(body)))

        self.server.expect_request(
            f"/cgi-bin/externalcontact/groupchat/{path}", method="POST"
        ).respond_with_handler(handler)
        return bodies

    def expect_list(self, pages: list[list[str]]) -> list[dict[str, Any]]:
        """Pages of chat ids; the cursor is the next page's index."""

        def answer(body: dict[str, Any]) -> dict[str, Any]:
            assert 1 <= body["limit"] <= 1000
            assert body["status_filter"] in {0, 1, 2, 3}
            index = int(body.get("cursor") or 0)
            chats = [{"chat_id": c, "status": 0} for c in pages[index]]
            next_cursor = str(index + 1) if index + 1 < len(pages) else ""
            return {"group_chat_list": chats, "next_cursor": next_cursor}

        return self.api("list", answer)

    def expect_get(self, chats: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        def answer(body: dict[str, Any]) -> dict[str, Any]:
            assert body["need_name"] == 1
            return {"group_chat": chats[body["chat_id"]]}

        return self.api("get", answer)

    def expect_statistic_by_day(self, per_day: dict[date, int]) -> list[dict[str, Any]]:
        def answer(body: dict[str, Any]) -> dict[str, Any]:
            assert body["owner_filter"]["userid_list"]
            begin, end = body["day_begin_time"], body.get("day_end_time", body["day_begin_time"])
            assert (end - begin) // 86400 < 30, "at most 30 days per query"
            items = []
            for day, base in per_day.items():
                stamp = (
                    int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) - 8 * 3600
                )
                if begin <= stamp <= end:
                    items.append({"stat_time": stamp, "data": figures(base)})
            return {"items": items}

        return self.api("statistic_group_by_day", answer)

    def expect_statistic(self, owners: dict[str, int], page_size: int = 1) -> list[dict[str, Any]]:
        def answer(body: dict[str, Any]) -> dict[str, Any]:
            assert body["day_begin_time"] == body["day_end_time"]
            wanted = [o for o in body["owner_filter"]["userid_list"] if o in owners]
            offset = body.get("offset", 0)
            page = wanted[offset : offset + page_size]
            return {
                "total": len(wanted),
                "next_offset": offset + len(page),
                "items": [{"owner": o, "data": figures(owners[o])} for o in page],
            }

        return self.api("statistic", answer)

    def answer_once(self, path: str, body: dict[str, Any], *, status: int = 200) -> None:
        self.server.expect_oneshot_request(path).respond_with_json(body, status=status)
