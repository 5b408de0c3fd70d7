"""The WSGI fast path: a link this process knows is answered before Django's middleware,
with the same 302, headers, click and cookie rules as the Django view."""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fanloop.tracking import redirect
from fanloop.tracking.models import Click, TrackingLink
from fanloop.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_test_connection")]


@pytest.fixture(autouse=True)
def empty_cache():
    redirect.forget()
    yield
    redirect.forget()


def call(path: str, method: str = "GET", **headers: str) -> tuple[str, dict[str, list[str]]]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
        "REMOTE_ADDR": "203.0.113.9",
        **headers,
    }
    seen: dict[str, Any] = {}

    def start_response(status: str, header_list: list[tuple[str, str]], *rest: Any) -> Any:
        seen["status"] = status
        seen["headers"] = header_list

    b"".join(application(environ, start_response))
    found: dict[str, list[str]] = {}
    for name, value in seen["headers"]:
        found.setdefault(name.lower(), []).append(value)
    return seen["status"], found


@pytest.fixture
def link(workspace) -> TrackingLink:
    return TrackingLink.objects.create(
        workspace=workspace,
        code="fast1",
        destination_url="https://shop.example.com/p?id=7",
        utm_source="weibo",
    )


def test_the_second_visit_is_served_by_the_fast_path_with_the_same_answer(link, monkeypatch):
    # given a first visit, answered by Django, which caches the link
    first_status, first = call("/l/fast1", HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Weibo")
    assert first_status.startswith("302")

    # when the link is visited again with Django's handler out of the way
    monkeypatch.setattr(
        "fanloop.wsgi.django_application", lambda *args: pytest.fail("Django was called")
    )
    status, headers = call("/l/fast1", HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Weibo")

    # then the answer is the same 302 with the UTM parameters and the no-store headers
    assert status.startswith("302")
    assert (
        headers["location"]
        == first["location"]
        == ["https://shop.example.com/p?id=7&utm_source=weibo"]
    )
    assert headers["cache-control"] == ["no-store"]
    assert headers["x-content-type-options"] == ["nosniff"]
    assert "set-cookie" not in headers  # no consent, no cookie, and no session either
    # and both clicks are stored, hashed, with their browser class
    clicks = Click.objects.filter(link=link)
    assert clicks.count() == 2
    assert set(clicks.values_list("ua_class", flat=True)) == {"weibo"}
    assert "203.0.113.9" not in str(list(clicks.values_list("ip_hash", flat=True)))


def test_consenting_visitors_get_a_visitor_cookie_unless_they_ask_not_to_be_tracked(link):
    call("/l/fast1")  # cache it

    _status, agreed = call("/l/fast1", HTTP_COOKIE="fl_consent=1")
    _status, dnt = call("/l/fast1", HTTP_COOKIE="fl_consent=1", HTTP_DNT="1")

    cookie = agreed["set-cookie"][0]
    assert cookie.startswith("fl_vid=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    visitor = cookie.split(";")[0].split("=")[1]
    assert Click.objects.filter(visitor_id=visitor).count() == 1
    assert "set-cookie" not in dnt


def test_head_requests_redirect_without_a_click(link):
    call("/l/fast1", method="HEAD")
    call("/l/fast1", method="HEAD")

    assert not Click.objects.exists()


def test_an_archived_or_expired_link_falls_through_to_the_friendly_410_page(link):
    call("/l/fast1")  # cached as live
    TrackingLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(1))
    redirect.forget("fast1")
    call("/l/fast1")  # Django caches the expired link

    status, headers = call("/l/fast1")

    assert status.startswith("410")
    assert headers["content-type"][0].startswith("text/html")


def test_unknown_codes_and_other_paths_are_left_to_django(db):
    status, _headers = call("/l/nope")
    assert status.startswith("404")
    status, _headers = call("/login/")
    assert status.startswith("200")
