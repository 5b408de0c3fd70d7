"""Content items and their platform variants: creation, validation, versions, isolation."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanloop.campaigns import services as campaign_services
from fanloop.content import services
from fanloop.content.diffs import diff_versions
from fanloop.content.models import ContentItem, Variant, VariantState, VariantVersion
from fanloop.content.tests.conftest import CLEAN_BODY
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db


def test_item_is_created_with_one_variant_per_platform(writer, workspace):
    # when a writer creates an item for three platforms
    item = services.create_item(
        actor=writer,
        workspace=workspace,
        data={
            "title": "夏日防晒",
            "content_type": "note",
            "purpose": "tutorial",
            "tags": "防晒, 夏季",
        },
        platforms=["xiaohongshu", "weibo", "douyin"],
    )
    # then it has three draft variants titled after it, each with version 1
    assert sorted(item.variants.values_list("platform", flat=True)) == [
        "douyin",
        "weibo",
        "xiaohongshu",
    ]
    assert set(item.variants.values_list("state", flat=True)) == {VariantState.DRAFT}
    assert item.tags == ["防晒", "夏季"]
    assert VariantVersion.objects.filter(variant__item=item, number=1).count() == 3
    assert AuditEntry.objects.filter(action="content.item_create", object_id=str(item.pk)).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": " ", "content_type": "note", "purpose": "tutorial"}, "title"),
        ({"title": "x", "content_type": "podcast", "purpose": "tutorial"}, "content_type"),
        ({"title": "x", "content_type": "note", "purpose": "spam"}, "purpose"),
        (
            {"title": "x", "content_type": "note", "purpose": "tutorial", "special_cosmetic": True},
            "special_cosmetic",
        ),
        ({"title": "x", "content_type": "note", "purpose": "tutorial", "colour": "red"}, "colour"),
    ],
)
def test_bad_item_input_is_refused_and_nothing_is_written(writer, workspace, data, field):
    # when the input is wrong
    with pytest.raises(ValidationError) as error:
        services.create_item(actor=writer, workspace=workspace, data=data, platforms=["weibo"])
    # then the error names the field and nothing was created
    assert field in error.value.message_dict
    assert not ContentItem.objects.exists()
    assert not Variant.objects.exists()


def test_unknown_platform_rolls_back_the_whole_item(writer, workspace):
    with pytest.raises(ValidationError) as error:
        services.create_item(
            actor=writer,
            workspace=workspace,
            data={"title": "x", "content_type": "note", "purpose": "tutorial"},
            platforms=["weibo", "taobao"],
        )
    assert "platform" in error.value.message_dict
    assert not ContentItem.objects.exists()


def test_another_workspaces_campaign_cannot_be_linked(writer, workspace, other_workspace):
    owner = other_workspace.memberships.get().user
    foreign = campaign_services.create_campaign(
        actor=owner,
        workspace=other_workspace,
        data={"name": "B's", "start_date": date(2026, 11, 1), "end_date": date(2026, 12, 1)},
    )
    with pytest.raises(ValidationError) as error:
        services.create_item(
            actor=writer,
            workspace=workspace,
            data={"title": "x", "content_type": "note", "purpose": "tutorial", "campaign": foreign},
        )
    assert "campaign" in error.value.message_dict


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER, Role.OPERATOR, Role.ANALYST])
def test_roles_without_content_edit_cannot_create(member_with_role, workspace, role):
    user = member_with_role(role)
    with pytest.raises(PermissionDenied):
        services.create_item(
            actor=user,
            workspace=workspace,
            data={"title": "x", "content_type": "note", "purpose": "tutorial"},
        )


def test_non_member_cannot_create(make_user, workspace):
    with pytest.raises(PermissionDenied):
        services.create_item(
            actor=make_user("stranger"),
            workspace=workspace,
            data={"title": "x", "content_type": "note", "purpose": "tutorial"},
        )


def test_saving_changed_copy_makes_a_new_version_with_a_readable_diff(variant, writer):
    # given version 2 holds the clean body (version 1 was the empty draft)
    assert variant.version == 2
    # when the writer changes one phrase
    changed = services.update_variant(
        actor=writer,
        variant=variant,
        data={"body": CLEAN_BODY.replace("轻薄透气", "轻盈速干"), "topics": ["#春装#", "通勤"]},
        expected_version=2,
    )
    # then version 3 exists and the diff shows exactly the deleted and inserted words
    assert changed.version == 3
    assert changed.topics == ["春装", "通勤"]
    old, new = (VariantVersion.objects.get(variant=variant, number=n) for n in (2, 3))
    body = next(d for d in diff_versions(old, new) if d.field == "body")
    assert [(s.op, s.text) for s in body.segments if s.op != "equal"] == [
        ("delete", "薄透气"),
        ("insert", "盈速干"),
    ]
    assert AuditEntry.objects.filter(action="content.variant_update").count() >= 2


def test_saving_identical_copy_is_not_a_new_version(variant, writer):
    again = services.update_variant(actor=writer, variant=variant, data={"body": CLEAN_BODY})
    assert again.version == variant.version
    assert VariantVersion.objects.filter(variant=variant).count() == 2


def test_a_stale_editor_cannot_overwrite_a_newer_version(variant, writer):
    services.update_variant(actor=writer, variant=variant, data={"title": "新标题"})
    with pytest.raises(ValidationError, match="reload"):
        services.update_variant(
            actor=writer, variant=variant, data={"title": "旧编辑"}, expected_version=2
        )
    variant.refresh_from_db()
    assert variant.title == "新标题"


def test_findings_are_stored_with_exact_spans_on_save(variant, writer):
    body = "这是全网最好的面霜"
    saved = services.update_variant(actor=writer, variant=variant, data={"body": body})
    finding = next(f for f in saved.findings if f["matched"] == "最好")
    assert (finding["start"], finding["end"]) == (body.index("最好"), body.index("最好") + 2)
    assert finding["severity"] == "block"
    assert finding["field"] == "body"
    assert "广告法" in finding["source"]


def test_platform_rule_problems_are_stored_on_save(make_item, writer):
    variant = make_item(platforms=["xiaohongshu"]).variants.get()
    saved = services.update_variant(
        actor=writer, variant=variant, data={"title": "标" * 40, "body": CLEAN_BODY}
    )
    problem = next(p for p in saved.rule_problems if p["field"] == "title")
    assert problem["severity"] == "error"
    assert problem["actual"] == 40


def test_one_variant_per_platform(make_item, writer):
    item = make_item(platforms=["weibo"])
    with pytest.raises(ValidationError, match="already has a variant"):
        services.add_variant(actor=writer, item=item, platform="weibo")


def test_media_from_another_workspace_is_refused(
    variant, writer, other_workspace, tmp_path, settings
):
    from fanloop.content.models import MediaAsset

    foreign = MediaAsset.objects.create(
        workspace=other_workspace,
        kind="image",
        file="x.png",
        original_name="x.png",
        mime="image/png",
        extension="png",
        size_bytes=1,
        sha256="0" * 64,
    )
    with pytest.raises(ValidationError) as error:
        services.update_variant(actor=writer, variant=variant, data={"media": [foreign.pk]})
    assert "media" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.update_variant(actor=writer, variant=variant, data={"cover": foreign.pk})
    assert "cover" in error.value.message_dict


def test_template_gives_new_items_their_structure(writer, workspace):
    template = services.save_template(
        actor=writer,
        workspace=workspace,
        data={
            "name": "新品测评",
            "content_type": "note",
            "purpose": "tutorial",
            "title": "【测评】",
            "body": "开箱：\n上脸感受：\n总结：",
            "topics": ["测评"],
            "platforms": ["xiaohongshu", "bilibili"],
        },
    )
    item = services.create_item(
        actor=writer, workspace=workspace, data={"title": "面霜测评"}, template=template
    )
    assert item.content_type == "note"
    assert sorted(item.variants.values_list("platform", flat=True)) == ["bilibili", "xiaohongshu"]
    assert all(v.body.startswith("开箱") and v.topics == ["测评"] for v in item.variants.all())
    with pytest.raises(ValidationError) as error:
        services.save_template(
            actor=writer, workspace=workspace, data={"name": "新品测评", "platforms": []}
        )
    assert "name" in error.value.message_dict


def test_delete_variant_refused_once_scheduled(variant, writer, operator):
    from datetime import timedelta

    from django.utils import timezone

    services.transition(actor=writer, variant=variant, name="submit")
    services.transition(
        actor=operator,
        variant=variant,
        name="schedule",
        planned_at=timezone.now() + timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="archive"):
        services.delete_variant(actor=writer, variant=variant)
    assert Variant.objects.filter(pk=variant.pk).exists()
