"""The studio's item pages: list and filters, tenancy, new item (with errors and from a
template), item page, editing a variant (versions, diff, back to review)."""

import pytest
from django.urls import reverse

from fanloop.content import services
from fanloop.content.models import ContentItem, Variant, VariantState, VariantVersion
from fanloop.content.tests.conftest import CLEAN_BODY
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db


def url(name, workspace, *args):
    return reverse(name, args=[workspace.slug, *args])


def variant_url(name, variant):
    return reverse(name, args=[variant.workspace.slug, variant.item_id, variant.pk])


def test_list_shows_items_with_variant_badges_and_renders_as_fragment(
    client_for, writer, make_item, workspace
):
    # given an item with two variants
    make_item("夏日防晒", platforms=["weibo", "xiaohongshu"])
    client = client_for(writer)

    # when the list is opened in full and through htmx
    full = client.get(url("content_list", workspace))
    part = client.get(url("content_list", workspace), headers={"HX-Request": "true"})

    # then both show the item with a badge per platform, only the full page has the shell
    assert full.status_code == 200
    html = full.content.decode()
    assert "夏日防晒" in html
    assert html.count('data-state="draft"') == 2
    assert "<html" in html
    assert part.status_code == 200
    assert "<html" not in part.content.decode()
    assert "夏日防晒" in part.content.decode()


def test_list_filters_by_text_platform_purpose_state_and_tag(
    client_for, writer, make_item, workspace
):
    # given three different items
    make_item("面霜测评", platforms=["xiaohongshu"], purpose="tutorial", tags=["护肤"])
    make_item("直播预告", platforms=["douyin"], purpose="hard_ad")
    approved = make_item("新品图文", platforms=["weibo"]).variants.get()
    services.update_variant(actor=writer, variant=approved, data={"body": CLEAN_BODY})
    services.transition(actor=writer, variant=approved, name="submit")
    client = client_for(writer)

    def titles(**params):
        html = client.get(url("content_list", workspace), params).content.decode()
        return {t for t in ("面霜测评", "直播预告", "新品图文") if t in html}

    # then each filter narrows the list
    assert titles() == {"面霜测评", "直播预告", "新品图文"}
    assert titles(text="测评") == {"面霜测评"}
    assert titles(platform="douyin") == {"直播预告"}
    assert titles(purpose="hard_ad") == {"直播预告"}
    assert titles(state="approved") == {"新品图文"}
    assert titles(tag="护肤") == {"面霜测评"}
    assert titles(owner=writer.pk) == {"面霜测评", "直播预告", "新品图文"}


def test_other_workspaces_items_are_never_listed_and_404(
    client_for, writer, make_item, workspace, other_workspace
):
    # given an item in workspace B
    owner_b = other_workspace.memberships.get().user
    item_b = services.create_item(
        actor=owner_b,
        workspace=other_workspace,
        data={"title": "B 的秘密", "content_type": "note", "purpose": "knowledge"},
        platforms=["weibo"],
    )
    variant_b = item_b.variants.get()
    client = client_for(writer)

    # when A's member looks for it
    listing = client.get(url("content_list", workspace), {"text": "秘密"})

    # then it is not listed, and every page of it is 404 through A's slug and B's slug
    assert "B 的秘密" not in listing.content.decode()
    assert client.get(url("content_item", workspace, item_b.pk)).status_code == 404
    assert client.get(url("variant_detail", workspace, item_b.pk, variant_b.pk)).status_code == 404
    assert client.get(url("content_list", other_workspace)).status_code == 404
    assert client.get(url("content_item", other_workspace, item_b.pk)).status_code == 404
    save = client.post(
        url("variant_save", workspace, item_b.pk, variant_b.pk), {"body": "改掉", "title": "x"}
    )
    assert save.status_code == 404
    variant_b.refresh_from_db()
    assert variant_b.body == ""


def test_create_item_with_a_variant_per_platform(client_for, writer, workspace):
    # when a writer creates an item for two platforms
    response = client_for(writer).post(
        url("content_new", workspace),
        {
            "title": "秋季上新",
            "content_type": "image_text",
            "purpose": "product_intro",
            "tags": "秋季, 新品，外套",
            "owner": writer.pk,
            "product_kind": "general",
            "platforms": ["weibo", "xiaohongshu"],
        },
    )

    # then the item exists with its tags and one draft variant per platform
    item = ContentItem.objects.get(title="秋季上新")
    assert response.status_code == 302
    assert response["Location"] == url("content_item", workspace, item.pk)
    assert item.tags == ["秋季", "新品", "外套"]
    assert sorted(item.variants.values_list("platform", flat=True)) == ["weibo", "xiaohongshu"]
    assert set(item.variants.values_list("state", flat=True)) == {VariantState.DRAFT}


