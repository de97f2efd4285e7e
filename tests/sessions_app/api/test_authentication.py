from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from sessions_app import services
from sessions_app.models import ApiKey

pytestmark = pytest.mark.django_db


def get_sessions(authorization: str | None):
    client = APIClient()
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    return client.get("/api/v1/session")


def test_bearer_key_is_accepted(issued_key):
    response = get_sessions(f"Bearer {issued_key.secret}")

    assert response.status_code == 200
    assert response.json() == {
        "code": 0,
        "data": {"items": [], "next_cursor": None, "has_more": False},
        "msg": "",
    }


def test_drf_token_scheme_is_accepted(issued_key):
    assert get_sessions(f"Token {issued_key.secret}").status_code == 200


@pytest.mark.parametrize(
    ("authorization", "msg", "code"),
    [
        (None, "Authentication credentials were not provided.", "not_authenticated"),
        (
            "Basic dXNlcjpwYXNz",
            "Authentication credentials were not provided.",
            "not_authenticated",
        ),
        (
            "Bearer",
            "malformed Authorization header: expected 'Bearer <key>'",
            "authentication_failed",
        ),
        (
            "Bearer a b",
            "malformed Authorization header: expected 'Bearer <key>'",
            "authentication_failed",
        ),
        ("Bearer sk-ac-not-a-real-key", "invalid API key", "authentication_failed"),
    ],
)
def test_missing_or_invalid_keys_are_401(project, authorization, msg, code):
    response = get_sessions(authorization)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"code": 401, "msg": msg, "error": code}


def test_revoked_key_is_401(issued_key):
    services.api_key_revoke(api_key=issued_key.api_key)

    response = get_sessions(f"Bearer {issued_key.secret}")

    assert response.status_code == 401
    assert response.json() == {
        "code": 401,
        "msg": "API key has been revoked",
        "error": "authentication_failed",
    }


def test_ping_needs_no_key():
    response = APIClient().get("/api/v1/ping")

    assert response.status_code == 200
    assert response.json() == {"code": 0, "data": None, "msg": "pong"}


def test_only_a_hash_and_a_short_prefix_of_the_key_are_stored(issued_key):
    stored = ApiKey.objects.get()

    assert issued_key.secret.startswith("sk-ac-")
    assert len(issued_key.secret) >= len("sk-ac-") + 43  # 32 random bytes, base64
    assert stored.prefix == issued_key.secret[:12]
    assert stored.secret_hash == ApiKey.hash_secret(issued_key.secret)
    assert issued_key.secret not in {stored.prefix, stored.secret_hash, stored.name}


def test_last_used_is_recorded_at_most_once_a_minute(issued_key, django_assert_num_queries):
    get_sessions(f"Bearer {issued_key.secret}")
    first_use = ApiKey.objects.get().last_used_at
    assert first_use is not None

    # Within the minute: the key lookup and the page, no write.
    with django_assert_num_queries(2):
        get_sessions(f"Bearer {issued_key.secret}")
    assert ApiKey.objects.get().last_used_at == first_use

    ApiKey.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    get_sessions(f"Bearer {issued_key.secret}")
    last_used_at = ApiKey.objects.get().last_used_at
    assert last_used_at is not None
    assert last_used_at > first_use
