"""Shared API plumbing: pagination and one JSON error shape for every failure."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def _as_drf(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(detail=exc.message_dict)
        return exceptions.ValidationError(detail={"non_field_errors": exc.messages})
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(detail=str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """``{"error": {"status", "code", "message", "field_errors"}}`` for every API error."""
    exc = _as_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = response.data
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        body = {
            "status": response.status_code,
            "code": "invalid",
            "message": _("Some fields are not valid."),
            "field_errors": fields,
        }
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        assert isinstance(exc, exceptions.APIException)
        body = {
            "status": response.status_code,
            "code": getattr(detail, "code", exc.default_code),
            "message": str(detail),
            "field_errors": {},
        }
    response.data = {"error": body}
    return response


class ErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    field_errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


_ERROR_RESPONSES = {
    "400": "Invalid input; see error.field_errors",
    "401": "Not authenticated",
    "403": "Your role does not allow this",
    "404": "Not found, not yours, or a page past the end of a list",
    "429": "Too many requests",
}


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation documents the error shape."""
    error_schema = {"$ref": "#/components/schemas/Error"}
    if "Error" not in result.get("components", {}).get("schemas", {}):
        return result
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for code, description in _ERROR_RESPONSES.items():
                responses.setdefault(
                    code,
                    {
                        "content": {"application/json": {"schema": error_schema}},
                        "description": description,
                    },
                )
    return result
