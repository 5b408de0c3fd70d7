"""The public redirect ``/l/<code>``: where it sends people, what it logs, what it never keeps."""

import io
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.db import models
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from fanloop.analytics.rollups import process_dirty
from fanloop.core.models import Workspace
from fanloop.tracking import clicklog, redirect
from fanloop.tracking.models import Click, TrackingLink
from fanloop.tracking.privacy import hash_ip
from fanloop.tracking.services.links import tagged_url

RAW_IP = "203.0.113.77"
IPHONE_WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47 NetType/WIFI Language/zh_CN"
)


@pytest.fixture(autouse=True)
def _synchronous_click_log(settings) -> Iterator[None]:
    """Each click is written on its request, inside the test's transaction."""
    settings.TRACKING_CLICKLOG_SYNC = True
    settings.TRACKING_CLICKLOG_BACKGROUND = False
    redirect.forget()
    yield
    redirect.forget()
    with clicklog._buffer_lock:
        clicklog._buffer.clear()


@pytest.fixture
def make_link(workspace: Workspace) -> Callable[..., TrackingLink]:
    def make(code: str = "spring24", ws: Workspace = workspace, **fields: Any) -> TrackingLink:
        fields.setdefault("destination_url", "https://shop.example.com/item/42")
        return TrackingLink.objects.create(workspace=ws, code=code, **fields)

    return make


def visit(client: Client, code: str, **extra: str) -> HttpResponse:
    extra.setdefault("REMOTE_ADDR", RAW_IP)
    extra.setdefault("HTTP_USER_AGENT", IPHONE_WECHAT)
    response: HttpResponse = client.get(f"/l/{code}", **extra)  # type: ignore[arg-type,assignment]
    return response


# --- where the visitor goes -------------------------------------------------------


def test_redirects_with_utm_parameters_added(db, make_link) -> None:
    make_link(
        destination_url="https://shop.example.com/item/42?color=red#reviews",
        utm_source="weibo",
        utm_medium="social",
        utm_campaign="spring-sale",
        utm_content="post-7",
    )

    response = visit(Client(), "spring24")

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "shop.example.com",
        "/item/42",
    )
    assert location.fragment == "reviews"
    assert parse_qs(location.query) == {
        "color": ["red"],
        "utm_source": ["weibo"],
        "utm_medium": ["social"],
        "utm_campaign": ["spring-sale"],
        "utm_content": ["post-7"],
    }
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_other_parameters_are_kept_and_the_links_utm_values_win(db, workspace) -> None:
    link = TrackingLink(
        workspace=workspace,
        code="x",
        destination_url="https://shop.example.com/?utm_source=newsletter&q=%E9%9E%8B",
        utm_source="weibo",
        utm_term="鞋",
    )

    query = parse_qs(urlsplit(tagged_url(link)).query)

    assert query == {"utm_source": ["weibo"], "q": ["鞋"], "utm_term": ["鞋"]}


def test_a_link_without_utm_fields_goes_to_the_destination_unchanged(db, workspace) -> None:
    link = TrackingLink(workspace=workspace, code="x", destination_url="https://a.example/p#top")
    assert tagged_url(link) == "https://a.example/p#top"


def test_unknown_code_gets_the_friendly_404_page(db) -> None:
    response = visit(Client(), "nope")

    assert response.status_code == 404
    assert b"Link not found" in response.content
    assert Click.objects.count() == 0


