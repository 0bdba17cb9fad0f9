"""Runs inside a rendered project with `llm`: time to the first streamed delta through
`POST /api/v1/ai/chat` vs. straight from the fake provider, over real loopback HTTP.
Prints one JSON line (milliseconds); benchmarks/run.py reads it.

The difference is what our endpoint adds before the first byte (auth, the quota
reservation's transaction, the provider round trip through our client) — the
figure is printed as a ratio, nothing is asserted.

Each stream is read to its end, as a client does: both connections stay open between
rounds, and one round's settlement (which runs when its stream ends) is over before the
next round starts. Breaking off after the first delta instead closed both connections
every round and left our settlement running into the next round's session lookup.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from pydantic import SecretStr
from rendered_app import migrated_settings, project_module

sys.path.insert(0, str(Path.cwd()))

from tests.ai.llm.fake_chat import FakeChat
from tests.loopback import serve

ROUNDS = 60
BODY = {"messages": [{"role": "user", "content": "hi"}], "stream": True}


async def _first_delta(client: httpx.AsyncClient, url: str, **kwargs: object) -> float:
    started = time.perf_counter()
    async with client.stream("POST", url, **kwargs) as response:  # type: ignore[arg-type]
        seen = []
        lines = response.aiter_lines()
        async for line in lines:
            if line.startswith("data:") and ("delta" in line or '"text"' in line):
                elapsed = time.perf_counter() - started
                break
            seen.append(line)
        else:
            raise AssertionError(f"no delta ({response.status_code}): {seen}")
        async for line in lines:
            seen.append(line)
    if not any('"done"' in line or "[DONE]" in line for line in seen):
        raise AssertionError(f"the stream did not finish: {seen[-3:]}")
    return elapsed


async def main() -> None:
    # With billing rendered, the default free allowance has no money budget (a 402 on any
    # priced model); the benchmark user gets one. Without billing the variable is ignored.
    os.environ["BILLING_FREE_LIMITS"] = json.dumps(
        {"ai_tokens": 10**9, "ai_audio_seconds": 10**6, "ai_cost_micros": 10**12}
    )
    main_module = project_module("main")
    llm_config = project_module("ai.llm.config")
    llm_providers = project_module("ai.llm.providers")

    fake = FakeChat(pieces=["Hello", " world"] * 20)
    with tempfile.TemporaryDirectory() as tmp:
        settings = await migrated_settings(tmp)
        async with serve(fake.app()) as fake_url:
            llm_settings = llm_config.LlmSettings(
                _env_file=None,
                openai_api_key=SecretStr("bench"),
                openai_base_url=f"{fake_url}/v1",
            )
            app = main_module.create_app(settings)
            async with (
                app.router.lifespan_context(app),
                serve(app) as app_url,
                httpx.AsyncClient(base_url=app_url) as client,
            ):
                # The app's LLM settings and providers, pointed at the fake (its shutdown
                # closes the providers), as the project's own tests do.
                services = app.state.services
                await services.chat.aclose()
                services.llm_settings = llm_settings
                services.chat = llm_providers.build_chat_providers(llm_settings)
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
    ours_ms = statistics.median(ours[5:]) * 1000
    direct_ms = statistics.median(direct[5:]) * 1000
    note = (
        f"ours adds {ours_ms - direct_ms:.1f} ms; median of {ROUNDS - 5} after 5 warm-up"
        " rounds, SQLite, loopback HTTP, each stream read to its end"
    )
    print(json.dumps({"ours_ms": ours_ms, "direct_ms": direct_ms, "note": note}))


if __name__ == "__main__":
    asyncio.run(main())
