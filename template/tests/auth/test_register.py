import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders import Outbox, create_user, link_token

CHECK_YOUR_EMAIL = {"detail": "We sent an email to this address; follow it to finish signing up."}


async def test_register_creates_a_user_and_sends_a_verification_email(
    client: AsyncClient, outbox: Outbox
) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": "Ada@Example.com", "password": "long enough pw", "name": " Ada "},
    )

    assert response.status_code == 202
    assert response.json() == CHECK_YOUR_EMAIL
    [mail] = await outbox()
    assert mail["to"] == "ada@example.com"
    assert mail["subject"].startswith("Confirm your email for ")
    verified = await client.post("/api/v1/auth/verify-email", json={"token": link_token(mail)})
    body = verified.json()
    assert body["email"] == "ada@example.com"
    assert body["name"] == "Ada"
    assert body["role"] == "user"
    assert body["is_active"] is True
    assert body["email_verified_at"] is not None
    assert "password_hash" not in body


async def test_registered_user_can_log_in_with_any_email_case(client: AsyncClient) -> None:
    await client.post(
        "/api/v1/auth/register", json={"email": "grace@example.com", "password": "hopper-1906"}
    )

    response = await client.post(
        "/api/v1/auth/login", json={"email": "GRACE@example.com", "password": "hopper-1906"}
    )

    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


async def test_an_existing_email_gets_the_same_answer_and_its_owner_is_told(
    client: AsyncClient, session: AsyncSession, outbox: Outbox
) -> None:
    owner = await create_user(session, email="dup@example.com")
    new = await client.post(
        "/api/v1/auth/register", json={"email": "new@example.com", "password": "password-1"}
    )

    existing = await client.post(
        "/api/v1/auth/register", json={"email": "DUP@example.com", "password": "password-2"}
    )

    assert existing.status_code == new.status_code == 202
    assert existing.json() == new.json() == CHECK_YOUR_EMAIL
    verification, told = await outbox()
    assert verification["to"] == "new@example.com"
    assert told["to"] == "dup@example.com"
    assert told["subject"].startswith("You already have a ")
    assert "Someone tried to sign up" in told["text"]
    # Its link resets the password (the owner may have forgotten it); nothing else changed.
    reset = await client.post(
        "/api/v1/auth/reset-password",
        json={"token": link_token(told), "password": "what I use now"},
    )
    assert reset.status_code == 204
    await session.refresh(owner)
    assert owner.name == "Ada Lovelace"


async def test_an_existing_but_deactivated_account_is_not_mailed(
    client: AsyncClient, session: AsyncSession, outbox: Outbox
) -> None:
    await create_user(session, email="gone@example.com", is_active=False)

    response = await client.post(
        "/api/v1/auth/register", json={"email": "gone@example.com", "password": "password-1"}
    )

    assert response.status_code == 202
    assert response.json() == CHECK_YOUR_EMAIL
    assert await outbox() == []


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
