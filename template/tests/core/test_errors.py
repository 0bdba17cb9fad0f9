import re
from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient


async def test_malformed_json_gets_the_error_envelope(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login",
        content=b'{"email": "a@example.com", "password": ',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"][0]["type"] == "json_invalid"


async def test_unknown_route_gets_the_error_envelope(client: AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not Found", "details": None}
    }


async def test_wrong_method_gets_the_error_envelope(client: AsyncClient) -> None:
    response = await client.get("/api/v1/auth/login")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_a_wrong_method_names_every_method_the_path_answers_to(client: AsyncClient) -> None:
    # GET and PATCH are two routes: Starlette alone would name only the first one's method.
    response = await client.delete("/api/v1/users/me")

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, PATCH"


async def test_oversized_body_is_refused_before_it_is_read(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        content=b"{" + b" " * 2_000_000 + b"}",
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_oversized_streamed_body_without_length_is_refused(client: AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b" " * 65_536

    response = await client.post(
        "/api/v1/auth/register", content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_every_response_carries_a_request_id(client: AsyncClient) -> None:
    generated = [(await client.get("/health")).headers["x-request-id"] for _ in range(2)]
    echoed = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    unsafe = await client.get("/health", headers={"X-Request-ID": "bad id\nwith newline"})

    assert all(re.fullmatch("[0-9a-f]{32}", request_id) for request_id in generated)
    assert generated[0] != generated[1]
    assert echoed.headers["x-request-id"] == "abc-123"
    assert re.fullmatch("[0-9a-f]{32}", unsafe.headers["x-request-id"])


async def test_log_lines_of_a_request_carry_its_request_id(
    client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/api/v1/users/me", headers={"X-Request-ID": "trace-me"})

    assert response.status_code == 401
    events = {r.msg["event"]: r.msg for r in caplog.records if isinstance(r.msg, dict)}
    assert events["request.rejected"]["request_id"] == "trace-me"
    assert events["request"]["request_id"] == "trace-me"
    assert events["request"]["status"] == 401
