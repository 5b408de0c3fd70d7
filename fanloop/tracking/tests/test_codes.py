"""Promo codes through the service: campaign and source mapping, validation, delete."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanloop.core.models import AuditEntry
from fanloop.tracking.models import PromoCode, PromoKind
from fanloop.tracking.services import codes as code_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_code(admin_user, workspace, campaign):
    def make(code="KOL-VIYA", *, actor=admin_user, ws=workspace, **data):
        values = {"code": code, "kind": PromoKind.KOL, "campaign": campaign, **data}
        return code_service.create_code(actor=actor, workspace=ws, data=values)

    return make


def test_code_maps_to_campaign_and_takes_source_from_its_link(
    make_code, make_link, make_partner, campaign
):
    # given a partner's link on douyin
    partner = make_partner()
    link = make_link(campaign=campaign, partner=partner, platform="douyin")
    # when a code is printed next to it
    promo = make_code(link=link, cost_per_use_fen=1500)
    # then the code is credited to the same campaign and source
    assert promo.campaign == campaign
    assert promo.partner == partner
    assert promo.platform == "douyin"
    assert promo.cost_per_use_fen == 1500
    assert AuditEntry.objects.filter(action="tracking.code_create").exists()


def test_codes_are_unique_per_workspace_ignoring_case(make_code):
    make_code("VIYA20")
    with pytest.raises(ValidationError) as exc:
        make_code("viya20")
    assert "already has" in exc.value.message_dict["code"][0]
    assert PromoCode.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "has space"}, "code"),
        ({"code": "X"}, "code"),
        ({"kind": "gift"}, "kind"),
        ({"campaign": None}, "campaign"),
        ({"cost_per_use_fen": -1}, "cost_per_use_fen"),
        ({"valid_from": date(2026, 5, 2), "valid_until": date(2026, 5, 1)}, "valid_until"),
    ],
)
def test_bad_code_input_is_refused(make_code, data, field):
    with pytest.raises(ValidationError) as exc:
        make_code(**data)
    assert field in exc.value.message_dict
    assert not PromoCode.objects.exists()


def test_foreign_campaign_partner_and_link_are_refused(
    make_code, make_campaign, make_partner, make_link, other_workspace, outsider
):
    their_campaign = make_campaign(workspace=other_workspace, actor=outsider)
    their_partner = make_partner("Them", workspace=other_workspace, actor=outsider)
    their_link = make_link(workspace=other_workspace, actor=outsider)
    with pytest.raises(ValidationError) as exc:
        make_code(campaign=their_campaign, partner=their_partner, link=their_link)
    assert {"campaign", "partner", "link"} <= set(exc.value.message_dict)
    assert not PromoCode.objects.exists()


def test_link_of_another_campaign_is_refused(make_code, make_link, make_campaign, workspace):
    other = make_campaign("Other", workspace=workspace)
    link = make_link(campaign=other)
    with pytest.raises(ValidationError) as exc:
        make_code(link=link)
    assert "another campaign" in exc.value.message_dict["link"][0]


def test_viewer_cannot_create_code(make_code, viewer):
    with pytest.raises(PermissionDenied):
        make_code(actor=viewer)


def test_update_and_delete_are_audited(make_code, operator):
    promo = make_code(actor=operator)
    promo = code_service.update_code(actor=operator, promo=promo, data={"kind": PromoKind.COUPON})
    assert promo.kind == PromoKind.COUPON
    code_service.delete_code(actor=operator, promo=promo)
    assert not PromoCode.objects.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"tracking.code_update", "tracking.code_delete"} <= actions
