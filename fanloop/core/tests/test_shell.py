"""The app shell: full pages on direct load, fragments for HTMX, zh-hans by default."""

import re

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_direct_load_renders_full_page_with_navigation(
    client_for, admin_user, workspace, chinese_ui
):
    # given a signed-in member
    client = client_for(admin_user)
    # when they open the dashboard directly
    response = client.get(reverse("dashboard", args=[workspace.slug]))
    # then the whole shell is there, in Chinese by default
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    for label in ["活动", "内容", "日历", "发布", "互动", "社群", "数据", "设置"]:
        assert label in html
    assert 'id="workspace-switcher"' in html


@pytest.mark.django_db
def test_htmx_request_gets_only_the_fragment(client_for, admin_user, workspace):
    client = client_for(admin_user)
    response = client.get(
        reverse("dashboard", args=[workspace.slug]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Brand A" in html
    assert response["Vary"].count("HX-Request") == 1


@pytest.mark.django_db
def test_every_side_navigation_link_opens_a_page(client_for, admin_user, workspace):
    # given the dashboard's side navigation
    client = client_for(admin_user)
    html = client.get(reverse("dashboard", args=[workspace.slug])).content.decode()
    nav = html[html.index('id="area-nav"') : html.index("</nav>", html.index('id="area-nav"'))]
    links = re.findall(r'href="([^"]+)"', nav)
    assert len(links) >= 10
    # when each is followed, then each is a page, not an error or a placeholder
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_login(client, workspace):
    response = client.get(reverse("dashboard", args=[workspace.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_browser_language_does_not_override_the_chinese_default(
    client_for, admin_user, workspace, chinese_ui
):
    client = client_for(admin_user)
    url = reverse("dashboard", args=[workspace.slug])
    html = client.get(url, headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "概览" in html
    # switching to English sticks for the following pages
    client.post(reverse("set_language"), {"language": "en", "next": url})
    html = client.get(url).content.decode()
    assert "Dashboard" in html
    assert "概览" not in html


@pytest.mark.django_db
def test_unknown_language_cookie_falls_back_to_chinese(
    client_for, admin_user, workspace, chinese_ui
):
    client = client_for(admin_user)
    client.cookies["django_language"] = "xx"
    html = client.get(reverse("dashboard", args=[workspace.slug])).content.decode()
    assert "概览" in html
