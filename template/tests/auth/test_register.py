import pytest
from httpx import AsyncClient

from tests.builders import Outbox


async def test_register_creates_a_user_and_sends_a_verification_email(
    client: AsyncClient, outbox: Outbox
) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": "Ada@Example.com", "password": "long enough pw", "name": " Ada "},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ada@example.com"
    assert body["name"] == "Ada"
    assert body["role"] == "user"
    assert body["is_active"] is True
    assert body["email_verified_at"] is None
    assert "password_hash" not in body
    [mail] = await outbox()
    assert mail["to"] == "ada@example.com"
    assert mail["subject"].startswith("Confirm your email for ")


async def test_registered_user_can_log_in_with_any_email_case(client: AsyncClient) -> None:
    await client.post(
        "/api/v1/auth/register", json={"email": "grace@example.com", "password": "hopper-1906"}
    )

    response = await client.post(
        "/api/v1/auth/login", json={"email": "GRACE@example.com", "password": "hopper-1906"}
    )

    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


async def test_duplicate_email_is_a_conflict_and_sends_nothing(
    client: AsyncClient, outbox: Outbox
) -> None:
    first = await client.post(
        "/api/v1/auth/register", json={"email": "dup@example.com", "password": "password-1"}
    )
    assert first.status_code == 201
    assert len(await outbox()) == 1

    second = await client.post(
        "/api/v1/auth/register", json={"email": "DUP@example.com", "password": "password-2"}
    )

    assert second.status_code == 409
    assert second.json()["error"] == {
        "code": "conflict",
        "message": "An account with this email already exists.",
        "details": {"field": "email"},
    }
    assert len(await outbox()) == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "password": "long enough"}, "email"),
        ({"email": "a@example.com", "password": "short"}, "password"),
        ({"email": "a@example.com"}, "password"),
        ({"email": "a@example.com", "password": "long enough", "role": "admin"}, "role"),
    ],
)
async def test_invalid_registration_is_rejected_naming_the_field(
    client: AsyncClient, payload: dict[str, str], field: str
) -> None:
    response = await client.post("/api/v1/auth/register", json=payload)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert [detail["loc"][-1] for detail in error["details"]] == [field]
