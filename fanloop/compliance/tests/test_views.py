"""The compliance pages: term list, add/remove, the checker."""

import pytest
from django.urls import reverse

from fanloop.compliance.models import WorkspaceTerm

pytestmark = pytest.mark.django_db


def test_terms_page_lists_dictionary_and_filters(workspace, member_with_role, client_for):
    client = client_for(member_with_role("viewer"))
    url = reverse("compliance_terms", args=[workspace.slug])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "2026.11.1" in body
    assert "最佳" in body
    # viewers see no add form
    assert reverse("compliance_term_add", args=[workspace.slug]) not in body
    filtered = client.get(url, {"category": "superstition"}).content.decode()
    assert "招财进宝" in filtered
    assert "最佳</td>" not in filtered
    searched = client.get(url, {"q": "驰名"}).content.decode()
    assert "驰名商标" in searched
    assert "招财进宝" not in searched


def test_pages_are_404_for_non_members(workspace, other_workspace, client_for):
    outsider = client_for(other_workspace.memberships.get().user)
    assert outsider.get(reverse("compliance_terms", args=[workspace.slug])).status_code == 404
    assert outsider.get(reverse("compliance_check", args=[workspace.slug])).status_code == 404


def test_reviewer_adds_and_removes_a_term(workspace, member_with_role, client_for):
    client = client_for(member_with_role("reviewer"))
    response = client.post(
        reverse("compliance_term_add", args=[workspace.slug]),
        {"term": "爆款", "kind": "banned", "category": "custom", "severity": "warn", "note": ""},
    )
    assert response.status_code == 302
    term = WorkspaceTerm.objects.get(workspace=workspace)
    assert term.term == "爆款"
    page = client.get(reverse("compliance_terms", args=[workspace.slug])).content.decode()
    assert "爆款" in page
    response = client.post(reverse("compliance_term_remove", args=[workspace.slug, term.pk]))
    assert response.status_code == 302
    assert not WorkspaceTerm.objects.exists()


def test_bad_term_shows_errors(workspace, admin_user, client_for):
    response = client_for(admin_user).post(
        reverse("compliance_term_add", args=[workspace.slug]),
        {"term": "", "kind": "banned", "severity": "warn"},
    )
    assert response.status_code == 400
    assert not WorkspaceTerm.objects.exists()


def test_content_role_cannot_add_terms(workspace, member_with_role, client_for):
    client = client_for(member_with_role("content"))
    response = client.post(
        reverse("compliance_term_add", args=[workspace.slug]),
        {"term": "爆款", "kind": "banned", "severity": "warn"},
    )
    assert response.status_code == 403
    assert not WorkspaceTerm.objects.exists()


def test_check_page_highlights_findings(workspace, member_with_role, client_for):
    client = client_for(member_with_role("content"))
    url = reverse("compliance_check", args=[workspace.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "text": "<b>最好</b>的选择，加我vx",
            "platform": "douyin",
            "purpose": "hard_ad",
            "product_kind": "general",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert '<mark class="finding finding-block finding-absolute_terms"' in body
    assert "&lt;b&gt;" in body
    assert "<b>最好" not in body
    assert "finding-warn finding-platform_traffic" in body
    assert "style=" not in body.split('id="main"')[-1]


def test_check_page_uses_workspace_terms(workspace, admin_user, client_for):
    WorkspaceTerm.objects.create(workspace=workspace, term="爆款", kind="banned", severity="warn")
    response = client_for(admin_user).post(
        reverse("compliance_check", args=[workspace.slug]),
        {"text": "爆款上新", "product_kind": "general"},
    )
    assert ">爆款</mark>" in response.content.decode()
