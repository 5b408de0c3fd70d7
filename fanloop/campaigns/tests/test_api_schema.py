"""Every campaign API operation, called with real ids and valid input, answers with what
the OpenAPI schema says (status code, content type, body shape)."""

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis import openapi
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from fanloop.campaigns import services
from fanloop.campaigns.models import Campaign
from fanloop.campaigns.tests.test_api_access import GOAL_MEASUREMENT, READS, WRITES, build
from fanloop.core import services as core_services

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes connections after each request; the test transaction must
    survive it, as Django's own test client arranges."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def template(url: str) -> str:
    """Our URL templates as the schema spells them."""
    if url.endswith("campaigns/{c}/"):
        return url.replace("{ws}", "{workspace_pk}").replace("{c}", "{id}")
    return (
        url.replace("{ws}", "{workspace_pk}")
        .replace("{c}/", "{campaign_pk}/")
        .replace("goals/{goal}/measurements", "goals/{goal_pk}/measurements")
        .replace("budget-lines/{line}/spends", "budget-lines/{line_pk}/spends")
        .replace("documents/{doc}/versions", "documents/{document_pk}/versions")
        .replace("versions/1/download", "versions/{number}/download")
        .replace("{goal}", "{id}")
        .replace("{line}", "{id}")
        .replace("{phase}", "{id}")
        .replace("{milestone}", "{id}")
        .replace("{task}", "{id}")
        .replace("{competitor}", "{id}")
        .replace("{note}", "{id}")
        .replace("{risk}", "{id}")
        .replace("{doc}", "{id}")
    )


def path_parameters(url: str, ids: dict[str, int]) -> dict[str, int]:
    names = {
        "{ws}": ("workspace_pk", "ws"),
        "{c}": ("campaign_pk", "c"),
        "{goal}": ("goal_pk" if "measurements" in url else "id", "goal"),
        "{line}": ("line_pk" if "spends" in url else "id", "line"),
        "{doc}": ("document_pk" if "versions" in url else "id", "doc"),
    }
    params = {name: ids[key] for marker, (name, key) in names.items() if marker in url}
    if url.endswith("campaigns/{c}/"):
        params["id"] = params.pop("campaign_pk")
    for key in ("phase", "milestone", "task", "competitor", "note", "risk"):
        if f"{{{key}}}" in url:
            params["id"] = ids[key]
    if "download" in url:
        params["number"] = 1
    return params


def test_every_operation_answers_as_documented(marketer, workspace, keep_test_connection):
    ids = build(marketer, workspace)
    services.save_retrospective(
        actor=marketer,
        campaign=Campaign.objects.get(pk=ids["c"]),
        data={"shortfalls": "s", "lessons": "l"},
    )
    _token, key = core_services.create_api_token(actor=marketer, name="schema")
    headers = {"Authorization": f"Token {key}"}
    schema = openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    writes = [(method, url, body) for method, url, body, _budget in [*WRITES, GOAL_MEASUREMENT]]
    # Edits first, then deletes (children before parents), then the cancel transition,
    # so that every call is expected to succeed.
    edits = [w for w in writes if w[0] != "delete" and "transitions" not in w[1]]
    deletes = [w for w in reversed(writes) if w[0] == "delete"]
    moves = [w for w in writes if "transitions" in w[1]]
    calls = [("get", url, None) for url in READS]
    calls += [("get", url, {"format": "xlsx"}) for url in READS if url.endswith("export/")]
    calls += edits + deletes + moves
    bad_transition = ("post", "/api/v1/workspaces/{ws}/campaigns/{c}/transitions/", {})
    seen = set()
    for method, url, body in [*calls, bad_transition]:
        operation = schema[f"/api/v1/{template(url).split('/api/v1/', 1)[1]}"][method.upper()]
        seen.add((method, template(url)))
        data = body(ids) if callable(body) else body if method != "get" else None
        kwargs = {"path_parameters": path_parameters(url, ids)}
        if method == "get" and body:
            kwargs["query"] = body
        elif data is not None and "file" in data:
            kwargs["body"] = {**data, "file": data["file"].read()}
            kwargs["media_type"] = "multipart/form-data"
        elif data is not None:
            kwargs["body"] = data
            kwargs["media_type"] = "application/json"
        case = operation.Case(**kwargs)
        response = case.call(headers=headers)
        if (method, url, body) == bad_transition:
            assert response.status_code == 400
        else:
            assert response.status_code < 400, (method, url, response.text)
        case.validate_response(response, checks=CHECKS)
    documented = {
        (method.lower(), path)
        for path, item in schema.raw_schema["paths"].items()
        for method in item
        if "/campaigns" in path or "/documents" in path or "/improvements" in path
    }
    assert {(m, "/api/v1/" + p.split("/api/v1/", 1)[1]) for m, p in seen} >= documented
