"""A fake WeChat Official Account API (api.weixin.qq.com) on pytest-httpserver.

``/cgi-bin/stable_token`` checks the documented JSON body (grant_type, appid, secret,
force_refresh false) and hands out ``next_tokens`` in order. Every other endpoint takes the
token as ``?access_token=`` and accepts only ``valid_token``; any other token gets the
documented 40001. Answers are the documented ``{errcode, errmsg, ...}`` bodies (success
bodies of upload and data APIs carry no errcode, as on the real platform).
"""

import json
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from fanloop.channels.connectors.wechat_oa import WechatOAConnector

APP_ID = "wx1234567890abcdef"
APP_SECRET = "app-secret"
# 2025-12-10 10:00 in Beijing: yesterday's data is ready.
NOW = datetime(2025, 12, 10, 2, 0, tzinfo=UTC)


def ok(**fields: Any) -> dict[str, Any]:
    return {"errcode": 0, "errmsg": "ok", **fields}


def error(code: int, errmsg: str = "error") -> dict[str, Any]:
    return {"errcode": code, "errmsg": f"{errmsg} rid: 6523-abc"}


def reply(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def drop_connection(request: Request) -> Response:
    """Read the request, then close the socket without answering (a cut connection)."""
    request.get_data()
    sock = request.environ["werkzeug.socket"]
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()
    return Response("")


class FakeWechatOA:
    def __init__(self, server: HTTPServer, *, valid_token: str = "wx.valid") -> None:
        self.server = server
        self.valid_token = valid_token
        self.next_tokens: list[str] = []
        self.sleeps: list[float] = []
        # Paths whose connection was cut: the server log may miss those requests.
        self.dropped: list[str] = []
        self.saved: list[dict[str, Any]] = []

    def connector(
        self,
        *,
        token: str | None = None,
        expires_at: str = "2030-01-01T00:00:00+00:00",
        **over: Any,
    ) -> WechatOAConnector:
        options: dict[str, Any] = {
            "credentials": {
                "app_id": APP_ID,
                "app_secret": APP_SECRET,
                "access_token": self.valid_token if token is None else token,
                "expires_at": expires_at,
                "author": "品牌小编",
            },
            "base_url": self.server.url_for("/").rstrip("/"),
            "sleep": self.sleeps.append,
            "on_credentials": self.saved.append,
            "now": lambda: NOW,
        }
        options.update(over)
        return WechatOAConnector(**options)

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

    # Endpoints -----------------------------------------------------------------------

    def expect_stable_token(self) -> list[dict[str, Any]]:
        bodies: list[dict[str, Any]] = []

        def handler(request: Request) -> Response:
            assert request.content_type.startswith("application/json")
            body = json.loads(request.get_data())
            bodies.append(body)
            assert body == {
                "grant_type": "client_credential",
                "appid": APP_ID,
                "secret": APP_SECRET,
                "force_refresh": False,
            }
            return reply({"access_token": self.next_tokens.pop(0), "expires_in": 7200})

        self.server.expect_request("/cgi-bin/stable_token", method="POST").respond_with_handler(
            handler
        )
        return bodies

    def _authed(self, check: Callable[[Request], dict[str, Any]]) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            if request.args.get("access_token") != self.valid_token:
                return reply(error(40001, "invalid credential, access_token is invalid"))
            return reply(check(request))

        return handler

    def api(
        self, path: str, answer: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """A JSON POST endpoint; records each body and answers ``answer(body)``."""
        bodies: list[dict[str, Any]] = []

        def check(request: Request) -> dict[str, Any]:
            assert request.content_type.startswith("application/json")
            body = json.loads(request.get_data())
            bodies.append(body)
            return answer(body)

        self.server.expect_request(path, method="POST").respond_with_handler(self._authed(check))
        return bodies

    def expect_upload(self, path: str, answers: list[dict[str, Any]]) -> list[tuple[str, bytes]]:
        """A multipart endpoint (field ``media``); records (query type, file bytes)."""
        uploads: list[tuple[str, bytes]] = []

        def check(request: Request) -> dict[str, Any]:
            assert request.content_type.startswith("multipart/form-data")
            assert "media" in request.files, "the multipart field is named media"
            uploads.append((request.args.get("type", ""), request.files["media"].read()))
            return answers.pop(0)

        self.server.expect_request(path, method="POST").respond_with_handler(self._authed(check))
        return uploads

    def expect_publish_flow(
        self, *, publish_id: str = "2247483655", msg_data_id: str = "2247483656"
    ):
        """Cover, body images, draft and submit answering as documented."""
        covers = self.expect_upload(
            "/cgi-bin/material/add_material", [{"media_id": "thumb-1", "url": "http://mmbiz/c"}]
        )
        images = self.expect_upload(
            "/cgi-bin/media/uploadimg",
            [{"url": "http://mmbiz.qpic.cn/a", "errcode": 0}, {"url": "http://mmbiz.qpic.cn/b"}],
        )
        drafts = self.api("/cgi-bin/draft/add", lambda body: {"media_id": "draft-1"})
        submits = self.api(
            "/cgi-bin/freepublish/submit",
            lambda body: ok(publish_id=publish_id, msg_data_id=msg_data_id),
        )
        return covers, images, drafts, submits

    def answer_once(self, path: str, body: dict[str, Any], *, status: int = 200) -> None:
        self.server.expect_oneshot_request(path).respond_with_json(body, status=status)

    def drop_once(self, path: str) -> None:
        def handler(request: Request) -> Response:
            self.dropped.append(request.path)
            return drop_connection(request)

        self.server.expect_oneshot_request(path).respond_with_handler(handler)
