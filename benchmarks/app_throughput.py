"""Runs inside a rendered project: its app vs. a bare FastAPI app, requests per second."""

from __future__ import annotations

import asyncio
import importlib
import tempfile
import time
import tomllib
from pathlib import Path

from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

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
    package = tomllib.loads(Path("pyproject.toml").read_text())["tool"]["hatch"]["build"]
    package_name = package["targets"]["wheel"]["packages"][0].split("/")[-1]
    config_module = importlib.import_module(f"{package_name}.core.config")
    main_module = importlib.import_module(f"{package_name}.main")
    bare = FastAPI()

    @bare.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        alembic = Config("alembic.ini")
        alembic.attributes["database_url"] = url
        alembic.attributes["configure_logger"] = False
        await asyncio.to_thread(command.upgrade, alembic, "heads")
        settings = config_module.Settings(
            _env_file=None,
            database_url=url,
            log_level="WARNING",
            periodic_jobs_enabled=False,
            password_hash_time_cost=1,
            password_hash_memory_cost=8,
            password_hash_parallelism=1,
        )
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
