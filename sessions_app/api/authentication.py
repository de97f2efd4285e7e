from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from sessions_app.models import ApiKey, Project

# "Bearer" is what the Acontext SDKs send; "Token" is DRF's own convention.
ACCEPTED_SCHEMES = (b"bearer", b"token")


@dataclass(frozen=True, slots=True)
class ProjectPrincipal:
    """Who is calling: a project, through one of its API keys (DRF's ``request.user``)."""

    project: Project
    api_key: ApiKey
    is_authenticated: bool = True


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ProjectPrincipal, ApiKey] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() not in ACCEPTED_SCHEMES:
            return None  # no credentials: IsAuthenticated answers 401
        if len(words) != 2:
            raise AuthenticationFailed("malformed Authorization header: expected 'Bearer <key>'")
        try:
            secret = words[1].decode()
        except UnicodeDecodeError:
            raise AuthenticationFailed("invalid API key") from None
        api_key = ApiKey.objects.with_project_by_secret(secret)
        if api_key is None:
            raise AuthenticationFailed("invalid API key")
        if api_key.is_revoked:
            raise AuthenticationFailed("API key has been revoked")
        api_key.record_use(timezone.now())
        return ProjectPrincipal(project=api_key.project, api_key=api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) when credentials are missing or wrong.
        return "Bearer"


def request_project(request: Request) -> Project:
    """The project of an authenticated request; every API query is filtered by it."""
    principal: Any = request.user
    if not isinstance(principal, ProjectPrincipal):
        raise AuthenticationFailed("authentication required")
    return principal.project


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key, issued in the admin or by manage.py create_api_key",
        }
