"""Runs inside a rendered project with `llm`: time to the first streamed delta through
`POST /api/v1/ai/chat` vs. straight from the fake provider, over real loopback HTTP.

The difference is what our endpoint adds before the first byte (auth, the quota
reservation's transaction, the provider round trip through our client) — the
figure is printed as a ratio, nothing is asserted.
"""

from __future__ import annotations

import asyncio
import importlib
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import httpx
from alembic import command
from alembic.config import Config
from pydantic import SecretStr

sys.path.insert(0, str(Path.cwd()))

from tests.ai.llm.fake_chat import FakeChat
from tests.ai.loopback import serve

ROUNDS = 60
BODY = {"messages": [{"role": "user", "content": "hi"}], "stream": True}


async def _first_delta(client: httpx.AsyncClient, url: str, **kwargs: object) -> float:
    started = time.perf_counter()
    async with client.stream("POST", url, **kwargs) as response:  # type: ignore[arg-type]
        async for line in response.aiter_lines():
            if line.startswith("data:") and ("delta" in line or '"text"' in line):
                elapsed = time.perf_counter() - started
                break
        else:
            raise AssertionError("no delta")
    return elapsed


async def main() -> None:
    package = tomllib.loads(Path("pyproject.toml").read_text())["tool"]["hatch"]["build"]
    name = package["targets"]["wheel"]["packages"][0].split("/")[-1]
    config = importlib.import_module(f"{name}.core.config")
    main_module = importlib.import_module(f"{name}.main")
    llm_config = importlib.import_module(f"{name}.ai.llm.config")
    llm_providers = importlib.import_module(f"{name}.ai.llm.providers")

    fake = FakeChat(pieces=["Hello", " world"] * 20)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        alembic = Config("alembic.ini")
        alembic.attributes["database_url"] = url
        alembic.attributes["configure_logger"] = False
        await asyncio.to_thread(command.upgrade, alembic, "heads")
        settings = config.Settings(
            _env_file=None,
            database_url=url,
            log_level="WARNING",
            periodic_jobs_enabled=False,
            password_hash_time_cost=1,
            password_hash_memory_cost=8,
            password_hash_parallelism=1,
        )
        async with serve(fake.app()) as fake_url:
            llm_settings = llm_config.LlmSettings(
                _env_file=None,
                openai_api_key=SecretStr("bench"),
                openai_base_url=f"{fake_url}/v1",
            )
            providers = llm_providers.build_chat_providers(llm_settings)
            app = main_module.create_app(settings)
            app.dependency_overrides[llm_config.get_llm_settings] = lambda: llm_settings
            app.dependency_overrides[llm_providers.get_chat_providers] = lambda: providers
            async with (
                app.router.lifespan_context(app),
                serve(app) as app_url,
                httpx.AsyncClient(base_url=app_url) as client,
            ):
                credentials = {"email": "bench@example.com", "password": "benchmark-pw"}
                await client.post("/api/v1/auth/register", json=credentials)
                login = await client.post("/api/v1/auth/login", json=credentials)
                headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
                direct_body = {"model": "gpt-4o-mini", **BODY}
                ours, direct = [], []
                for _ in range(ROUNDS):
                    direct.append(
                        await _first_delta(
                            client, f"{fake_url}/v1/chat/completions", json=direct_body
                        )
                    )
                    ours.append(
                        await _first_delta(client, "/api/v1/ai/chat", json=BODY, headers=headers)
                    )
            await providers.aclose()
    ours_ms = statistics.median(ours[5:]) * 1000
    direct_ms = statistics.median(direct[5:]) * 1000
    print(
        f"streaming: time to first delta through /api/v1/ai/chat {ours_ms:.1f} ms, straight "
        f"from the fake provider {direct_ms:.1f} ms, ratio {ours_ms / direct_ms:.1f}x "
        f"(median of {ROUNDS - 5}, SQLite)"
    )


if __name__ == "__main__":
    asyncio.run(main())
