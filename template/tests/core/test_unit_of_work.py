"""A 2xx means saved: each request commits before its response is sent, a commit that
fails is an error response, and the next request sees what the last one acknowledged."""

import asyncio
import uuid

import pytest
from httpx import AsyncClient
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.builders import PASSWORD, bearer, committed_email, sign_up
from tests.faults import commits_refused


@pytest.mark.usefixtures("postgres_only")
async def test_a_commit_that_fails_is_an_error_response_and_nothing_is_stored(
    committed_client: AsyncClient, engine: AsyncEngine
) -> None:
    headers = await sign_up(committed_client)

    async with commits_refused(engine, "user_account", "NEW.name = 'refused at commit'"):
        refused = await committed_client.patch(
            "/api/v1/users/me", json={"name": "refused at commit"}, headers=headers
        )
        kept = await committed_client.patch(
            "/api/v1/users/me", json={"name": "Ada"}, headers=headers
        )
    me = await committed_client.get("/api/v1/users/me", headers=headers)

    assert refused.status_code == 500
    assert refused.json() == {
        "error": {
            "code": "internal_error",
            "message": "An unexpected error occurred.",
            "details": None,
        }
    }
    assert kept.status_code == 200
    assert me.json()["name"] == "Ada"


async def test_what_a_request_acknowledged_is_what_the_next_one_sees(
    committed_client: AsyncClient,
) -> None:
    async def one_user() -> None:
        email = committed_email()
        body = {"email": email, "password": PASSWORD}
        assert (await committed_client.post("/api/v1/auth/register", json=body)).status_code == 202
        login = await committed_client.post("/api/v1/auth/login", json=body)
        assert login.status_code == 200, login.text
        headers = bearer(login.json()["access_token"])
        assert (await committed_client.get("/api/v1/users/me", headers=headers)).status_code == 200
        logout = await committed_client.post("/api/v1/auth/logout", headers=headers)
        assert logout.status_code == 204
        after = await committed_client.get("/api/v1/users/me", headers=headers)
        assert after.status_code == 401, "a 204 logout must end the session at once"

    # Twenty users at once, each flow on its own connection from the pool.
    await asyncio.gather(*(one_user() for _ in range(20)))


async def test_a_connection_given_back_inside_a_transaction_is_rolled_back(
    engine: AsyncEngine,
) -> None:
    """What a request cancelled mid-statement can leave: the pool undoes it before the
    connection serves anyone else (on SQLite, the write lock would stall every request)."""
    table = f"given_back_{uuid.uuid4().hex[:12]}"
    async with engine.begin() as connection:
        await connection.execute(text(f"CREATE TABLE {table} (id INTEGER)"))

    def write_and_give_back(connection: Connection) -> None:
        raw = connection.engine.raw_connection()  # straight from the pool
        cursor = raw.cursor()
        if connection.dialect.name == "sqlite":  # our SQLite connections autocommit
            cursor.execute("BEGIN")
        cursor.execute(f"INSERT INTO {table} (id) VALUES (1)")  # noqa: S608
        raw.close()  # back to the pool, neither committed nor rolled back

    try:
        async with engine.connect() as connection:
            await connection.run_sync(write_and_give_back)
        async with engine.connect() as connection:
            rows = await connection.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
        assert rows == 0
    finally:
        async with engine.begin() as connection:
            await connection.execute(text(f"DROP TABLE {table}"))
