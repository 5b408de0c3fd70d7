"""The tracking pages: list with click counts, forms, bulk, detail, QR, export, isolation."""

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fanloop.tracking.models import Click, Partner, PromoCode, TrackingLink
from fanloop.tracking.tests.conftest import LANDING

pytestmark = pytest.mark.django_db


def url(name, workspace, *args):
    return reverse(name, args=[workspace.slug, *args])


def click(link, *, bot=False, repeat=False, ua="wechat", referrer="", when=None):
    return Click.objects.create(
        workspace=link.workspace,
        link=link,
        clicked_at=when or timezone.now(),
        ua_class=ua,
        referrer_host=referrer,
        ip_hash="h",
        is_bot=bot,
        is_repeat=repeat,
    )


def test_list_shows_click_counts_and_short_url(client_for, viewer, workspace, make_link):
    # given a link with a human click, a repeat and a bot
    link = make_link(name="Poster A")
    click(link)
    click(link, repeat=True)
    click(link, bot=True, ua="bot")
    # when a viewer opens the list
    response = client_for(viewer).get(url("tracking_links", workspace))
    # then
    assert response.status_code == 200
    row = response.context["rows"][0]
    assert (row.clicks_total, row.clicks_human, row.clicks_unique) == (3, 2, 1)
    assert f"http://testserver/l/{link.code}" in response.content.decode()
    assert b'data-testid="new-link"' not in response.content


def test_list_filters_and_searches(client_for, admin_user, workspace, make_link, make_partner):
    partner = make_partner("Viya")
    make_link(name="Alpha", platform="weibo")
    make_link(name="Beta", partner=partner)
    client = client_for(admin_user)
    found = client.get(url("tracking_links", workspace), {"platform": "weibo"}).context["rows"]
    assert [link.name for link in found] == ["Alpha"]
    found = client.get(url("tracking_links", workspace), {"partner": partner.pk}).context["rows"]
    assert [link.name for link in found] == ["Beta"]
    found = client.get(url("tracking_links", workspace), {"q": "viy"}).context["rows"]
    assert [link.name for link in found] == ["Beta"]


def test_create_through_the_form(client_for, operator, workspace, campaign):
    response = client_for(operator).post(
        url("tracking_link_new", workspace),
        {"destination_url": LANDING, "campaign": campaign.pk, "platform": "weibo", "name": "A"},
    )
    link = TrackingLink.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("tracking_link", workspace, link.pk)
    assert link.utm_source == "weibo"


def test_form_shows_service_errors_and_writes_nothing(client_for, operator, workspace):
    response = client_for(operator).post(
        url("tracking_link_new", workspace), {"destination_url": "weixin://dl/business/?t=x"}
    )
    assert response.status_code == 400
    assert "mini-program" in response.context["form"].errors["destination_url"][0]
    assert not TrackingLink.objects.exists()


def test_viewer_cannot_open_or_post_the_forms(client_for, viewer, workspace, make_link):
    link = make_link()
    client = client_for(viewer)
    assert client.get(url("tracking_link_new", workspace)).status_code == 403
    assert (
        client.post(url("tracking_link_new", workspace), {"destination_url": LANDING}).status_code
        == 403
    )
    assert client.post(url("tracking_link_bulk", workspace), {}).status_code == 403
    assert client.post(url("tracking_link_archive", workspace, link.pk)).status_code == 403
    assert TrackingLink.objects.count() == 1


def test_edit_keeps_the_code_and_archive(client_for, admin_user, workspace, make_link):
    link = make_link(code="keep-me")
    client = client_for(admin_user)
    response = client.post(
        url("tracking_link_edit", workspace, link.pk),
        {"destination_url": "https://shop.example.com/new", "code": "changed"},
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.code, link.destination_url) == ("keep-me", "https://shop.example.com/new")
    client.post(url("tracking_link_archive", workspace, link.pk), {"archived": "1"})
    link.refresh_from_db()
    assert link.archived
    assert client.get(url("tracking_links", workspace)).context["rows"] == []


def test_bulk_form_creates_one_link_per_line_with_a_zip(client_for, admin_user, workspace):
    client = client_for(admin_user)
    response = client.post(
        url("tracking_link_bulk", workspace),
        {"destination_url": LANDING, "channels": "Newsletter\nSMS\n"},
    )
    assert response.status_code == 200
    assert sorted(TrackingLink.objects.values_list("name", flat=True)) == ["Newsletter", "SMS"]
    ids = response.context["ids"]
    archive = client.get(url("tracking_links_qr_zip", workspace) + f"?ids={ids}")
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert sorted(names) == sorted(
        f"qr-{c}.png" for c in TrackingLink.objects.values_list("code", flat=True)
    )


