"""Anthropic's Messages API, over plain httpx (see openai_compatible.py for why)."""

import json
from collections.abc import AsyncGenerator
from typing import Any

import anyio
import httpx

from ....core.providers import ProviderUnavailable
from ...http import RetryPolicy, iter_sse, send_with_retries
from .base import ChatDelta, ChatDone, ChatEvent, ChatRequest, ChatResult, TokenUsage


class AnthropicProvider:
    name = "anthropic"
    free = False

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        api_key: str,
        version: str,
        retry: RetryPolicy,
    ) -> None:
        self.client = client
        self.url = base_url.rstrip("/") + "/v1/messages"
        self.api_key = api_key
        self.version = version
        self.retry = retry

    def _request(self, request: ChatRequest, *, stream: bool) -> httpx.Request:
        # The Messages API takes system prompts apart from the conversation.
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        body: dict[str, Any] = {
            "model": request.model,
            "max_tokens": request.max_tokens,
            "messages": [
                {"role": m.role, "content": m.content}
                for m in request.messages
                if m.role != "system"
            ],
        }
        if system:
            body["system"] = system
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if stream:
            body["stream"] = True
        return self.client.build_request(
            "POST",
            self.url,
            json=body,
            headers={"x-api-key": self.api_key, "anthropic-version": self.version},
        )

    async def complete(self, request: ChatRequest) -> ChatResult:
        response = await send_with_retries(
            self.client, self._request(request, stream=False), policy=self.retry, provider=self.name
        )
        try:
            data = response.json()
            text = "".join(
                block.get("text", "") for block in data["content"] if block.get("type") == "text"
            )
            usage = data.get("usage") or {}
            return ChatResult(
                text=text,
                usage=TokenUsage(
                    int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))
                ),
                finish_reason=data.get("stop_reason"),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ProviderUnavailable("The anthropic provider sent an unreadable answer.") from exc

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatEvent, None]:
        response = await send_with_retries(
            self.client,
            self._request(request, stream=True),
            policy=self.retry,
            provider=self.name,
            stream=True,
        )
        input_tokens = output_tokens = 0
        stop_reason = None
        try:
            async for event, data in iter_sse(response):
                payload = json.loads(data)
                kind = payload.get("type", event)
                if kind == "message_start":
                    usage = payload["message"].get("usage") or {}
                    input_tokens = int(usage.get("input_tokens", 0))
                    output_tokens = int(usage.get("output_tokens", 0))
                elif kind == "content_block_delta":
                    delta = payload.get("delta") or {}
                    if delta.get("type") == "text_delta" and delta.get("text"):
                        yield ChatDelta(delta["text"])
                elif kind == "message_delta":
                    usage = payload.get("usage") or {}
                    output_tokens = int(usage.get("output_tokens", output_tokens))
                    stop_reason = (payload.get("delta") or {}).get("stop_reason") or stop_reason
                elif kind == "message_stop":
                    break
                elif kind == "error":
                    raise ProviderUnavailable(
                        "The anthropic stream reported an error.", details=payload.get("error")
                    )
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise ProviderUnavailable("The anthropic stream broke off.") from exc
        finally:
            # Closing tells the provider to stop generating; shielded so that it
            # still happens when the stream is cancelled because the caller left.
            with anyio.CancelScope(shield=True):
                await response.aclose()
        yield ChatDone(TokenUsage(input_tokens, output_tokens), stop_reason)

    async def aclose(self) -> None:
        await self.client.aclose()
