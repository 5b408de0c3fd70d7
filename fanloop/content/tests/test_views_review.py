"""The variant page's review side: live check (read-only), transitions by POST, overrides,
permissions, comments with @mentions, the review queue."""

import pytest
from django.urls import reverse

from fanloop.content import services
from fanloop.content.models import (
    ReviewDecision,
    VariantComment,
    VariantState,
    VariantVersion,
)
from fanloop.content.templatetags.content_tags import highlight
from fanloop.core.models import AuditEntry, Notification
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db
S = VariantState
BANNED = "全网最好的面霜，第一品牌"


def variant_url(name, variant, *args):
    return reverse(name, args=[variant.workspace.slug, variant.item_id, variant.pk, *args])


@pytest.fixture
def one_step(admin_user, workspace):
    return services.set_review_steps(
        actor=admin_user, workspace=workspace, steps=[{"name": "合规", "role": Role.REVIEWER}]
    )


@pytest.fixture
def in_review(variant, writer, one_step):
    moved, _warnings = services.transition(actor=writer, variant=variant, name="submit")
    return moved


def test_variant_page_shows_editor_live_check_and_transitions(client_for, writer, variant):
    page = client_for(writer).get(variant_url("variant_detail", variant))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'hx-post="{variant_url("variant_check", variant)}"' in html
    assert 'data-testid="check-panel"' in html
    assert 'data-transition="submit"' in html
    assert 'data-transition="approve"' not in html


def test_live_check_highlights_findings_and_writes_nothing(client_for, writer, variant):
    # given the counts of everything a save would write
    audits = AuditEntry.objects.count()
    versions = VariantVersion.objects.count()
    client = client_for(writer)

    # when the editor sends unsaved copy with banned claims to the live check
    response = client.post(
        variant_url("variant_check", variant),
        {"title": variant.title, "body": BANNED, "expected_version": variant.version},
        headers={"HX-Request": "true"},
    )

    # then the panel marks the terms with their severity, lists the finding, counts length
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'class="finding finding-block"' in html
    assert ">最好</mark>" in html or ">全网最好</mark>" in html
    assert 'data-testid="findings"' in html
    assert 'data-count="body"' in html
    assert 'data-live="1"' in html

    # and nothing was saved or audited
    variant.refresh_from_db()
    assert variant.body != BANNED
    assert AuditEntry.objects.count() == audits
    assert VariantVersion.objects.count() == versions


def test_live_check_escapes_the_copy(client_for, writer, variant):
    response = client_for(writer).post(
        variant_url("variant_check", variant),
        {"title": "<b>t</b>", "body": "<script>alert(1)</script>最好"},
    )
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_highlight_escapes_merges_overlaps_and_ignores_bad_spans():
    findings = [
        {
            "field": "body",
            "start": 0,
            "end": 4,
            "severity": "warn",
            "rule": "a",
            "explanation": "<x>",
            "suggestion": "y",
        },
        {
            "field": "body",
            "start": 2,
            "end": 6,
            "severity": "block",
            "rule": "b",
            "explanation": "e",
            "suggestion": "",
        },
        {"field": "title", "start": 0, "end": 2, "severity": "block", "rule": "c"},
        {"field": "body", "start": 5, "end": 99, "severity": "block", "rule": "d"},
        {"field": "body", "start": "0", "end": 1, "severity": "block", "rule": "e"},
    ]
    html = str(highlight("<a>最好的\n面霜", findings, "body"))
    # overlaps are cut, not nested: warn alone, then warn+block marked as block, then block
    assert html == (
        '<mark class="finding finding-warn" data-rule="a" title="&lt;x&gt; — y">&lt;a</mark>'
        '<mark class="finding finding-block" data-rule="b a" title="e | &lt;x&gt; — y">'
        "&gt;最</mark>"
        '<mark class="finding finding-block" data-rule="b" title="e">好的</mark><br>面霜'
    )


def test_submit_then_reviewer_approves(client_for, writer, reviewer, variant, one_step):
    # when the writer submits by POST
    submitted = client_for(writer).post(variant_url("variant_transition", variant, "submit"))
    variant.refresh_from_db()
    assert submitted.status_code == 302
    assert variant.state == S.IN_REVIEW

    # then the reviewer sees approve with a comment box, and approves
    page = client_for(reviewer).get(variant_url("variant_detail", variant)).content.decode()
    assert 'data-transition="approve"' in page
    assert 'id="note-approve"' in page
    approved = client_for(reviewer).post(
        variant_url("variant_transition", variant, "approve"), {"note": "可以发"}
    )
    variant.refresh_from_db()
    assert approved.status_code == 302
    assert variant.state == S.APPROVED
    decision = ReviewDecision.objects.get(variant=variant)
    assert (decision.comment, decision.step_name, decision.reviewer) == ("可以发", "合规", reviewer)


