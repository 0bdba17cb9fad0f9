"""Cookie-authenticated writes must come from our own origin; Bearer clients are free."""

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders import bearer, create_session, create_user


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page"}],
)
async def test_a_cross_site_write_with_the_cookie_is_refused(
    client: AsyncClient, session: AsyncSession, headers: dict[str, str]
) -> None:
    user = await create_user(session)
    token = await create_session(session, user)
    client.cookies.set("session", token)

    response = await client.patch("/api/v1/users/me", json={"name": "Mallory"}, headers=headers)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    await session.refresh(user)
    assert user.name == "Ada Lovelace"


async def test_a_same_origin_write_with_the_cookie_passes(
    client: AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session)
    client.cookies.set("session", await create_session(session, user))

    response = await client.patch(
        "/api/v1/users/me", json={"name": "Ada"}, headers={"Origin": "http://127.0.0.1:8000"}
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Ada"


async def test_bearer_clients_are_not_checked(client: AsyncClient, session: AsyncSession) -> None:
    user = await create_user(session)
    token = await create_session(session, user)

    response = await client.patch(
        "/api/v1/users/me",
        json={"name": "Ada"},
        headers={**bearer(token), "Origin": "https://elsewhere.example"},
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Ada"


async def test_cross_site_reads_are_not_blocked(client: AsyncClient, session: AsyncSession) -> None:
    user = await create_user(session)
    client.cookies.set("session", await create_session(session, user))

    response = await client.get("/api/v1/users/me", headers={"Origin": "https://evil.example"})

    assert response.status_code == 200
    assert response.json()["email"] == user.email
