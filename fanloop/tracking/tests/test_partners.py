"""Partners through the service: validation, uniqueness, permissions, safe delete, audit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanloop.core.models import AuditEntry
from fanloop.tracking.models import Partner, PartnerKind
from fanloop.tracking.services import partners as partner_service

pytestmark = pytest.mark.django_db


def test_create_and_update_partner_is_audited(make_partner, operator):
    # given / when
    partner = make_partner("  李佳琦  ", PartnerKind.KOL, platform="douyin", actor=operator)
    partner = partner_service.update_partner(
        actor=operator, partner=partner, data={"handle": "@lijiaqi"}
    )
    # then
    assert partner.name == "李佳琦"
    assert partner.handle == "@lijiaqi"
    actions = list(
        AuditEntry.objects.filter(object_type="tracking.partner")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["tracking.partner_create", "tracking.partner_update"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "kind": "kol"}, "name"),
        ({"name": "A", "kind": "celebrity"}, "kind"),
        ({"name": "A", "kind": "kol", "platform": "myspace"}, "platform"),
        ({"name": "A", "kind": "kol", "note": "x" * 301}, "note"),
    ],
)
def test_bad_partner_input_is_refused(admin_user, workspace, data, field):
    with pytest.raises(ValidationError) as exc:
        partner_service.create_partner(actor=admin_user, workspace=workspace, data=data)
    assert field in exc.value.message_dict
    assert not Partner.objects.exists()


def test_names_are_unique_per_workspace_in_any_case(make_partner, other_workspace, outsider):
    make_partner("Viya")
    with pytest.raises(ValidationError) as exc:
        make_partner("VIYA")
    assert "already has" in exc.value.message_dict["name"][0]
    # another workspace may use the same name
    assert make_partner("Viya", workspace=other_workspace, actor=outsider).pk


def test_viewer_cannot_create(make_partner, viewer):
    with pytest.raises(PermissionDenied):
        make_partner(actor=viewer)
    assert not Partner.objects.exists()


def test_unused_partner_can_be_deleted(make_partner, admin_user):
    partner = make_partner()
    partner_service.delete_partner(actor=admin_user, partner=partner)
    assert not Partner.objects.exists()
    assert AuditEntry.objects.filter(action="tracking.partner_delete").exists()


def test_partner_with_links_is_kept(make_partner, make_link, admin_user):
    # given a partner credited with a link
    partner = make_partner()
    make_link(partner=partner)
    # when / then: deleting would lose the credit, so it is refused
    with pytest.raises(ValidationError) as exc:
        partner_service.delete_partner(actor=admin_user, partner=partner)
    assert "1 links" in exc.value.messages[0]
    assert Partner.objects.filter(pk=partner.pk).exists()