def test_bulk_form_reports_rows_and_creates_nothing(client_for, admin_user, workspace):
    response = client_for(admin_user).post(
        url("tracking_link_bulk", workspace),
        {"destination_url": LANDING, "channels": "SMS\nsms\n"},
    )
    assert response.status_code == 400
    assert "Line 2" in response.context["form"].errors["channels"][0]
    assert not TrackingLink.objects.exists()


def test_detail_shows_breakdowns(client_for, viewer, workspace, make_link):
    link = make_link()
    click(link, ua="wechat", referrer="weibo.com")
    click(link, ua="desktop", referrer="weibo.com", when=timezone.now() - timedelta(days=2))
    response = client_for(viewer).get(url("tracking_link", workspace, link.pk))
    assert response.status_code == 200
    assert len(response.context["days"]) == 2
    assert ("weibo.com", 2) in response.context["referrers"]
    assert {n for _label, n in response.context["ua_classes"]} == {1}


def test_qr_downloads(client_for, viewer, workspace, make_link):
    link = make_link(code="qr-test")
    client = client_for(viewer)
    png = client.get(url("tracking_link_qr_png", workspace, link.pk))
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert 'filename="qr-qr-test.png"' in png["Content-Disposition"]
    svg = client.get(url("tracking_link_qr_svg", workspace, link.pk))
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    assert "attachment" in svg["Content-Disposition"]
    inline = client.get(url("tracking_link_qr_svg", workspace, link.pk) + "?inline=1")
    assert "Content-Disposition" not in inline


def test_csv_and_excel_export(client_for, viewer, workspace, make_link):
    link = make_link(name='=HYPERLINK("x")')
    click(link)
    client = client_for(viewer)
    response = client.get(url("tracking_links", workspace), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == link.code
    assert rows[1][2].startswith("'=")  # no formula injection
    assert rows[1][-3:] == ["1", "1", "1"]
    xlsx = client.get(url("tracking_links", workspace), {"export": "xlsx"})
    assert xlsx.content.startswith(b"PK")
    assert "tracking-links-" in xlsx["Content-Disposition"]


def test_another_workspace_rows_are_404(
    client_for, outsider, other_workspace, workspace, make_link, make_partner, campaign, admin_user
):
    # given our link, partner and code
    from fanloop.tracking.services import codes

    link = make_link()
    partner = make_partner()
    promo = codes.create_code(
        actor=admin_user,
        workspace=workspace,
        data={"code": "X1", "kind": "kol", "campaign": campaign},
    )
    client = client_for(outsider)
    # when the other workspace's admin asks for them under their own workspace
    for name, pk in [
        ("tracking_link", link.pk),
        ("tracking_link_edit", link.pk),
        ("tracking_link_qr_png", link.pk),
        ("tracking_partner_edit", partner.pk),
        ("tracking_code_edit", promo.pk),
    ]:
        assert client.get(url(name, other_workspace, pk)).status_code == 404, name
    assert (
        client.post(url("tracking_partner_delete", other_workspace, partner.pk)).status_code == 404
    )
    assert client.post(url("tracking_code_delete", other_workspace, promo.pk)).status_code == 404
    # and under ours, of which they are no member
    assert client.get(url("tracking_links", workspace)).status_code == 404
    assert Partner.objects.filter(pk=partner.pk).exists()
    assert PromoCode.objects.filter(pk=promo.pk).exists()


def test_partner_and_code_pages(client_for, operator, workspace, campaign):
    client = client_for(operator)
    response = client.post(url("tracking_partner_new", workspace), {"name": "Viya", "kind": "kol"})
    assert response.status_code == 302
    partner = Partner.objects.get()
    assert client.get(url("tracking_partners", workspace)).status_code == 200
    response = client.post(
        url("tracking_code_new", workspace),
        {
            "code": "VIYA20",
            "kind": "kol",
            "campaign": campaign.pk,
            "partner": partner.pk,
            "cost_per_use": "12.50",
        },
    )
    assert response.status_code == 302
    assert PromoCode.objects.get().cost_per_use_fen == 1250
    listing = client.get(url("tracking_codes", workspace))
    assert "¥12.50" in listing.content.decode()
    response = client.post(
        url("tracking_code_new", workspace),
        {"code": "viya20", "kind": "kol", "campaign": campaign.pk},
    )
    assert response.status_code == 400
    assert "already has" in response.context["form"].errors["code"][0]