def test_an_overlong_code_is_a_404_without_a_lookup(db, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = visit(Client(), "x" * 200)
    assert response.status_code == 404


def test_expired_link_gets_the_410_page_and_logs_nothing(db, make_link) -> None:
    make_link(expires_at=timezone.now() - timedelta(minutes=1))

    response = visit(Client(), "spring24")

    assert response.status_code == 410
    assert b"This link has expired" in response.content
    assert response["Cache-Control"] == "no-store"
    assert Click.objects.count() == 0


def test_a_link_expiring_later_still_redirects(db, make_link) -> None:
    make_link(expires_at=timezone.now() + timedelta(days=1))
    assert visit(Client(), "spring24").status_code == 302


def test_archived_link_gets_the_410_page(db, make_link) -> None:
    make_link(archived=True)

    response = visit(Client(), "spring24")

    assert response.status_code == 410
    assert Click.objects.count() == 0


def test_a_javascript_destination_is_never_redirected_to(db, make_link) -> None:
    make_link(destination_url="javascript:alert(1)")
    assert visit(Client(), "spring24").status_code == 404


def test_the_missing_page_follows_the_ui_language(db, chinese_ui) -> None:
    response = visit(Client(), "nope")
    assert response.status_code == 404
    assert 'lang="zh-hans"' in response.content.decode()


def test_links_are_cached_so_most_redirects_do_no_query(
    db, make_link, django_assert_num_queries
) -> None:
    make_link()
    client = Client()
    visit(client, "spring24")
    clicklog.flush()

    with django_assert_num_queries(0), pytest.MonkeyPatch.context() as patch:
        patch.setattr(clicklog, "_synchronous", lambda: False)
        patch.setattr(clicklog, "_background", lambda: False)
        assert visit(client, "spring24").status_code == 302
    assert clicklog.pending_count() == 1


def test_archiving_takes_effect_once_the_cache_entry_is_dropped(db, make_link) -> None:
    link = make_link()
    assert visit(Client(), "spring24").status_code == 302
    TrackingLink.objects.filter(pk=link.pk).update(archived=True)

    redirect.forget("spring24")

    assert visit(Client(), "spring24").status_code == 410


def test_post_is_refused(db, make_link) -> None:
    make_link()
    assert Client().post("/l/spring24").status_code == 405
    assert Click.objects.count() == 0


# --- what is logged ---------------------------------------------------------------


def test_a_click_is_stored_with_class_referrer_host_and_hashed_ip(db, make_link, workspace) -> None:
    link = make_link()

    visit(Client(), "spring24", HTTP_REFERER="https://m.weibo.cn/status/123?from=feed")

    click = Click.objects.get()
    assert click.link == link
    assert click.workspace_id == workspace.id == link.workspace_id
    assert click.ua_class == "wechat"
    assert click.referrer_host == "m.weibo.cn"
    assert click.ip_hash == hash_ip(RAW_IP)
    assert click.visitor_id == ""
    assert not click.is_bot
    assert not click.is_repeat


def test_the_raw_ip_appears_nowhere_in_the_database(db, make_link) -> None:
    make_link()

    visit(Client(), "spring24", HTTP_REFERER="https://example.org/")
    visit(Client(), "spring24", HTTP_USER_AGENT="curl/8.5.0")

    assert Click.objects.count() == 2
    text_fields = [
        f.name
        for f in Click._meta.get_fields()
        if isinstance(f, models.CharField | models.TextField)
    ]
    for row in Click.objects.values(*text_fields):
        for value in row.values():
            assert RAW_IP not in value
    dump = io.StringIO()
    call_command("dumpdata", "tracking", "analytics", stdout=dump)
    assert dump.getvalue().count('"model": "tracking.click"') == 2
    assert RAW_IP not in dump.getvalue()


def test_bots_are_logged_but_flagged(db, make_link) -> None:
    make_link()

    visit(Client(), "spring24", HTTP_USER_AGENT="Mozilla/5.0 (compatible; Baiduspider/2.0)")
    visit(Client(), "spring24", HTTP_USER_AGENT="", REMOTE_ADDR="198.51.100.1")

    assert list(Click.objects.values_list("ua_class", "is_bot")) == [("bot", True), ("bot", True)]


def test_a_second_click_from_the_same_ip_is_a_repeat(db, make_link) -> None:
    make_link()

    visit(Client(), "spring24")
    visit(Client(), "spring24")
    visit(Client(), "spring24", REMOTE_ADDR="198.51.100.9")
    process_dirty()  # the rollup job flags repeats

    flags = list(Click.objects.order_by("id").values_list("is_repeat", flat=True))
    assert flags == [False, True, False]


def test_head_redirects_but_is_not_a_click(db, make_link) -> None:
    make_link()

    response = Client().head("/l/spring24", REMOTE_ADDR=RAW_IP)

    assert response.status_code == 302
    assert Click.objects.count() == 0


def test_clicks_land_in_the_links_own_workspace(db, make_link, workspace, other_workspace) -> None:
    make_link("ours")
    make_link("theirs", ws=other_workspace)

    visit(Client(), "ours")
    visit(Client(), "theirs")
    visit(Client(), "theirs")

    assert Click.objects.filter(workspace=workspace, link__code="ours").count() == 1
    assert Click.objects.filter(workspace=other_workspace, link__code="theirs").count() == 2
    assert not Click.objects.filter(workspace=workspace, link__code="theirs").exists()


def test_the_redirect_needs_no_login_and_sets_no_session_or_csrf_cookie(db, make_link) -> None:
    make_link()

    response = visit(Client(), "spring24")

    assert response.status_code == 302
    assert set(response.cookies) == set()


# --- client IP behind proxies -----------------------------------------------------


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(db, make_link) -> None:
    make_link()

    visit(Client(), "spring24", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert Click.objects.get().ip_hash == hash_ip("10.0.0.5")


def test_forwarded_for_from_a_trusted_proxy_gives_the_client(db, make_link, settings) -> None:
    settings.TRACKING_TRUSTED_PROXIES = ["10.0.0.0/8"]
    make_link()

    # the client tried to spoof a hop; our proxies appended the real ones on the right
    visit(
        Client(),
        "spring24",
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9, 10.0.0.7",
    )

    assert Click.objects.get().ip_hash == hash_ip("198.51.100.9")


def test_a_client_not_behind_the_trusted_proxy_cannot_spoof(db, make_link, settings) -> None:
    settings.TRACKING_TRUSTED_PROXIES = ["10.0.0.0/8"]
    make_link()

    visit(Client(), "spring24", REMOTE_ADDR=RAW_IP, HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert Click.objects.get().ip_hash == hash_ip(RAW_IP)


# --- the visitor cookie -----------------------------------------------------------


def test_no_visitor_cookie_without_consent(db, make_link) -> None:
    make_link()

    response = visit(Client(), "spring24")

    assert "fl_vid" not in response.cookies
    assert Click.objects.get().visitor_id == ""


def test_with_consent_a_visitor_cookie_is_set_and_reused(db, make_link) -> None:
    make_link()
    client = Client()
    client.cookies["fl_consent"] = "1"

    first = visit(client, "spring24")
    second = visit(client, "spring24", REMOTE_ADDR="198.51.100.9")

    cookie = first.cookies["fl_vid"]
    assert len(cookie.value) == 32
    assert int(cookie.value, 16) >= 0
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 365 * 24 * 3600
    assert "fl_vid" not in second.cookies  # already there
    process_dirty()  # the rollup job flags repeats
    ids = list(Click.objects.order_by("id").values_list("visitor_id", "is_repeat"))
    # a new IP, the same visitor: still a repeat
    assert ids == [(cookie.value, False), (cookie.value, True)]


def test_an_invalid_visitor_cookie_is_replaced(db, make_link) -> None:
    make_link()
    client = Client()
    client.cookies["fl_consent"] = "1"
    client.cookies["fl_vid"] = "<script>"

    response = visit(client, "spring24")

    assert response.cookies["fl_vid"].value != "<script>"
    assert Click.objects.get().visitor_id == response.cookies["fl_vid"].value


@pytest.mark.parametrize("header", ["HTTP_DNT", "HTTP_SEC_GPC"])
def test_do_not_track_and_gpc_are_respected_even_with_consent(db, make_link, header) -> None:
    make_link()
    client = Client()
    client.cookies["fl_consent"] = "1"
    client.cookies["fl_vid"] = "a" * 32

    response = visit(client, "spring24", **{header: "1"})

    assert "fl_vid" not in response.cookies
    assert Click.objects.get().visitor_id == ""


def test_a_consent_cookie_other_than_1_is_not_consent(db, make_link) -> None:
    make_link()
    client = Client()
    client.cookies["fl_consent"] = "0"

    assert "fl_vid" not in visit(client, "spring24").cookies


def test_archiving_a_link_takes_effect_at_once_despite_the_cache(
    db, make_link, admin_user, django_capture_on_commit_callbacks
) -> None:
    from fanloop.tracking.services.links import set_archived

    # given a link whose target this process has cached by serving it
    link = make_link()
    assert visit(Client(), link.code).status_code == 302

    # when it is archived through the service
    with django_capture_on_commit_callbacks(execute=True):
        set_archived(actor=admin_user, link=link)

    # then the next visitor gets the "retired" page, not the old destination
    assert visit(Client(), link.code).status_code == 410
