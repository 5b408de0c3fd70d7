"""Schemathesis drives every API operation with generated requests: no server errors,
and responses match the OpenAPI schema."""

import pytest
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import openapi
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from fanloop.core import services

EXAMPLES_PER_OPERATION = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.django_db
def test_generated_requests_get_no_server_errors(
    admin_user, workspace, make_user, keep_test_connection
):
    services.add_member(actor=admin_user, workspace=workspace, user=make_user("bob"), role="viewer")
    _token, key = services.create_api_token(actor=admin_user, name="fuzz")
    headers = {"Authorization": f"Token {key}"}
    schema = openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures: list[str] = []
    for operation in operations:
        # Revoking the token under test would turn the rest of the run into 401s.
        if operation.method.upper() == "DELETE" and operation.path == "/api/v1/tokens/{id}/":
            continue

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            # Point id parameters at real rows half the time, so not everything is a 404.
            for name in ("workspace_pk", "pk", "id"):
                if (
                    case.path_parameters
                    and name in case.path_parameters
                    and (case.path_parameters[name] % 2 == 0)
                ):
                    case.path_parameters[name] = workspace.pk
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # report every operation together
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
            print(failures[-1])
    assert failures == []
