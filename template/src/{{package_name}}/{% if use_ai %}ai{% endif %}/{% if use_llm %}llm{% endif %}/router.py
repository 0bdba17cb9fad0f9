"""`POST /ai/chat`: JSON, or Server-Sent Events with `stream: true`."""

import time
from collections.abc import AsyncGenerator
from typing import Any

import anyio
from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from ...auth.dependencies import CurrentUser
from ...core.db.unit_of_work import DbSession, release_connection
from ...core.errors import AppError, BadRequest, raises
from ...core.openapi import streams
from ..usage.dependencies import LedgerDep
from ..usage.service import Usage
from . import service as chat_service
from .dependencies import ChatProvidersDep, LlmSettingsDep
from .providers.base import TokenUsage
from .schemas import Answer, ChatIn, ChatOut, ChatStreamEvent, ChatUsage

router = APIRouter(tags=["ai"])


class EventStreamResponse(StreamingResponse):
    """Server-Sent Events whose generator is always closed, even when the client left.

    Starlette stops iterating when the client disconnects but leaves the
    generator suspended; closing it here runs its ``finally`` (closing the
    provider's stream and settling the ledger) now rather than at garbage
    collection.
    """

    media_type = "text/event-stream"

    def __init__(self, first: str, events: AsyncGenerator[str, None]) -> None:
        async def body() -> AsyncGenerator[str, None]:
            yield first
            async for event in events:
                yield event

        # Unbuffered through nginx-style proxies; never cached: every response is no-store.
        super().__init__(body(), headers={"X-Accel-Buffering": "no"})
        self._events = events

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await self._events.aclose()


@router.post("/ai/chat", response_model=ChatOut)
@streams(ChatStreamEvent)
@raises(BadRequest)
async def chat(
    body: ChatIn,
    user: CurrentUser,
    session: DbSession,
    settings: LlmSettingsDep,
    providers: ChatProvidersDep,
    ledger: LedgerDep,
) -> Any:
    """The model's answer as JSON; with `stream: true`, as Server-Sent Events (`delta`
    events, then `done` with the usage, or `error` if the provider fails midway)."""
    provider, request, qualified = chat_service.prepare(body, settings, providers)
    # Give the connection back before a call that may take a minute: the ledger
    # writes in units of work of its own, and this request writes nothing else.
    await release_connection(session)
    estimate = chat_service.estimate(settings, provider, qualified, request)
    reservation = await ledger.reserve(user.id, estimate)
    try:
        request = chat_service.fit_to_grant(
            settings, provider, qualified, request, reservation.amounts
        )
    except AppError:
        unused = chat_service.usage_row(settings, provider, qualified, TokenUsage(0, 0), status="")
        await ledger.release(reservation, unused)
        raise
    if body.stream:
        events = chat_service.stream_events(
            settings=settings,
            provider=provider,
            request=request,
            qualified=qualified,
            ledger=ledger,
            reservation=reservation,
        )
        # Wait for the first event before answering 200: a provider that fails
        # before its first token is still a plain JSON 503.
        first = await anext(events)
        return EventStreamResponse(first, events)
    started = time.monotonic()
    try:
        result = await provider.complete(request)
    except BaseException:
        failed = chat_service.usage_row(
            settings, provider, qualified, TokenUsage(0, 0), status="failed"
        )
        await chat_service.settle_shielded(
            ledger, reservation, failed, streamed=False, started=started
        )
        raise
    usage: Usage = chat_service.usage_row(settings, provider, qualified, result.usage, status="ok")
    await chat_service.settle_shielded(ledger, reservation, usage, streamed=False, started=started)
    return ChatOut(
        model=usage.model,
        message=Answer(content=result.text),
        finish_reason=result.finish_reason,
        usage=ChatUsage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_micros=usage.cost_micros,
        ),
    )
