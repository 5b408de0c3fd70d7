"""The demo shows the review loop at once: states, findings, comments, the calendar."""

import pytest

from fanloop.content.models import ContentItem, ReviewStep, Variant, VariantState
from fanloop.core.demo import seed
from fanloop.core.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed(only={"campaigns", "content"})
    return Workspace.objects.get(slug="demo")


def test_demo_content_covers_every_review_state(demo):
    states = set(Variant.objects.filter(workspace=demo).values_list("state", flat=True))
    assert {
        VariantState.DRAFT,
        VariantState.IN_REVIEW,
        VariantState.CHANGES_REQUESTED,
        VariantState.SCHEDULED,
    } <= states
    assert ReviewStep.objects.filter(workspace=demo).count() == 2


def test_demo_has_blocking_findings_waiting_for_review(demo):
    waiting = Variant.objects.get(workspace=demo, item__title="新品首发 79 元", platform="weibo")
    assert waiting.state == VariantState.IN_REVIEW
    blocked = {f["matched"] for f in waiting.findings if f["severity"] == "block"}
    assert {"全网最低价", "销量第一"} <= blocked
    assert waiting.comments.exists()


def test_demo_scheduled_variants_sit_in_their_campaign(demo):
    for variant in Variant.objects.filter(workspace=demo, state=VariantState.SCHEDULED):
        campaign = variant.item.campaign
        assert campaign is not None
        assert campaign.start_date <= variant.planned_at.date() <= campaign.end_date


def test_seeding_again_adds_nothing(demo):
    before = ContentItem.objects.filter(workspace=demo).count()
    seed(only={"campaigns", "content"})
    assert ContentItem.objects.filter(workspace=demo).count() == before
