from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from fanloop.core import services


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>``; keys are looked up by their SHA-256."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid Authorization header: use 'Token <key>'.")
            )
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(
                _("The token contains invalid characters.")
            ) from exc
        token = services.authenticate_api_token(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked API token."))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "fanloop.core.api_auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; create keys in the UI or with `fanloop token create`.",
        }
