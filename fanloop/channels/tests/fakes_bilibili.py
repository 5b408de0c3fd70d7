"""A fake Bilibili open platform on pytest-httpserver, reusable by any test.

Member endpoints check the v2.0 signature (the six ``x-bili-*`` headers, the MD5 of the JSON
body, the HMAC-SHA256 ``Authorization``) and the ``access-token`` header; any token but
``valid_token`` gets the documented 127001. Answers use ``{code, message, ttl, data}``.
"""

import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from fanloop.channels.connectors.bilibili import BilibiliConnector

CLIENT_ID = "bili-client-1"
CLIENT_SECRET = "bili-secret"
SIGNED = (
    "x-bili-accesskeyid",
    "x-bili-content-md5",
    "x-bili-signature-method",
    "x-bili-signature-nonce",
    "x-bili-signature-version",
    "x-bili-timestamp",
)


def ok(data: Any = None) -> dict[str, Any]:
    return {"code": 0, "message": "0", "ttl": 1, "data": data}


def error(code: int, message: str = "error") -> dict[str, Any]:
    return {"code": code, "message": message, "ttl": 1, "request_id": "req-1"}


def reply(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def check_signature(request: Request, *, json_body: bool) -> None:
    headers = {name: request.headers.get(name, "") for name in SIGNED}
    assert headers["x-bili-accesskeyid"] == CLIENT_ID
    assert headers["x-bili-signature-method"] == "HMAC-SHA256"
    assert headers["x-bili-signature-version"] == "2.0"
    assert headers["x-bili-timestamp"].isdigit()
    assert headers["x-bili-signature-nonce"]
    body = request.get_data() if json_body else b""
    assert headers["x-bili-content-md5"] == hashlib.md5(body).hexdigest()
    payload = "\n".join(f"{name}:{headers[name]}" for name in SIGNED)
    expected = hmac.new(CLIENT_SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
    assert request.headers.get("Authorization") == expected, "bad signature"
    assert request.headers.get("Accept") == "application/json"


class FakeBilibili:
    def __init__(self, server: HTTPServer, *, valid_token: str = "bili.valid") -> None:
        self.server = server
        self.valid_token = valid_token
        self.next_tokens: list[str] = []
        self.sleeps: list[float] = []
        self.saved: list[dict[str, Any]] = []

    def connector(self, *, token: str | None = None, **overrides: Any) -> BilibiliConnector:
        options: dict[str, Any] = {
            "credentials": {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "access_token": token or self.valid_token,
                "refresh_token": "bili.refresh",
                "expires_at": "2030-01-01T00:00:00+00:00",
                "tid": 21,
            },
            "base_url": self.server.url_for("/").rstrip("/"),
            "sleep": self.sleeps.append,
            "on_credentials": self.saved.append,
        }
        options.update(overrides)
        return BilibiliConnector(**options)

    def member(
        self,
        path: str,
        method: str,
        answer: Callable[[Request], Any],
        *,
        json_body: bool = False,
    ) -> list[Request]:
        seen: list[Request] = []

        def handler(request: Request) -> Response:
            check_signature(request, json_body=json_body)
            if request.headers.get("access-token") != self.valid_token:
                return reply(error(127001, "access_token验证错误"))
            if json_body:
                assert request.content_type == "application/json"
            seen.append(request)
            return reply(ok(answer(request)))

        self.server.expect_request(path, method=method).respond_with_handler(handler)
        return seen

    # Endpoints -----------------------------------------------------------------------

    def expect_refresh(self) -> None:
        def handler(request: Request) -> Response:
            assert request.form.get("client_id") == CLIENT_ID
            assert request.form.get("client_secret") == CLIENT_SECRET
            assert request.form.get("grant_type") == "refresh_token"
            assert request.form.get("refresh_token")
            token = self.next_tokens.pop(0)
            return reply(
                ok(
                    {
                        "access_token": token,
                        "refresh_token": f"refresh.after.{token}",
                        "expires_in": 1893456000,
                        "scopes": ["ARC_BASE", "ARC_DATA", "USER_DATA"],
                    }
                )
            )

        self.server.expect_request(
            "/x/account-oauth2/v1/refresh_token", method="POST"
        ).respond_with_handler(handler)

    def expect_init(self, token: str = "upload-token-1") -> list[Request]:
        def answer(request: Request) -> dict[str, Any]:
            body = json.loads(request.get_data())
            assert body["name"]
            assert body["utype"] in {"0", "1"}
            return {"upload_token": token}

        return self.member("/arcopen/fn/archive/video/init", "POST", answer, json_body=True)

    def expect_small_upload(self) -> list[bytes]:
        uploads: list[bytes] = []

        def handler(request: Request) -> Response:
            assert request.args.get("upload_token")
            uploads.append(request.get_data())
            return reply(ok(None))

        self.server.expect_request("/video/v2/upload", method="POST").respond_with_handler(handler)
        return uploads

    def expect_part_upload(self) -> list[tuple[int, bytes]]:
        parts: list[tuple[int, bytes]] = []

        def handler(request: Request) -> Response:
            assert request.args.get("upload_token")
            number = int(request.args["part_number"])
            parts.append((number, request.get_data()))
            return reply(ok({"etag": f"etag-{number}"}))

        self.server.expect_request("/video/v2/part/upload", method="POST").respond_with_handler(
            handler
        )
        return parts

    def expect_complete(self) -> list[Request]:
        def answer(request: Request) -> None:
            assert request.args.get("upload_token")

        return self.member("/arcopen/fn/archive/video/complete", "POST", answer)

    def expect_cover(self, url: str = "https://archive.biliimg.com/bfs/cover.png") -> list[Request]:
        def answer(request: Request) -> dict[str, Any]:
            assert "file" in request.files, "the multipart field is named file"
            return {"url": url}

        return self.member("/arcopen/fn/archive/cover/upload", "POST", answer)

    def expect_add(self, bvid: str = "BV17B4y1s7R1") -> list[dict[str, Any]]:
        bodies: list[dict[str, Any]] = []

        def answer(request: Request) -> dict[str, Any]:
            assert request.args.get("upload_token")
            bodies.append(json.loads(request.get_data()))
            return {"resource_id": bvid}

        self.member("/arcopen/fn/archive/add-by-utoken", "POST", answer, json_body=True)
        return bodies

    def expect_arc_stat(self, stats: dict[str, dict[str, int]]) -> list[Request]:
        def answer(request: Request) -> dict[str, Any]:
            return {"title": "t", "ptime": 1719700000, **stats[request.args["resource_id"]]}

        return self.member("/arcopen/fn/data/arc/stat", "GET", answer)

    def expect_user_stat(self, follower: int) -> list[Request]:
        return self.member(
            "/arcopen/fn/data/user/stat",
            "GET",
            lambda request: {"follower": follower, "following": 3, "arc_passed_total": 9},
        )

    def answer_once(self, path: str, body: dict[str, Any], *, status: int = 200) -> None:
        self.server.expect_oneshot_request(path).respond_with_json(body, status=status)
