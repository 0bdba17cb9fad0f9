"""Runs inside a rendered project: its app vs. a bare FastAPI app, requests per second."""

from __future__ import annotations

import asyncio
import tempfile
import time

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from rendered_app import migrated_settings, project_module

REQUESTS = 2000


async def _rate(app: FastAPI, path: str, headers: dict[str, str] | None = None) -> float:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://b") as client:
        for _ in range(100):  # warm up
            await client.get(path, headers=headers)
        started = time.perf_counter()
        for _ in range(REQUESTS):
            response = await client.get(path, headers=headers)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return REQUESTS / elapsed


async def main() -> None:
    main_module = project_module("main")
    bare = FastAPI()

    @bare.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    with tempfile.TemporaryDirectory() as tmp:
        settings = await migrated_settings(tmp)
        app = main_module.create_app(settings)
        async with app.router.lifespan_context(app):
            async with AsyncClient(transport=ASGITransport(app=app), base_url="http://b") as c:
                await c.post(
                    "/api/v1/auth/register",
                    json={"email": "bench@example.com", "password": "benchmark-pw"},
                )
                login = await c.post(
                    "/api/v1/auth/login",
                    json={"email": "bench@example.com", "password": "benchmark-pw"},
                )
                token = login.json()["access_token"]
            baseline = await _rate(bare, "/health")
            ours = await _rate(app, "/health")
            me = await _rate(app, "/api/v1/users/me", {"Authorization": f"Bearer {token}"})
    print(
        f"throughput: bare FastAPI /health {baseline:.0f} req/s; rendered /health "
        f"{ours:.0f} req/s (ratio {ours / baseline:.2f}); authenticated /api/v1/users/me "
        f"on SQLite {me:.0f} req/s (ratio {me / baseline:.2f})"
    )


if __name__ == "__main__":
    asyncio.run(main())
