"""A fake OpenAI chat completions and Anthropic Messages API speaking their wire formats.

It records every request it receives and plays a script: statuses to answer
before succeeding, a delay before answering, the text to stream piece by piece (and
where a stream turns to garbage).
"""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class FakeChat:
    pieces: list[str] = field(default_factory=lambda: ["Hello", ", ", "world", "!"])
    input_tokens: int = 12
    output_tokens: int = 4
    fail_with: list[int] = field(default_factory=list)
    delay: float = 0.0
    piece_interval: float = 0.0
    # After this many pieces an OpenAI stream sends a frame that is not JSON.
    garble_after: int | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    # Set when a stream ended before its last piece because the client went away.
    cut: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/chat/completions", self._openai, methods=["POST"]),
                Route("/v1/messages", self._anthropic, methods=["POST"]),
            ]
        )

    async def _receive(self, request: Request) -> tuple[dict[str, Any], Response | None]:
        body = await request.json()
        self.requests.append(
            {"path": request.url.path, "headers": dict(request.headers), "json": body}
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_with:
            status = self.fail_with.pop(0)
            return body, JSONResponse(
                {"error": {"message": "scripted failure"}}, status_code=status
            )
        return body, None

    async def _pieces(self, frames: AsyncIterator[str]) -> AsyncIterator[str]:
        finished = False
        try:
            async for frame in frames:
                yield frame
            finished = True
        finally:
            if not finished:
                self.cut.set()

    async def _openai(self, request: Request) -> Response:
        body, failure = await self._receive(request)
        if failure:
            return failure
        usage = {
            "prompt_tokens": self.input_tokens,
            "completion_tokens": self.output_tokens,
            "total_tokens": self.input_tokens + self.output_tokens,
        }
        if not body.get("stream"):
            return JSONResponse(
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "".join(self.pieces)},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": usage,
                }
            )

        async def frames() -> AsyncIterator[str]:
            def chunk(choices: list[dict[str, Any]], **extra: Any) -> str:
                data = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "choices": choices}
                return f"data: {json.dumps({**data, **extra})}\n\n"

            yield chunk([{"index": 0, "delta": {"role": "assistant", "content": ""}}])
            for sent, piece in enumerate(self.pieces):
                if sent == self.garble_after:
                    yield "data: {not json\n\n"
                    return
                await asyncio.sleep(self.piece_interval)
                yield chunk([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
            yield chunk([{"index": 0, "delta": {}, "finish_reason": "stop"}])
            if (body.get("stream_options") or {}).get("include_usage"):
                yield chunk([], usage=usage)
            yield "data: [DONE]\n\n"

        return StreamingResponse(self._pieces(frames()), media_type="text/event-stream")

    async def _anthropic(self, request: Request) -> Response:
        body, failure = await self._receive(request)
        if failure:
            return failure
        text = "".join(self.pieces)
        if not body.get("stream"):
            return JSONResponse(
                {
                    "id": "msg_1",
                    "type": "message",
                    "role": "assistant",
                    "model": body["model"],
                    "content": [{"type": "text", "text": text}],
                    "stop_reason": "end_turn",
                    "usage": {
                        "input_tokens": self.input_tokens,
                        "output_tokens": self.output_tokens,
                    },
                }
            )

        async def frames() -> AsyncIterator[str]:
            def event(kind: str, data: dict[str, Any]) -> str:
                return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n"

            yield event(
                "message_start",
                {
                    "message": {
                        "id": "msg_1",
                        "type": "message",
                        "role": "assistant",
                        "content": [],
                        "model": body["model"],
                        "usage": {"input_tokens": self.input_tokens, "output_tokens": 1},
                    }
                },
            )
            yield event(
                "content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}
            )
            yield event("ping", {})
            for piece in self.pieces:
                await asyncio.sleep(self.piece_interval)
                yield event(
                    "content_block_delta",
                    {"index": 0, "delta": {"type": "text_delta", "text": piece}},
                )
            yield event("content_block_stop", {"index": 0})
            yield event(
                "message_delta",
                {
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": self.output_tokens},
                },
            )
            yield event("message_stop", {})

        return StreamingResponse(self._pieces(frames()), media_type="text/event-stream")
