"""Any OpenAI-compatible chat completions API (OpenAI, OpenRouter, Groq, Together, Ollama, vLLM).

Plain httpx rather than the vendor SDK: one client, one retry policy and one
streaming parser shared with every other provider, and the same code works for
every server that speaks this wire format.
"""

import json
from collections.abc import AsyncGenerator
from typing import Any

import anyio
import httpx

from ....core.providers import ProviderUnavailable
from ...http import RetryPolicy, iter_sse, send_with_retries
from .base import ChatDelta, ChatDone, ChatEvent, ChatRequest, ChatResult, TokenUsage


class OpenAICompatibleProvider:
    name = "openai"
    free = False

    def __init__(
        self, client: httpx.AsyncClient, *, base_url: str, api_key: str, retry: RetryPolicy
    ) -> None:
        self.client = client
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.api_key = api_key
        self.retry = retry

    def _request(self, request: ChatRequest, *, stream: bool) -> httpx.Request:
        body: dict[str, Any] = {
            "model": request.model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
        }
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        return self.client.build_request(
            "POST",
            self.url,
            json=body,
            headers={"Authorization": f"Bearer {self.api_key}"},
        )

    async def complete(self, request: ChatRequest) -> ChatResult:
        response = await send_with_retries(
            self.client, self._request(request, stream=False), policy=self.retry, provider=self.name
        )
        try:
            data = response.json()
            choice = data["choices"][0]
            usage = data.get("usage") or {}
            return ChatResult(
                text=choice["message"].get("content") or "",
                usage=TokenUsage(
                    int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
                ),
                finish_reason=choice.get("finish_reason"),
            )
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ProviderUnavailable("The openai provider sent an unreadable answer.") from exc

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatEvent, None]:
        response = await send_with_retries(
            self.client,
            self._request(request, stream=True),
            policy=self.retry,
            provider=self.name,
            stream=True,
        )
        usage = TokenUsage(0, 0)
        finish_reason = None
        try:
            async for _event, data in iter_sse(response):
                if data.strip() == "[DONE]":
                    break
                chunk = json.loads(data)
                if chunk.get("usage"):
                    usage = TokenUsage(
                        int(chunk["usage"].get("prompt_tokens", 0)),
                        int(chunk["usage"].get("completion_tokens", 0)),
                    )
                for choice in chunk.get("choices") or []:
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        yield ChatDelta(text)
                    finish_reason = choice.get("finish_reason") or finish_reason
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderUnavailable("The openai stream broke off.") from exc
        finally:
            # Closing tells the provider to stop generating; shielded so that it
            # still happens when the stream is cancelled because the caller left.
            with anyio.CancelScope(shield=True):
                await response.aclose()
        yield ChatDone(usage, finish_reason)

    async def aclose(self) -> None:
        await self.client.aclose()
