"""A fake Douyin open platform on pytest-httpserver, reusable by any test.

It checks what the real one checks (the ``access-token`` header, ``open_id`` in the query,
the documented form / JSON / multipart fields) and answers with the documented envelope
``{data: {..., error_code, description}, extra: {error_code, description, logid}}``.

The fake holds the one token it currently accepts (``valid_token``); any other token gets
the documented 2190008 "access_token expired" answer, so expiry and refresh behave like the
real thing. ``/oauth/refresh_token/`` hands out ``next_tokens`` in order.
"""

import json
from collections.abc import Callable, Iterable
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from fanloop.channels.connectors.douyin import DouyinConnector

OPEN_ID = "open-id-1"
CLIENT_KEY = "aw-client-key"


def ok(data: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "data": {**(data or {}), "error_code": 0, "description": ""},
        "extra": {"error_code": 0, "description": "", "logid": "log-ok", "now": 1700000000},
    }


def error(code: int, description: str = "error") -> dict[str, Any]:
    return {
        "data": {"error_code": code, "description": description},
        "extra": {
            "error_code": code,
            "description": description,
            "logid": "log-err",
            "sub_error_code": 0,
            "sub_description": "",
        },
    }


def reply(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


class FakeDouyin:
    def __init__(self, server: HTTPServer, *, valid_token: str = "act.valid") -> None:
        self.server = server
        self.valid_token = valid_token
        self.next_tokens: list[str] = []
        self.sleeps: list[float] = []
        self.saved: list[dict[str, Any]] = []

    # The connector under test --------------------------------------------------------

    def connector(self, *, token: str | None = None, **overrides: Any) -> DouyinConnector:
        options: dict[str, Any] = {
            "credentials": {
                "client_key": CLIENT_KEY,
                "client_secret": "secret",
                "access_token": token or self.valid_token,
                "refresh_token": "rft.1",
                "open_id": OPEN_ID,
                "expires_at": "2030-01-01T00:00:00+00:00",
            },
            "base_url": self.server.url_for("/").rstrip("/"),
            "sleep": self.sleeps.append,
            "on_credentials": self.saved.append,
        }
        options.update(overrides)
        return DouyinConnector(**options)

    # Checks shared by the handlers -------------------------------------------------------

    def _user_call(self, request: Request) -> Response | None:
        """None when the token is the valid one; otherwise the documented expiry answer."""
        assert request.args.get("open_id") == OPEN_ID, "open_id must be in the query"
        assert "access_token" not in request.args, "the token goes in the header"
        if request.headers.get("access-token") != self.valid_token:
            return reply(error(2190008, "access_token过期,请刷新或重新授权"))
        return None

    def _user_handler(
        self, check: Callable[[Request], dict[str, Any]]
    ) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            refused = self._user_call(request)
            if refused is not None:
                return refused
            return reply(check(request))

        return handler

    # Endpoints -----------------------------------------------------------------------

    def expect_refresh(self) -> None:
        def handler(request: Request) -> Response:
            assert request.content_type.startswith("application/x-www-form-urlencoded")
            assert request.form.get("client_key") == CLIENT_KEY
            assert request.form.get("grant_type") == "refresh_token"
            assert request.form.get("refresh_token")
            token = self.next_tokens.pop(0)
            return reply(
                ok(
                    {
                        "access_token": token,
                        "refresh_token": f"rft.after.{token}",
                        "open_id": OPEN_ID,
                        "expires_in": 1296000,
                        "refresh_expires_in": 2592000,
                        "scope": "video.create.bind,item.comment,data.external.item",
                    }
                )
            )

        self.server.expect_request("/oauth/refresh_token/", method="POST").respond_with_handler(
            handler
        )

    def expect_upload_video(self, video_id: str = "v0200fg10000video") -> list[bytes]:
        uploads: list[bytes] = []

        def check(request: Request) -> dict[str, Any]:
            assert request.content_type.startswith("multipart/form-data")
            assert "video" in request.files, "the multipart field is named video"
            uploads.append(request.files["video"].read())
            return ok({"video": {"video_id": video_id, "width": 1080, "height": 1920}})

        self.server.expect_request(
            "/api/douyin/v1/video/upload_video/", method="POST"
        ).respond_with_handler(self._user_handler(check))
        return uploads

    def expect_upload_image(self, image_ids: Iterable[str]) -> list[bytes]:
        ids = list(image_ids)
        uploads: list[bytes] = []

        def check(request: Request) -> dict[str, Any]:
            assert request.content_type.startswith("multipart/form-data")
            assert "image" in request.files, "the multipart field is named image"
            uploads.append(request.files["image"].read())
            return ok({"image": {"image_id": ids.pop(0), "width": 64, "height": 48}})

        self.server.expect_request(
            "/api/douyin/v1/video/upload_image/", method="POST"
        ).respond_with_handler(self._user_handler(check))
        return uploads

    def expect_create(self, path: str, item_id: str = "@9VwLl") -> list[dict[str, Any]]:
        bodies: list[dict[str, Any]] = []

        def check(request: Request) -> dict[str, Any]:
            assert request.content_type.startswith("application/json")
            bodies.append(json.loads(request.get_data()))
            return ok({"item_id": item_id})

        self.server.expect_request(path, method="POST").respond_with_handler(
            self._user_handler(check)
        )
        return bodies

    def expect_daily(self, metric: str, rows: dict[str, int]) -> list[dict[str, str]]:
        """``/data/external/item/<metric>/`` answering ``{date: count}``."""
        queries: list[dict[str, str]] = []

        def check(request: Request) -> dict[str, Any]:
            assert request.args.get("item_id")
            assert request.args.get("date_type") in {"7", "15", "30"}
            queries.append(dict(request.args))
            return ok({"result_list": [{"date": d, metric: n} for d, n in rows.items()]})

        self.server.expect_request(
            f"/data/external/item/{metric}/", method="GET"
        ).respond_with_handler(self._user_handler(check))
        return queries

    def expect_comment_pages(self, pages: list[list[dict[str, Any]]]) -> list[dict[str, str]]:
        queries: list[dict[str, str]] = []

        def check(request: Request) -> dict[str, Any]:
            assert request.args.get("item_id")
            assert request.args.get("count")
            queries.append(dict(request.args))
            index = int(request.args.get("cursor", "0"))
            has_more = index + 1 < len(pages)
            return ok({"list": pages[index], "cursor": index + 1, "has_more": has_more})

        self.server.expect_request("/item/comment/list/", method="GET").respond_with_handler(
            self._user_handler(check)
        )
        return queries

    def answer_once(self, path: str, body: dict[str, Any], *, status: int = 200) -> None:
        """The next call to ``path`` gets this answer (errors, 5xx, 429...)."""
        self.server.expect_oneshot_request(path).respond_with_json(body, status=status)