def test_blocking_findings_need_an_override_reason(client_for, writer, reviewer, in_review):
    # given a variant in review whose copy now has blocking findings
    services.update_variant(actor=writer, variant=in_review, data={"body": BANNED})
    in_review.refresh_from_db()
    assert in_review.state == S.IN_REVIEW
    assert in_review.blocking_findings
    client = client_for(reviewer)
    page = client.get(variant_url("variant_detail", in_review)).content.decode()
    assert 'data-testid="override-reason"' in page

    # when the reviewer approves without a reason, it is refused with the reason shown
    refused = client.post(variant_url("variant_transition", in_review, "approve"))
    in_review.refresh_from_db()
    assert refused.status_code == 400
    assert "Blocking compliance findings stop approval" in refused.content.decode()
    assert in_review.state == S.IN_REVIEW

    # and with a reason it is approved and the override recorded
    accepted = client.post(
        variant_url("variant_transition", in_review, "approve"),
        {"override_reason": "法务确认：引用第三方检测报告"},
    )
    in_review.refresh_from_db()
    assert accepted.status_code == 302
    assert in_review.state == S.APPROVED
    assert in_review.compliance_override == "法务确认：引用第三方检测报告"
    history = client.get(variant_url("variant_detail", in_review)).content.decode()
    assert "法务确认" in history


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTENT])
def test_roles_that_cannot_review_get_403_for_approve(
    client_for, member_with_role, role, in_review
):
    user = member_with_role(role) if role != Role.CONTENT else in_review.item.created_by
    response = client_for(user).post(variant_url("variant_transition", in_review, "approve"))
    in_review.refresh_from_db()
    assert response.status_code == 403
    assert in_review.state == S.IN_REVIEW


def test_viewer_cannot_submit_or_save(client_for, member_with_role, variant):
    viewer = member_with_role(Role.VIEWER)
    client = client_for(viewer)
    assert client.post(variant_url("variant_transition", variant, "submit")).status_code == 403
    assert client.post(variant_url("variant_save", variant), {"body": "x"}).status_code == 403
    page = client.get(variant_url("variant_detail", variant)).content.decode()
    assert 'data-transition="submit"' not in page


def test_request_changes_needs_a_note(client_for, reviewer, in_review):
    client = client_for(reviewer)
    refused = client.post(variant_url("variant_transition", in_review, "request_changes"))
    assert refused.status_code == 400
    in_review.refresh_from_db()
    assert in_review.state == S.IN_REVIEW
    client.post(
        variant_url("variant_transition", in_review, "request_changes"), {"note": "换掉第一"}
    )
    in_review.refresh_from_db()
    assert in_review.state == S.CHANGES_REQUESTED


def test_unknown_transition_is_404(client_for, writer, variant):
    response = client_for(writer).post(variant_url("variant_transition", variant, "explode"))
    assert response.status_code == 404


def test_comment_with_mention_notifies_the_member(client_for, writer, reviewer, variant):
    # when the writer mentions the reviewer
    response = client_for(writer).post(
        variant_url("variant_comment", variant), {"body": f"@{reviewer.username} 请看一下"}
    )

    # then the comment exists and the reviewer has a notification linking to the variant
    assert response.status_code == 302
    comment = VariantComment.objects.get(variant=variant)
    assert list(comment.mentioned.all()) == [reviewer]
    note = Notification.objects.get(user=reviewer)
    assert note.url == variant_url("variant_detail", variant)

    # a reply threads under it and tells the parent's author
    client_for(reviewer).post(
        variant_url("variant_comment", variant), {"body": "收到", "parent": comment.pk}
    )
    reply = VariantComment.objects.get(parent=comment)
    assert reply.author == reviewer
    assert Notification.objects.filter(user=writer).exists()
    page = client_for(writer).get(variant_url("variant_detail", variant)).content.decode()
    assert "收到" in page


def test_comment_mentioning_a_stranger_is_refused(client_for, writer, variant):
    response = client_for(writer).post(
        variant_url("variant_comment", variant), {"body": "@nobody 看看"}, follow=True
    )
    assert "Not members of this workspace" in response.content.decode()
    assert not VariantComment.objects.exists()


def test_review_queue_highlights_what_the_role_can_review(
    client_for, reviewer, writer, in_review, workspace
):
    queue = reverse("review_queue", args=[workspace.slug])
    mine = client_for(reviewer).get(queue).content.decode()
    assert in_review.item.title in mine
    assert 'data-mine="1"' in mine
    theirs = client_for(writer).get(queue).content.decode()
    assert in_review.item.title in theirs
    assert 'data-mine="1"' not in theirs


def test_schedule_shows_suggested_slots(client_for, member_with_role, writer, variant):
    services.transition(actor=writer, variant=variant, name="submit")
    operator = member_with_role(Role.OPERATOR)
    page = client_for(operator).get(variant_url("variant_detail", variant)).content.decode()
    assert 'data-transition="schedule"' in page
    assert 'data-testid="suggested-slots"' in page
