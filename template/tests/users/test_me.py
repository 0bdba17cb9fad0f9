from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders import bearer, create_session, create_user


async def test_me_returns_the_signed_in_user(client: AsyncClient, session: AsyncSession) -> None:
    user = await create_user(session, email="ada@example.com", name="Ada")
    token = await create_session(session, user)

    response = await client.get("/api/v1/users/me", headers=bearer(token))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(user.id)
    assert body["email"] == "ada@example.com"
    assert body["name"] == "Ada"
    assert body["role"] == "user"
    assert set(body) == {
        "id",
        "email",
        "name",
        "role",
        "is_active",
        "email_verified_at",
        "created_at",
    }


async def test_patch_me_changes_the_name(client: AsyncClient, session: AsyncSession) -> None:
    user = await create_user(session, name="Old")
    token = await create_session(session, user)

    response = await client.patch("/api/v1/users/me", json={"name": " New "}, headers=bearer(token))
    reread = await client.get("/api/v1/users/me", headers=bearer(token))

    assert response.status_code == 200
    assert response.json()["name"] == "New"
    assert reread.json()["name"] == "New"


async def test_patch_me_cannot_change_role_or_email(
    client: AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, email="ada@example.com")
    token = await create_session(session, user)

    response = await client.patch(
        "/api/v1/users/me", json={"role": "admin", "email": "x@example.com"}, headers=bearer(token)
    )

    assert response.status_code == 422
    assert sorted(d["loc"][-1] for d in response.json()["error"]["details"]) == ["email", "role"]
    assert (await client.get("/api/v1/users/me", headers=bearer(token))).json()["role"] == "user"


async def test_patch_me_rejects_an_empty_name(client: AsyncClient, session: AsyncSession) -> None:
    token = await create_session(session, await create_user(session))

    response = await client.patch("/api/v1/users/me", json={"name": ""}, headers=bearer(token))

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == ["body", "name"]