def test_create_with_field_errors_shows_them_and_writes_nothing(client_for, writer, workspace):
    # when the title is missing and a non-cosmetic claims to be a special cosmetic
    response = client_for(writer).post(
        url("content_new", workspace),
        {
            "title": "",
            "content_type": "image_text",
            "purpose": "product_intro",
            "product_kind": "food",
            "special_cosmetic": "on",
            "platforms": ["weibo"],
        },
    )

    # then the errors are on their fields and nothing was created
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "title" in errors
    assert ContentItem.objects.count() == 0
    assert Variant.objects.count() == 0


def test_create_refuses_another_workspaces_campaign(client_for, writer, workspace, other_workspace):
    from datetime import date

    from fanloop.campaigns import services as campaign_services

    owner_b = other_workspace.memberships.get().user
    campaign_b = campaign_services.create_campaign(
        actor=owner_b,
        workspace=other_workspace,
        data={"name": "B", "start_date": date(2026, 1, 1), "end_date": date(2026, 2, 1)},
    )
    response = client_for(writer).post(
        url("content_new", workspace),
        {
            "title": "越界",
            "content_type": "note",
            "purpose": "knowledge",
            "product_kind": "general",
            "campaign": campaign_b.pk,
        },
    )
    assert response.status_code == 400
    assert "campaign" in response.context["form"].errors
    assert not ContentItem.objects.filter(title="越界").exists()


def test_viewer_cannot_create_or_edit(client_for, member_with_role, make_item, workspace):
    viewer = member_with_role(Role.VIEWER)
    item = make_item()
    client = client_for(viewer)
    assert client.get(url("content_list", workspace)).status_code == 200
    assert client.get(url("content_item", workspace, item.pk)).status_code == 200
    assert client.get(url("content_new", workspace)).status_code == 403
    assert client.post(url("content_new", workspace), {"title": "x"}).status_code == 403
    assert client.get(url("content_item_edit", workspace, item.pk)).status_code == 403
    assert b"New item" not in client.get(url("content_list", workspace)).content


def test_item_page_and_edit_and_add_variant(client_for, writer, make_item, workspace):
    # given an item with a weibo variant
    item = make_item("图文", platforms=["weibo"])
    client = client_for(writer)

    # when the item page is opened, it shows the variant card and the add form
    page = client.get(url("content_item", workspace, item.pk)).content.decode()
    assert 'data-testid="variants"' in page
    assert "add-variant" in page

    # when the writer edits the basics
    edited = client.post(
        url("content_item_edit", workspace, item.pk),
        {
            "title": "图文改",
            "content_type": "image_text",
            "purpose": "knowledge",
            "product_kind": "general",
            "tags": "a,b",
        },
    )
    item.refresh_from_db()
    assert edited.status_code == 302
    assert (item.title, item.purpose, item.tags) == ("图文改", "knowledge", ["a", "b"])

    # and adds a douyin variant
    added = client.post(url("content_variant_add", workspace, item.pk), {"platform": "douyin"})
    douyin = item.variants.get(platform="douyin")
    assert added.status_code == 302
    assert added["Location"] == variant_url("variant_detail", douyin)

    # adding the same platform again is refused with a message, nothing added
    again = client.post(
        url("content_variant_add", workspace, item.pk), {"platform": "douyin"}, follow=True
    )
    assert item.variants.filter(platform="douyin").count() == 1
    assert again.status_code == 200


def test_save_makes_a_version_and_the_diff_shows_ins_and_del(client_for, writer, variant):
    client = client_for(writer)
    versions_before = VariantVersion.objects.filter(variant=variant).count()

    # when the body is changed through the editor
    response = client.post(
        variant_url("variant_save", variant),
        {
            "title": variant.title,
            "body": "春季新品上市，轻薄柔软，适合通勤穿搭。欢迎来店里看看。",
            "topics": "#春季#, 新品",
            "mentions": "@品牌官方",
            "expected_version": variant.version,
        },
    )

    # then a new version was saved
    assert response.status_code == 302
    variant.refresh_from_db()
    assert VariantVersion.objects.filter(variant=variant).count() == versions_before + 1
    assert variant.topics == ["春季", "新品"]
    assert variant.mentions == ["品牌官方"]

    # and the diff page (previous vs current by default) marks the change
    diff = client.get(variant_url("variant_diff", variant)).content.decode()
    assert '<del class="diff-del">透气</del>' in diff
    assert '<ins class="diff-ins">柔软</ins>' in diff
    explicit = client.get(variant_url("variant_diff", variant), {"from": 1, "to": variant.version})
    assert explicit.status_code == 200
    assert client.get(variant_url("variant_diff", variant), {"to": 99}).status_code == 404


