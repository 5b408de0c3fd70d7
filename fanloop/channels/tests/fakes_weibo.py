"""A fake Weibo open API (api.weibo.com/2) on pytest-httpserver, reusable by any test.

Every endpoint takes ``access_token`` (query for GET, form for POST) and accepts only
``valid_token``; any other token gets the documented 21327 expired_token envelope
``{request, error_code, error}``. Writes check the documented form fields (``status`` /
``rip`` / optional multipart ``pic`` for share; ``cid`` / ``id`` / ``comment`` for reply).
"""

import json
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from fanloop.channels.connectors.weibo import WeiboConnector

UID = "1904178193"
RIP = "203.0.113.7"
NOW = datetime(2025, 12, 10, 2, 20, tzinfo=UTC)  # 40 minutes before the next full hour


def error(code: int, message: str = "error", request: str = "/2/statuses/share.json") -> dict:
    return {"request": request, "error_code": code, "error": message}


def reply(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def drop_connection(request: Request) -> Response:
    """Read the request, then close the socket without answering (a cut connection)."""
    request.get_data()
    sock = request.environ["werkzeug.socket"]
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()
    return Response("")


def status(status_id: str, text: str = "") -> dict[str, Any]:
    return {
        "created_at": "Wed Dec 10 10:20:00 +0800 2025",
        "id": int(status_id),
        "mid": status_id,
        "idstr": status_id,
        "text": text,
        "user": {"id": int(UID), "idstr": UID, "screen_name": "品牌官方"},
    }


def comment(cid: int, created_at: str = "Tue Dec 09 12:00:00 +0800 2025") -> dict[str, Any]:
    return {
        "created_at": created_at,
        "id": cid,
        "idstr": str(cid),
        "text": f"评论{cid}",
        "user": {"id": 100 + cid, "idstr": str(100 + cid), "screen_name": f"粉丝{cid}"},
    }


class FakeWeibo:
    def __init__(self, server: HTTPServer, *, valid_token: str = "2.00valid") -> None:
        self.server = server
        self.valid_token = valid_token
        self.sleeps: list[float] = []
        # Paths whose connection was cut: the server log may miss those requests.
        self.dropped: list[str] = []

    def connector(self, *, token: str | None = None, **over: Any) -> WeiboConnector:
        credentials: dict[str, Any] = {
            "access_token": self.valid_token if token is None else token,
            "uid": UID,
            "expires_at": "2030-01-01T00:00:00+00:00",
            "app_key": "123456789",
            "rip": RIP,
            "safe_domain": "shop.example.com",
        }
        credentials.update(over.pop("credentials", {}))
        options: dict[str, Any] = {
            "credentials": credentials,
            "base_url": self.server.url_for("/2").rstrip("/"),
            "sleep": self.sleeps.append,
            "now": lambda: NOW,
        }
        options.update(over)
        return WeiboConnector(**options)

    def settle(self, timeout: float = 2.0) -> None:
        """Wait (bounded) until cut connections reach the server log: the server thread logs
        them after the client already gave up, and a late entry would leak into the next test."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            logged = [r.path for r, _ in self.server.log]
            if all(logged.count(p) >= self.dropped.count(p) for p in self.dropped):
                return
            time.sleep(0.01)

    def calls(self, path: str) -> list[Request]:
        return [r for r, _ in self.server.log if r.path == path]

    def _handler(
        self, method: str, answer: Callable[[Request, dict[str, str]], Any]
    ) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            fields = dict(request.args if method == "GET" else request.form)
            if method == "POST":
                assert "access_token" not in request.args, "POST sends the token in the form"
            if fields.get("access_token") != self.valid_token:
                return reply(error(21327, "expired_token", request.path), status=401)
            return reply(answer(request, fields))

        return handler

    def expect(self, path: str, method: str, answer: Callable[[Request, dict[str, str]], Any]):
        self.server.expect_request(f"/2{path}", method=method).respond_with_handler(
            self._handler(method, answer)
        )

    def expect_share(self, status_id: str = "5242000000000001") -> list[dict[str, Any]]:
        shares: list[dict[str, Any]] = []

        def answer(request: Request, fields: dict[str, str]) -> Any:
            assert fields["rip"] == RIP
            picture = request.files.get("pic")
            shares.append(
                {
                    "status": fields["status"],
                    "pic": picture.read() if picture else None,
                    "multipart": request.content_type.startswith("multipart/form-data"),
                }
            )
            return status(status_id, fields["status"])

        self.expect("/statuses/share.json", "POST", answer)
        return shares

    def expect_comment_pages(self, pages: list[list[dict[str, Any]]], total: int):
        queries: list[dict[str, str]] = []

        def answer(request: Request, fields: dict[str, str]) -> Any:
            queries.append(fields)
            page = int(fields["page"])
            rows = pages[page - 1] if page <= len(pages) else []
            return {"comments": rows, "total_number": total, "next_cursor": 0}

        self.expect("/comments/show.json", "GET", answer)
        return queries

    def expect_reply(self, new_id: str = "4990000000000009") -> list[dict[str, str]]:
        bodies: list[dict[str, str]] = []

        def answer(request: Request, fields: dict[str, str]) -> Any:
            bodies.append(fields)
            return {**comment(int(new_id)), "text": fields["comment"]}

        self.expect("/comments/reply.json", "POST", answer)
        return bodies

    def expect_counts(self, counts: dict[str, tuple[int, int, int]]) -> list[list[str]]:
        """``{id: (comments, reposts, attitudes)}``; unknown ids are left out, as documented."""
        batches: list[list[str]] = []

        def answer(request: Request, fields: dict[str, str]) -> Any:
            ids = fields["ids"].split(",")
            assert len(ids) <= 100, "statuses/count takes at most 100 ids"
            batches.append(ids)
            return [
                {"id": int(i), "comments": c, "reposts": r, "attitudes": a}
                for i in ids
                if i in counts
                for c, r, a in [counts[i]]
            ]

        self.expect("/statuses/count.json", "GET", answer)
        return batches

    def answer_once(self, path: str, body: Any, *, status: int = 200) -> None:
        self.server.expect_oneshot_request(f"/2{path}").respond_with_json(body, status=status)

    def drop_once(self, path: str) -> None:
        def handler(request: Request) -> Response:
            self.dropped.append(request.path)
            return drop_connection(request)

        self.server.expect_oneshot_request(f"/2{path}").respond_with_handler(handler)
