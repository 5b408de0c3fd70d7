"""The classifier settings page: corrections kept, retraining with accuracy shown."""

import pytest
from django.urls import reverse

from fanloop.core.permissions import Role
from fanloop.inbox.models import WorkspaceClassifier
from fanloop.inbox.services import actions
from fanloop.inbox.tests.factories import incoming, one

pytestmark = pytest.mark.django_db

PRAISE = ["这个颜色绝了", "颜色绝了姐妹们", "这款颜色真的绝了", "绝了这个质感", "包装绝了"]


@pytest.fixture
def operator(member_with_role):
    return member_with_role(Role.OPERATOR)


def url(workspace):
    return reverse("inbox_classifier", args=[workspace.slug])


def correct(workspace, operator, count):
    for index in range(count):
        text = f"{PRAISE[index % len(PRAISE)]}{'！' * (index // len(PRAISE))}"
        _thread, message = one(
            workspace, incoming(text, platform="xiaohongshu", author=f"f{index}")
        )
        actions.correct_label(
            actor=operator, message=message, sentiment="positive", intent="praise"
        )


def test_too_few_corrections_is_a_clear_400(client, workspace, operator):
    correct(workspace, operator, 3)
    client.force_login(operator)
    response = client.post(url(workspace))
    assert response.status_code == 400
    assert "10" in response.content.decode()
    assert not WorkspaceClassifier.objects.exists()


def test_retrain_shows_the_new_version_with_its_accuracy(client, workspace, operator):
    correct(workspace, operator, 12)
    client.force_login(operator)

    response = client.post(url(workspace))

    assert response.status_code == 302
    version = WorkspaceClassifier.objects.get(workspace=workspace, active=True)
    assert version.corrections_used == 12
    page = client.get(url(workspace)).content.decode()
    assert 'data-testid="versions"' in page
    assert "v1" in page


def test_viewers_see_but_cannot_retrain_and_strangers_get_404(
    client, workspace, operator, member_with_role, make_user
):
    correct(workspace, operator, 12)
    client.force_login(member_with_role(Role.VIEWER))
    page = client.get(url(workspace))
    assert page.status_code == 200
    assert 'data-testid="retrain"' not in page.content.decode()
    assert client.post(url(workspace)).status_code == 403
    client.force_login(make_user("stranger"))
    assert client.get(url(workspace)).status_code == 404
    assert not WorkspaceClassifier.objects.exists()