def test_a_stale_save_is_refused(client_for, writer, variant):
    client = client_for(writer)
    stale = variant.version
    services.update_variant(actor=writer, variant=variant, data={"body": CLEAN_BODY + "再改"})
    response = client.post(
        variant_url("variant_save", variant),
        {"title": variant.title, "body": "覆盖", "expected_version": stale},
    )
    assert response.status_code == 400
    assert "reload" in response.content.decode()
    variant.refresh_from_db()
    assert variant.body != "覆盖"


def test_saving_an_approved_variant_sends_it_back_to_review(
    client_for, writer, reviewer, admin_user, variant, workspace
):
    # given a one-step review chain and an approved variant
    services.set_review_steps(
        actor=admin_user, workspace=workspace, steps=[{"name": "合规", "role": Role.REVIEWER}]
    )
    services.transition(actor=writer, variant=variant, name="submit")
    services.transition(actor=reviewer, variant=variant, name="approve")
    variant.refresh_from_db()
    assert variant.state == VariantState.APPROVED

    # when the writer changes the copy
    response = client_for(writer).post(
        variant_url("variant_save", variant),
        {
            "title": variant.title,
            "body": CLEAN_BODY + "限时优惠。",
            "expected_version": variant.version,
        },
        follow=True,
    )

    # then it is in review again, and the page says so
    variant.refresh_from_db()
    assert variant.state == VariantState.IN_REVIEW
    assert "In review" in response.content.decode()


def test_planned_time_is_read_in_the_workspace_time_zone(client_for, writer, variant):
    client_for(writer).post(
        variant_url("variant_save", variant),
        {
            "title": variant.title,
            "body": variant.body,
            "planned_at": "2027-03-01T20:00",
            "expected_version": variant.version,
        },
    )
    variant.refresh_from_db()
    # 20:00 in Shanghai is 12:00 UTC
    assert variant.planned_at.isoformat() == "2027-03-01T12:00:00+00:00"
    page = client_for(writer).get(variant_url("variant_detail", variant)).content.decode()
    assert 'value="2027-03-01T20:00"' in page


def test_delete_variant(client_for, writer, variant):
    response = client_for(writer).post(variant_url("variant_delete", variant))
    assert response.status_code == 302
    assert not Variant.objects.filter(pk=variant.pk).exists()


def test_new_item_from_a_template(client_for, writer, workspace):
    template = services.save_template(
        actor=writer,
        workspace=workspace,
        data={
            "name": "测评模板",
            "content_type": "note",
            "purpose": "tutorial",
            "title": "测评：",
            "body": "优点：\n缺点：",
            "topics": ["测评"],
            "platforms": ["xiaohongshu", "weibo"],
        },
    )
    client = client_for(writer)

    # the form is prefilled from ?template=
    form_page = client.get(url("content_new", workspace), {"template": template.pk})
    form = form_page.context["form"]
    assert form["purpose"].value() == "tutorial"
    assert form["template"].value() == template.pk

    # creating from it copies the template into each variant
    client.post(
        url("content_new", workspace),
        {"title": "面霜测评", "template": template.pk, "product_kind": "general"},
    )
    item = ContentItem.objects.get(title="面霜测评")
    assert (item.content_type, item.purpose) == ("note", "tutorial")
    assert item.variants.count() == 2
    assert set(item.variants.values_list("body", flat=True)) == {"优点：\n缺点："}


@pytest.mark.parametrize(
    "name",
    [
        "content_list",
        "content_new",
        "review_queue",
        "media_library",
        "content_templates",
        "content_template_edit",
        "content_settings",
        "content_item",
        "content_item_edit",
        "variant_detail",
        "variant_diff",
        "variant_versions",
    ],
)
def test_every_page_renders_in_full_and_as_a_fragment(name, client_for, admin_user, variant):
    # given the admin (who may see every page) and a variant
    args = [variant.workspace.slug]
    if name in {"content_item", "content_item_edit"}:
        args.append(variant.item_id)
    elif name.startswith("variant_"):
        args += [variant.item_id, variant.pk]
    client = client_for(admin_user)

    # when the page is opened in full and through htmx
    full = client.get(reverse(name, args=args))
    part = client.get(reverse(name, args=args), headers={"HX-Request": "true"})

    # then the full page has the shell and the content nav entry, the fragment neither
    assert full.status_code == 200
    assert "<html" in full.content.decode()
    assert full.context["nav"] == "content"
    assert part.status_code == 200
    assert "<html" not in part.content.decode()
