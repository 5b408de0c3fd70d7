"""Tracking links through the service: codes, destinations, UTM, context checks, bulk."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role
from fanloop.tracking.models import PartnerKind, TrackingLink
from fanloop.tracking.services import links as link_service
from fanloop.tracking.tests.conftest import LANDING

pytestmark = pytest.mark.django_db


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# Short codes -----------------------------------------------------------------------------


def test_random_code_is_seven_unambiguous_characters(make_link):
    # given / when
    links = [make_link() for _ in range(20)]
    # then
    for link in links:
        assert len(link.code) == 7
        assert not set(link.code) & set("0O1lIo")
    assert len({link.code for link in links}) == 20


def test_a_collision_draws_another_code(make_link, monkeypatch):
    # given an existing link and a generator that first repeats its code
    first = make_link()
    drawn = iter([first.code, first.code.swapcase(), "Zz23456"])
    monkeypatch.setattr(link_service, "random_code", lambda: next(drawn))
    # when
    second = make_link()
    # then the taken code (in either case) was skipped
    assert second.code == "Zz23456"


def test_custom_code_is_kept(make_link):
    link = make_link(code="Spring_2026-sale")
    assert link.code == "Spring_2026-sale"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ab", "3 to 32"),
        ("x" * 33, "3 to 32"),
        ("has space", "3 to 32"),
        ("中文码", "3 to 32"),
        ("admin", "reserved"),
        ("API", "reserved"),
    ],
)
def test_bad_custom_codes_are_refused(make_link, code, message):
    with pytest.raises(ValidationError) as exc:
        make_link(code=code)
    assert message in errors_of(exc)["code"][0]
    assert not TrackingLink.objects.exists()


def test_custom_code_must_be_unique_in_any_case_across_workspaces(
    make_link, other_workspace, outsider
):
    # given a code used by this workspace
    make_link(code="summer")
    # when another workspace asks for it in another case
    with pytest.raises(ValidationError) as exc:
        make_link(workspace=other_workspace, actor=outsider, code="SUMMER")
    # then (/l/<code> carries no workspace, so codes are global)
    assert "already in use" in errors_of(exc)["code"][0]
    assert TrackingLink.objects.count() == 1


def test_the_code_cannot_change(make_link, admin_user):
    link = make_link()
    with pytest.raises(ValidationError) as exc:
        link_service.update_link(actor=admin_user, link=link, data={"code": "other-code"})
    assert "cannot change" in errors_of(exc)["code"][0]


# Destinations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "Only http"),
        ("data:text/html,<b>x</b>", "Only http"),
        ("ftp://files.example.com/a", "Only http"),
        ("weixin://dl/business/?t=abc", "mini-program"),
        ("pages/index/index?id=3", "mini-program"),
        ("shop.example.com/item", "https://"),
        ("", "destination"),
    ],
)
def test_only_http_destinations(make_link, url, message):
    with pytest.raises(ValidationError) as exc:
        make_link(destination_url=url)
    assert message in errors_of(exc)["destination_url"][0]
    assert not TrackingLink.objects.exists()


def test_mini_program_url_link_is_accepted(make_link):
    link = make_link(destination_url="https://wxaurl.cn/AbCdEf123")
    assert link.destination_url == "https://wxaurl.cn/AbCdEf123"


def test_tagged_url_keeps_other_parameters_and_overrides_utm(make_link, campaign):
    link = make_link(
        destination_url="https://shop.example.com/item?id=7&utm_source=old",
        campaign=campaign,
        platform="weibo",
    )
    query = parse_qs(urlsplit(link_service.tagged_url(link)).query)
    assert query["id"] == ["7"]
    assert query["utm_source"] == ["weibo"]
    assert query["utm_campaign"] == [f"c{campaign.pk}"]


# UTM -------------------------------------------------------------------------------------


def test_utm_from_a_kol_partner(make_link, make_partner, campaign):
    partner = make_partner("Viya Studio", PartnerKind.KOL, platform="douyin")
    link = make_link(campaign=campaign, partner=partner)
    assert link.utm_source == "douyin"
    assert link.utm_medium == "kol"
    assert link.utm_campaign == f"c{campaign.pk}"  # a Chinese name has no ASCII slug
    assert link.utm_content == "viya-studio"


def test_utm_for_an_organic_post(make_link, variant):
    # given content of a campaign on xiaohongshu, no partner
    link = make_link(variant=variant)
    # then the link is credited to the content's campaign and platform
    assert link.campaign == variant.item.campaign
    assert link.platform == "xiaohongshu"
    assert link.utm_source == "xiaohongshu"
    assert link.utm_medium == "social"
    assert link.utm_content == f"v{variant.pk}"


def test_utm_for_a_channel_and_an_ascii_campaign(make_link, make_campaign, workspace):
    campaign = make_campaign("Spring Sale", workspace=workspace)
    link = make_link(campaign=campaign, channel="Newsletter")
    assert link.utm_source == "newsletter"
    assert link.utm_medium == "newsletter"
    assert link.utm_campaign == f"{campaign.pk}-spring-sale"


def test_typed_utm_values_win_and_survive_context_changes(
    make_link, make_partner, admin_user, campaign
):
    # given a link with a typed medium
    link = make_link(campaign=campaign, platform="weibo", utm_medium="paid-social")
    assert link.utm_medium == "paid-social"
    # when the context changes
    partner = make_partner("Koc Amy", PartnerKind.KOC)
    link = link_service.update_link(actor=admin_user, link=link, data={"partner": partner})
    # then the typed value stays, the automatic ones follow the new context
    assert link.utm_medium == "paid-social"
    assert link.utm_content == "koc-amy"


def test_auto_utm_follows_the_context_on_edit_and_blank_restores_auto(
    make_link, admin_user, campaign
):
    link = make_link(campaign=campaign, platform="weibo")
    # the form posts back the current automatic value unchanged
    link = link_service.update_link(
        actor=admin_user, link=link, data={"platform": "douyin", "utm_source": "weibo"}
    )
    assert link.utm_source == "douyin"
    link = link_service.update_link(actor=admin_user, link=link, data={"utm_source": "mine"})
    assert link.utm_source == "mine"
    link = link_service.update_link(actor=admin_user, link=link, data={"utm_source": ""})
    assert link.utm_source == "douyin"


# Context belongs to the workspace --------------------------------------------------------


def test_foreign_campaign_variant_partner_are_refused(
    make_link, make_campaign, make_variant, make_partner, other_workspace, outsider
):
    # given rows of another workspace
    owner = outsider
    their_campaign = make_campaign(workspace=other_workspace, actor=owner)
    their_variant = make_variant(workspace=other_workspace, actor=owner)
    their_partner = make_partner("Them", workspace=other_workspace, actor=owner)
    # when / then
    with pytest.raises(ValidationError) as exc:
        make_link(campaign=their_campaign, variant=their_variant, partner=their_partner)
    assert set(errors_of(exc)) == {"campaign", "variant", "partner"}
    assert not TrackingLink.objects.exists()


def test_variant_of_another_campaign_is_refused(make_link, make_campaign, variant, workspace):
    other = make_campaign("另一个活动", workspace=workspace)
    with pytest.raises(ValidationError) as exc:
        make_link(campaign=other, variant=variant)
    assert "another campaign" in errors_of(exc)["variant"][0]


def test_expiry_must_be_in_the_future(make_link):
    with pytest.raises(ValidationError) as exc:
        make_link(expires_at=timezone.now() - timedelta(minutes=1))
    assert "future" in errors_of(exc)["expires_at"][0]
    link = make_link(expires_at=timezone.now() + timedelta(days=3))
    assert not link_service.expired(link)
    assert link_service.expired(link, now=timezone.now() + timedelta(days=4))


# Permissions and audit -------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.MARKETING, Role.ANALYST, Role.ADMIN])
def test_tracking_roles_can_create(make_link, member_with_role, role):
    link = make_link(actor=member_with_role(role))
    assert link.created_by is not None


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTENT, Role.REVIEWER])
def test_other_roles_cannot_create(make_link, member_with_role, role):
    with pytest.raises(PermissionDenied):
        make_link(actor=member_with_role(role))
    assert not TrackingLink.objects.exists()


def test_every_write_is_audited(make_link, admin_user, campaign):
    link = make_link(campaign=campaign)
    link_service.update_link(actor=admin_user, link=link, data={"name": "Poster A"})
    link_service.set_archived(actor=admin_user, link=link, archived=True)
    link_service.set_archived(actor=admin_user, link=link, archived=False)
    actions = list(
        AuditEntry.objects.filter(object_type="tracking.trackinglink")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "tracking.link_create",
        "tracking.link_update",
        "tracking.link_archive",
        "tracking.link_restore",
    ]
    update = AuditEntry.objects.get(action="tracking.link_update")
    assert update.changes["name"] == ["", "Poster A"]


# Bulk ------------------------------------------------------------------------------------


def test_bulk_for_partners_names_each_link(admin_user, workspace, campaign, make_partner):
    partners = [make_partner("Alpha"), make_partner("Beta", PartnerKind.CHANNEL)]
    links = link_service.bulk_create_links(
        actor=admin_user,
        workspace=workspace,
        data={"destination_url": LANDING, "campaign": campaign, "platform": "weibo"},
        partners=partners,
    )
    assert [link.name for link in links] == ["Alpha", "Beta"]
    assert [link.partner for link in links] == partners
    assert [link.utm_medium for link in links] == ["kol", "beta"]
    assert len({link.code for link in links}) == 2
    assert AuditEntry.objects.filter(action="tracking.link_bulk_create").count() == 2


def test_bulk_for_channel_lines(admin_user, workspace, campaign):
    channels = link_service.parse_channel_lines("Newsletter\n\n  门店海报 \nSMS\n")
    links = link_service.bulk_create_links(
        actor=admin_user,
        workspace=workspace,
        data={"destination_url": LANDING, "campaign": campaign},
        channels=channels,
    )
    assert [(link.name, link.channel) for link in links] == [
        ("Newsletter", "Newsletter"),
        ("门店海报", "门店海报"),
        ("SMS", "SMS"),
    ]


def test_bulk_is_all_or_nothing_and_reports_every_row(
    admin_user, workspace, campaign, make_partner, other_workspace, outsider
):
    owner = outsider
    ours = make_partner("Alpha")
    theirs = make_partner("Them", workspace=other_workspace, actor=owner)
    with pytest.raises(ValidationError) as exc:
        link_service.bulk_create_links(
            actor=admin_user,
            workspace=workspace,
            data={"destination_url": "javascript:alert(1)", "campaign": campaign},
            partners=[ours, theirs, ours],
        )
    errors = errors_of(exc)
    assert len(errors["partners"]) == 2
    assert "Row 2" in errors["partners"][0]
    assert "Row 3" in errors["partners"][1]
    assert "destination_url" in errors
    assert not TrackingLink.objects.exists()


def test_bulk_reports_duplicate_and_long_channel_lines(admin_user, workspace):
    with pytest.raises(ValidationError) as exc:
        link_service.bulk_create_links(
            actor=admin_user,
            workspace=workspace,
            data={"destination_url": LANDING},
            channels=["SMS", "sms", "x" * 101],
        )
    messages = errors_of(exc)["channels"]
    assert "Line 2" in messages[0]
    assert "twice" in messages[0]
    assert "Line 3" in messages[1]
    assert not TrackingLink.objects.exists()


def test_bulk_needs_rows(admin_user, workspace):
    with pytest.raises(ValidationError) as exc:
        link_service.bulk_create_links(
            actor=admin_user, workspace=workspace, data={"destination_url": LANDING}
        )
    assert "partners" in errors_of(exc)


def test_viewer_cannot_bulk_create(viewer, workspace):
    with pytest.raises(PermissionDenied):
        link_service.bulk_create_links(
            actor=viewer, workspace=workspace, data={"destination_url": LANDING}, channels=["A"]
        )
