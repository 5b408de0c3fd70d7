"""The community REST API: groups, members, metrics and events; roles, isolation, and an
OpenAPI schema that generated requests conform to."""

from datetime import date

import pytest
from django.core.wsgi import get_wsgi_application
from drf_spectacular.plumbing import _load_enum_name_overrides
from drf_spectacular.settings import spectacular_settings
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import openapi
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from fanloop.campaigns.models import Campaign
from fanloop.community.models import FanGroup, GroupEvent
from fanloop.community.tests.conftest import run_file
from fanloop.core.models import AuditEntry

pytestmark = pytest.mark.django_db

# What the lead adds to SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] with the wiring.
ENUMS = {
    "GroupPlatformEnum": "fanloop.community.models.GroupPlatform",
    "EventKindEnum": "fanloop.community.models.EventKind",
    "EventStatusEnum": "fanloop.community.models.EventStatus",
}


@pytest.fixture(autouse=True)
def enum_names(settings, monkeypatch):
    # drf-spectacular reads its settings once and caches the enum names per language.
    names = {**settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"], **ENUMS}
    monkeypatch.setattr(spectacular_settings, "ENUM_NAME_OVERRIDES", names, raising=False)
    _load_enum_name_overrides.cache_clear()
    yield
    _load_enum_name_overrides.cache_clear()


def base(workspace) -> str:
    return f"/api/v1/workspaces/{workspace.pk}/community/groups/"


def test_anyone_in_the_workspace_lists_and_reads_groups(api_client_for, viewer, group, make_group):
    make_group("QQ 群", platform="qq_group")
    client = api_client_for(viewer)

    listed = client.get(base(group.workspace)).json()
    filtered = client.get(base(group.workspace), {"platform": "qq_group"}).json()
    one = client.get(f"{base(group.workspace)}{group.pk}/").json()

    assert listed["count"] == 2
    assert [g["name"] for g in filtered["results"]] == ["QQ 群"]
    assert one["name"] == "福利群 1"
    assert one["owner"] == group.owner_id
    assert one["has_qr_image"] is False


def test_operators_create_change_and_delete_groups(api_client_for, operator, workspace):
    client = api_client_for(operator)
    promo = Campaign.objects.create(
        workspace=workspace, name="618", start_date=date(2025, 6, 1), end_date=date(2025, 6, 18)
    )

    created = client.post(
        base(workspace),
        {
            "name": "VIP 群",
            "platform": "wecom_group",
            "group_type": "vip",
            "owner": operator.pk,
            "campaigns": [promo.pk],
            "content_topics": ["新品", "答疑"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["campaigns"] == [promo.pk]

    changed = client.patch(f"{base(workspace)}{pk}/", {"theme": "会员日"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["theme"] == "会员日"
    assert client.delete(f"{base(workspace)}{pk}/").status_code == 204
    assert not FanGroup.objects.filter(pk=pk).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"community.group_create", "community.group_update", "community.group_delete"} <= actions


def test_bad_input_gets_field_errors(api_client_for, operator, workspace, other_workspace):
    foreign = Campaign.objects.create(
        workspace=other_workspace, name="x", start_date=date(2025, 6, 1), end_date=date(2025, 6, 2)
    )
    client = api_client_for(operator)

    response = client.post(
        base(workspace),
        {"name": "", "platform": "myspace", "campaigns": [foreign.pk]},
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["error"]["field_errors"]
    assert {"name", "platform", "campaigns.0"} <= set(errors)
    assert not FanGroup.objects.exists()


def test_a_viewer_may_not_write(api_client_for, viewer, group):
    client = api_client_for(viewer)

    assert client.post(base(group.workspace), {"name": "x", "platform": "other"}).status_code == 403
    assert client.patch(f"{base(group.workspace)}{group.pk}/", {"theme": "x"}).status_code == 403
    assert client.delete(f"{base(group.workspace)}{group.pk}/").status_code == 403
    events = f"{base(group.workspace)}{group.pk}/events/"
    assert (
        client.post(
            events, {"kind": "qa", "title": "x", "starts_at": "2025-07-01T12:00:00Z"}
        ).status_code
        == 403
    )
    assert FanGroup.objects.get().theme == ""


def test_other_workspaces_are_not_found(api_client_for, other_workspace, group):
    outsider = other_workspace.memberships.get().user
    client = api_client_for(outsider)

    assert client.get(base(group.workspace)).status_code == 404
    assert client.get(f"{base(other_workspace)}{group.pk}/").status_code == 404
    assert client.get(f"{base(other_workspace)}{group.pk}/members/").status_code == 404
    assert client.get(f"{base(other_workspace)}{group.pk}/metrics/").status_code == 404
    assert client.patch(f"{base(other_workspace)}{group.pk}/", {"theme": "x"}).status_code == 404
    assert client.get(f"{base(other_workspace)}").json()["count"] == 0


def test_members_with_their_stays(api_client_for, operator, viewer, group):
    run_file(
        operator,
        group,
        "members",
        [
            ["用户ID", "昵称", "入群时间", "退群时间"],
            ["u1", "小王", "2025-06-01 09:00", ""],
            ["u2", "小李", "2025-06-01 09:00", "2025-06-03 09:00"],
        ],
    )
    url = f"{base(group.workspace)}{group.pk}/members/"

    everyone = api_client_for(viewer).get(url).json()
    left = api_client_for(viewer).get(url, {"state": "left"}).json()

    assert everyone["count"] == 2
    assert [m["nickname"] for m in left["results"]] == ["小李"]
    assert len(left["results"][0]["stays"]) == 1
    assert "member_key" not in left["results"][0]


def test_metrics_with_the_health_breakdown(api_client_for, operator, viewer, group):
    run_file(
        operator,
        group,
        "members",
        [["用户ID", "入群时间"], ["u1", "2025-06-01 09:00"], ["u2", "2025-06-01 09:00"]],
    )
    run_file(operator, group, "activity", [["日期", "用户ID", "发言数"], ["2025-06-05", "u1", "5"]])
    url = f"{base(group.workspace)}{group.pk}/metrics/"

    body = api_client_for(viewer).get(url, {"start": "2025-06-01", "end": "2025-06-07"}).json()

    assert [d["day"] for d in body["days"]][:2] == ["2025-06-01", "2025-06-02"]
    fifth = next(d for d in body["days"] if d["day"] == "2025-06-05")
    assert (fifth["members"], fifth["dau"], fifth["active_ratio"]) == (2, 1, 0.5)
    assert body["health"]["score"] is not None
    assert {p["key"] for p in body["health"]["parts"]} == {
        "activity",
        "conversation",
        "growth",
        "retention",
    }
    bad = api_client_for(viewer).get(url, {"start": "2025-06-07", "end": "2025-06-01"})
    assert bad.status_code == 400


def test_events_crud(api_client_for, operator, group):
    client = api_client_for(operator)
    url = f"{base(group.workspace)}{group.pk}/events/"

    created = client.post(
        url,
        {"kind": "vote", "title": "新品投票", "starts_at": "2025-07-01T12:00:00Z"},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["status"] == "planned"
    pk = created.json()["id"]
    done = client.patch(
        f"{url}{pk}/", {"status": "done", "outcome_notes": "A 款胜出"}, format="json"
    )
    assert done.json()["outcome_notes"] == "A 款胜出"
    backwards = client.patch(f"{url}{pk}/", {"ends_at": "2025-06-01T00:00:00Z"}, format="json")
    assert backwards.status_code == 400
    assert "ends_at" in backwards.json()["error"]["field_errors"]
    assert client.get(url).json()["count"] == 1
    assert client.delete(f"{url}{pk}/").status_code == 204
    assert not GroupEvent.objects.exists()


def test_generated_requests_conform_to_the_schema(admin_user, group, keep_test_connection):
    from fanloop.core import services

    _token, key = services.create_api_token(actor=admin_user, name="fuzz")
    headers = {"Authorization": f"Token {key}"}
    schema = openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    operations = [
        result.ok() for result in schema.get_all_operations() if "/community/" in result.ok().path
    ]
    assert len(operations) == 12
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    failures: list[str] = []
    for operation in operations:

        @hypothesis_settings(
            max_examples=10,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            params = case.path_parameters or {}
            if "workspace_pk" in params:
                params["workspace_pk"] = group.workspace_id
            for name in ("group_pk", "id"):
                if name in params and params[name] % 2 == 0:
                    params[name] = group.pk
            case.call_and_validate(headers=headers, checks=checks)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
            print(failures[-1])
    assert failures == []


def test_the_schema_has_no_warnings_with_the_community_enum_names(tmp_path):
    """Next to every other app's API, the community's choice fields get clear names."""
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command(
        "spectacular",
        "--fail-on-warn",
        "--file",
        str(out),
    )

    assert "GroupPlatformEnum" in out.read_text()
