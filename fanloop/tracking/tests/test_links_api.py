"""The tracking REST API: links, bulk, partners, codes; roles and workspace isolation."""

import pytest

from fanloop.tracking.models import Partner, PromoCode, TrackingLink
from fanloop.tracking.tests.conftest import LANDING

pytestmark = pytest.mark.django_db


def base(workspace):
    return f"/api/v1/workspaces/{workspace.pk}/tracking/"


def test_create_list_and_patch_a_link(api_client_for, operator, workspace, campaign):
    client = api_client_for(operator)
    response = client.post(
        base(workspace) + "links/",
        {"destination_url": LANDING, "campaign": campaign.pk, "platform": "weibo", "code": "api-1"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "api-1"
    assert body["short_url"] == "http://testserver/l/api-1"
    assert body["utm_source"] == "weibo"
    assert "utm_source=weibo" in body["tagged_url"]
    listing = client.get(base(workspace) + "links/").json()
    assert listing["count"] == 1
    assert listing["results"][0]["clicks_total"] == 0
    patched = client.patch(
        base(workspace) + f"links/{body['id']}/", {"archived": True, "name": "N"}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["archived"] is True
    assert patched.json()["name"] == "N"
    assert client.get(base(workspace) + "links/").json()["count"] == 0
    assert client.get(base(workspace) + "links/", {"archived": "true"}).json()["count"] == 1


def test_bad_destination_is_a_400_with_field_errors(api_client_for, operator, workspace):
    response = api_client_for(operator).post(
        base(workspace) + "links/", {"destination_url": "javascript:alert(1)"}, format="json"
    )
    assert response.status_code == 400
    assert "destination_url" in response.json()["error"]["field_errors"]
    assert not TrackingLink.objects.exists()


def test_bulk_all_or_nothing(api_client_for, admin_user, workspace, make_partner, campaign):
    alpha, beta = make_partner("Alpha"), make_partner("Beta")
    client = api_client_for(admin_user)
    response = client.post(
        base(workspace) + "links/bulk/",
        {"destination_url": LANDING, "campaign": campaign.pk, "partners": [alpha.pk, beta.pk]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert sorted(row["name"] for row in response.json()) == ["Alpha", "Beta"]
    response = client.post(
        base(workspace) + "links/bulk/",
        {"destination_url": LANDING, "channels": ["A", "a", ""]},
        format="json",
    )
    assert response.status_code == 400
    assert len(response.json()["error"]["field_errors"]["channels"]) == 2
    assert TrackingLink.objects.count() == 2


def test_viewer_reads_but_cannot_write(api_client_for, viewer, workspace, make_link, make_partner):
    link = make_link()
    partner = make_partner()
    client = api_client_for(viewer)
    assert client.get(base(workspace) + f"links/{link.pk}/").status_code == 200
    assert client.get(base(workspace) + "partners/").status_code == 200
    assert (
        client.post(
            base(workspace) + "links/", {"destination_url": LANDING}, format="json"
        ).status_code
        == 403
    )
    assert (
        client.patch(
            base(workspace) + f"links/{link.pk}/", {"name": "x"}, format="json"
        ).status_code
        == 403
    )
    assert client.delete(base(workspace) + f"partners/{partner.pk}/").status_code == 403
    assert (
        client.post(
            base(workspace) + "partners/", {"name": "P", "kind": "kol"}, format="json"
        ).status_code
        == 403
    )
    assert Partner.objects.count() == 1


def test_partner_and_code_crud(api_client_for, marketer, workspace, campaign):
    client = api_client_for(marketer)
    partner = client.post(
        base(workspace) + "partners/",
        {"name": "Viya", "kind": "kol", "platform": "douyin"},
        format="json",
    )
    assert partner.status_code == 201
    pid = partner.json()["id"]
    code = client.post(
        base(workspace) + "codes/",
        {
            "code": "VIYA20",
            "kind": "kol",
            "campaign": campaign.pk,
            "partner": pid,
            "cost_per_use_fen": 2000,
        },
        format="json",
    )
    assert code.status_code == 201, code.content
    cid = code.json()["id"]
    assert (
        client.patch(base(workspace) + f"codes/{cid}/", {"kind": "coupon"}, format="json").json()[
            "kind"
        ]
        == "coupon"
    )
    # a partner with a code is kept
    assert client.delete(base(workspace) + f"partners/{pid}/").status_code == 400
    assert client.delete(base(workspace) + f"codes/{cid}/").status_code == 204
    assert client.delete(base(workspace) + f"partners/{pid}/").status_code == 204
    assert not PromoCode.objects.exists()


def test_foreign_ids_and_rows_are_refused(
    api_client_for,
    outsider,
    other_workspace,
    workspace,
    make_link,
    make_partner,
    campaign,
    admin_user,
):
    # given our link, partner and campaign
    link = make_link()
    partner = make_partner()
    client = api_client_for(outsider)
    # when the other workspace's admin names them
    assert client.get(base(other_workspace) + f"links/{link.pk}/").status_code == 404
    assert (
        client.patch(
            base(other_workspace) + f"links/{link.pk}/", {"name": "x"}, format="json"
        ).status_code
        == 404
    )
    assert client.get(base(other_workspace) + f"partners/{partner.pk}/").status_code == 404
    assert client.delete(base(other_workspace) + f"partners/{partner.pk}/").status_code == 404
    assert client.get(base(workspace) + "links/").status_code == 404
    response = client.post(
        base(other_workspace) + "links/",
        {"destination_url": LANDING, "campaign": campaign.pk, "partner": partner.pk},
        format="json",
    )
    # then nothing of ours is reachable or usable
    assert response.status_code == 400
    assert {"campaign", "partner"} <= set(response.json()["error"]["field_errors"])
    assert TrackingLink.objects.count() == 1
    assert Partner.objects.filter(pk=partner.pk).exists()
