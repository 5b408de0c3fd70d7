"""Content settings (admins only: review steps and thresholds) and content templates
(list, create, edit, delete, use)."""

import pytest
from django.urls import reverse

from fanloop.content import services
from fanloop.content.models import ContentItem, ContentSettings, ContentTemplate, ReviewStep
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db


def settings_url(workspace):
    return reverse("content_settings", args=[workspace.slug])


def steps_post(rows, **extra):
    data = {
        "section": "steps",
        "steps-TOTAL_FORMS": str(len(rows)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "10",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"steps-{i}-{key}"] = value
    data.update(extra)
    return data


@pytest.mark.parametrize("role", [Role.MARKETING, Role.CONTENT, Role.REVIEWER, Role.VIEWER])
def test_settings_page_is_for_admins_only(client_for, member_with_role, role, workspace):
    client = client_for(member_with_role(role))
    assert client.get(settings_url(workspace)).status_code == 403
    response = client.post(settings_url(workspace), steps_post([{"name": "x", "role": "admin"}]))
    assert response.status_code == 403
    assert not ReviewStep.objects.exists()


def test_admin_sets_review_steps_in_order_and_removes_them(client_for, admin_user, workspace):
    client = client_for(admin_user)
    assert client.get(settings_url(workspace)).status_code == 200

    # when the admin saves two steps (and a blank row, which is ignored)
    response = client.post(
        settings_url(workspace),
        steps_post(
            [
                {"name": "内容主管", "role": "marketing"},
                {"name": "合规", "role": "reviewer"},
                {"name": "", "role": "admin"},
            ]
        ),
    )
    assert response.status_code == 302
    assert [(s.name, s.role) for s in services.steps_of(workspace)] == [
        ("内容主管", "marketing"),
        ("合规", "reviewer"),
    ]

    # the page shows them, with a blank row to add another
    page = client.get(settings_url(workspace))
    assert page.context["steps"].total_form_count() == 3

    # "Add a row" re-renders with another blank row and saves nothing
    added = client.post(
        settings_url(workspace),
        steps_post([{"name": "法务", "role": "reviewer"}], add="1"),
    )
    assert added.status_code == 200
    assert added.context["steps"].total_form_count() == 2
    assert len(services.steps_of(workspace)) == 2

    # removing every row means no review
    client.post(
        settings_url(workspace),
        steps_post(
            [
                {"name": "内容主管", "role": "marketing", "remove": "on"},
                {"name": "合规", "role": "reviewer", "remove": "on"},
            ]
        ),
    )
    assert services.steps_of(workspace) == []


def test_a_viewer_step_is_refused_and_nothing_changes(client_for, admin_user, workspace):
    response = client_for(admin_user).post(
        settings_url(workspace), steps_post([{"name": "看看", "role": "viewer"}])
    )
    assert response.status_code == 400
    assert not ReviewStep.objects.exists()


def test_thresholds(client_for, admin_user, workspace):
    client = client_for(admin_user)
    ok = client.post(
        settings_url(workspace),
        {
            "section": "thresholds",
            "hard_ad_cap_percent": "25",
            "originality_min_percent": "60",
            "best_time_min_posts": "40",
        },
    )
    assert ok.status_code == 302
    row = ContentSettings.objects.get(workspace=workspace)
    assert (row.hard_ad_cap_percent, row.originality_min_percent, row.best_time_min_posts) == (
        25,
        60,
        40,
    )
    bad = client.post(
        settings_url(workspace),
        {
            "section": "thresholds",
            "hard_ad_cap_percent": "150",
            "originality_min_percent": "60",
            "best_time_min_posts": "40",
        },
    )
    assert bad.status_code == 400
    assert "hard_ad_cap_percent" in bad.context["thresholds"].errors
    row.refresh_from_db()
    assert row.hard_ad_cap_percent == 25


def test_templates_create_edit_use_and_delete(client_for, writer, workspace):
    client = client_for(writer)
    listing = reverse("content_templates", args=[workspace.slug])
    new = reverse("content_template_edit", args=[workspace.slug])

    # create
    created = client.post(
        new,
        {
            "name": "节日模板",
            "content_type": "image_text",
            "purpose": "scenario",
            "title": "节日快乐",
            "body": "祝大家节日快乐！",
            "topics": "#节日#, 礼物",
            "platforms": ["weibo", "douyin"],
        },
    )
    assert created.status_code == 302
    template = ContentTemplate.objects.get(name="节日模板")
    assert template.topics == ["节日", "礼物"]
    assert template.platforms == ["weibo", "douyin"]

    # a duplicate name is a field error
    duplicate = client.post(new, {"name": "节日模板"})
    assert duplicate.status_code == 400
    assert "name" in duplicate.context["form"].errors
    assert ContentTemplate.objects.count() == 1

    # edit
    edit = reverse("content_template_edit", args=[workspace.slug, template.pk])
    assert client.get(edit).status_code == 200
    client.post(edit, {"name": "节日模板", "body": "新年快乐", "platforms": ["weibo"]})
    template.refresh_from_db()
    assert (template.body, template.platforms) == ("新年快乐", ["weibo"])

    # the list links "Use" to a new item from it, and using it works
    page = client.get(listing).content.decode()
    use = reverse("content_new", args=[workspace.slug]) + f"?template={template.pk}"
    assert use in page
    client.post(
        reverse("content_new", args=[workspace.slug]),
        {
            "title": "春节",
            "template": template.pk,
            "content_type": "note",
            "purpose": "scenario",
            "product_kind": "general",
        },
    )
    item = ContentItem.objects.get(title="春节")
    assert item.variants.get().body == "新年快乐"

    # delete
    client.post(reverse("content_template_delete", args=[workspace.slug, template.pk]))
    assert not ContentTemplate.objects.exists()


def test_templates_of_another_workspace_are_404(client_for, writer, workspace, other_workspace):
    owner_b = other_workspace.memberships.get().user
    template_b = services.save_template(
        actor=owner_b, workspace=other_workspace, data={"name": "B"}
    )
    client = client_for(writer)
    assert (
        client.get(
            reverse("content_template_edit", args=[workspace.slug, template_b.pk])
        ).status_code
        == 404
    )
    client.post(reverse("content_template_delete", args=[workspace.slug, template_b.pk]))
    assert ContentTemplate.objects.filter(pk=template_b.pk).exists()
    # ?template= of another workspace is ignored, not used
    page = client.get(reverse("content_new", args=[workspace.slug]), {"template": template_b.pk})
    assert page.context["template"] is None


def test_viewer_sees_templates_but_cannot_change_them(client_for, member_with_role, workspace):
    viewer = member_with_role(Role.VIEWER)
    client = client_for(viewer)
    assert client.get(reverse("content_templates", args=[workspace.slug])).status_code == 200
    assert (
        client.post(
            reverse("content_template_edit", args=[workspace.slug]), {"name": "x"}
        ).status_code
        == 403
    )
