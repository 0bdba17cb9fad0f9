"""Checking a chat request against the limits, estimating it, pricing it, streaming it."""

import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import replace

import anyio
import structlog

from ...analytics.events import AiChatCompleted
from ...core.db.types import utcnow
from ...core.errors import BadRequest, ErrorBody, PayloadTooLarge
from ...core.providers import ProviderRejected, ProviderUnavailable
from ..usage import quotas
from ..usage.ledger import Ledger
from ..usage.quotas import Amounts
from ..usage.service import MICROS_PER_MILLION_UNITS, Reservation, Usage, cost_micros
from .config import LlmSettings
from .providers import ChatProviders
from .providers.base import ChatDelta, ChatMessage, ChatProvider, ChatRequest, TokenUsage
from .schemas import ChatDeltaEvent, ChatDoneEvent, ChatErrorEvent, ChatIn, ChatUsage

logger = structlog.get_logger(__name__)

FEATURE = "chat"
# Roughly four characters per token in English: good enough to reserve quota
# before the call and to bill a stream that was cut before the provider counted.
CHARS_PER_TOKEN = 4
# The framing providers add around each message.
TOKENS_PER_MESSAGE = 4
# A provider that ignores max_tokens is cut off once its answer is this much longer
# than max_tokens would allow (the estimate is rough; an honest answer must fit).
CUT_OFF_FACTOR = 1.5


def estimate_tokens(text_length: int) -> int:
    return -(-text_length // CHARS_PER_TOKEN)


def prepare(
    body: ChatIn, settings: LlmSettings, providers: ChatProviders
) -> tuple[ChatProvider, ChatRequest, str]:
    """The provider, the request to send it and the "provider:model" name; 4xx when the
    body breaks a limit or names a model outside the allow-list."""
    if len(body.messages) > settings.max_messages:
        raise BadRequest(
            f"At most {settings.max_messages} messages are accepted.",
            details={"max_messages": settings.max_messages},
        )
    input_chars = sum(len(m.content) for m in body.messages)
    if input_chars > settings.max_input_chars:
        raise PayloadTooLarge(
            f"The messages hold {input_chars} characters; the limit is {settings.max_input_chars}.",
            details={"max_input_chars": settings.max_input_chars},
        )
    if body.max_tokens is not None and body.max_tokens > settings.max_tokens:
        raise BadRequest(
            f"max_tokens may be at most {settings.max_tokens}.",
            details={"max_tokens": settings.max_tokens},
        )
    provider, model, qualified = providers.resolve(body.model)
    request = ChatRequest(
        model=model,
        messages=tuple(ChatMessage(m.role, m.content) for m in body.messages),
        max_tokens=body.max_tokens or settings.max_tokens,
        temperature=body.temperature,
    )
    return provider, request, qualified


def input_chars(request: ChatRequest) -> int:
    return sum(len(m.content) for m in request.messages)


def price(settings: LlmSettings, qualified: str, usage: TokenUsage) -> int:
    table = settings.prices.get(qualified)
    if table is None:
        return 0
    return cost_micros(usage.input_tokens, table.input) + cost_micros(
        usage.output_tokens, table.output
    )


def input_tokens(request: ChatRequest) -> int:
    return estimate_tokens(input_chars(request)) + TOKENS_PER_MESSAGE * len(request.messages)


def estimate(
    settings: LlmSettings, provider: ChatProvider, qualified: str, request: ChatRequest
) -> Amounts:
    """The most this call may spend: its input and every token it may answer with (nothing
    for a local provider)."""
    if provider.free:
        return Amounts()
    worst = TokenUsage(input_tokens(request), request.max_tokens)
    return Amounts(
        tokens=worst.input_tokens + worst.output_tokens,
        cost_micros=price(settings, qualified, worst),
    )


def fit_to_grant(
    settings: LlmSettings,
    provider: ChatProvider,
    qualified: str,
    request: ChatRequest,
    granted: Amounts,
) -> ChatRequest:
    """``request`` with ``max_tokens`` cut to what the reservation covers, so the answer
    cannot spend more than is left; 429 when not even one token of answer fits."""
    if provider.free:
        return request
    prompt = input_tokens(request)
    allowed = min(request.max_tokens, granted.tokens - prompt)
    limiting = quotas.TOKENS
    table = settings.prices.get(qualified)
    if table is not None and table.output > 0:
        budget = granted.cost_micros - cost_micros(prompt, table.input)
        affordable = budget * MICROS_PER_MILLION_UNITS // table.output
        if affordable < allowed:
            allowed, limiting = affordable, quotas.COST_MICROS
    if allowed < 1:
        wanted = estimate(settings, provider, qualified, replace(request, max_tokens=1))
        raise quotas.not_enough_left(
            limiting, left=granted.get(limiting), wanted=wanted.get(limiting), now=utcnow()
        )
    return replace(request, max_tokens=allowed)


def usage_row(
    settings: LlmSettings,
    provider: ChatProvider,
    qualified: str,
    tokens: TokenUsage,
    *,
    status: str,
) -> Usage:
    return Usage(
        feature=FEATURE,
        provider=provider.name,
        model=qualified.partition(":")[2],
        status=status,
        input_tokens=tokens.input_tokens,
        output_tokens=tokens.output_tokens,
        cost_micros=0 if provider.free else price(settings, qualified, tokens),
        free=provider.free,
    )


async def settle_shielded(
    ledger: Ledger, reservation: Reservation, usage: Usage, *, streamed: bool, started: float
) -> None:
    """Settle (and record the `ai_chat_completed` event) even while the surrounding task
    is being cancelled; ``started`` is the `time.monotonic()` of the call's start."""
    event = AiChatCompleted(
        user_id=reservation.user_id,
        provider=usage.provider,
        model=usage.model,
        status=usage.status,
        streamed=streamed,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cost_micros=usage.cost_micros,
        latency_ms=round((time.monotonic() - started) * 1000, 2),
    )
    with anyio.CancelScope(shield=True):
        await ledger.settle(reservation, usage, event=event)


def sse(event: ChatDeltaEvent | ChatDoneEvent | ChatErrorEvent) -> str:
    """One Server-Sent Event, named by the event's ``type``."""
    return f"event: {event.type}\ndata: {event.model_dump_json()}\n\n"


async def stream_events(
    *,
    settings: LlmSettings,
    provider: ChatProvider,
    request: ChatRequest,
    qualified: str,
    ledger: Ledger,
    reservation: Reservation,
) -> AsyncGenerator[str, None]:
    """`delta` events, then `done` with the usage (or `error`); always settles the ledger.

    A provider that fails before its first token raises ``ProviderUnavailable``
    from the first ``anext()``, so the caller can still answer with a JSON 503.

    When the caller goes away the generator is closed or cancelled: leaving the
    provider's iterator closes its HTTP stream, and the ledger records what was
    sent so far (status "cut"), estimated from the characters when the provider
    never got to count.
    """
    started = time.monotonic()
    sent: list[str] = []
    sent_chars = 0
    cut_off = int(request.max_tokens * CHARS_PER_TOKEN * CUT_OFF_FACTOR)
    counted: TokenUsage | None = None
    status = "cut"
    # Whether a delta went out: after that a failure is an `error` event, not a 503.
    streaming = False
    try:
        async with aclosing(provider.stream(request)) as events:
            async for event in events:
                if isinstance(event, ChatDelta):
                    sent_chars += len(event.text)
                    if sent_chars > cut_off:
                        # The allowance is spent: closing the iterator stops the provider.
                        logger.warning("ai.chat.stream_cut", max_tokens=request.max_tokens)
                        yield sse(_cut_done(settings, qualified, request, sent))
                        break
                    sent.append(event.text)
                    streaming = True
                    yield sse(ChatDeltaEvent(text=event.text))
                else:
                    counted = event.usage
                    status = "ok"
                    yield sse(_done(settings, qualified, event.usage, event.finish_reason))
    except (ProviderUnavailable, ProviderRejected) as exc:
        status = "failed"
        if not streaming:
            raise
        logger.warning("ai.chat.stream_failed", reason=exc.message)
        error = ErrorBody(code=exc.code, message=exc.message, details=exc.details)
        yield sse(ChatErrorEvent(error=error))
    finally:
        tokens = counted or _estimated_usage(request, sent)
        await settle_shielded(
            ledger,
            reservation,
            usage_row(settings, provider, qualified, tokens, status=status),
            streamed=True,
            started=started,
        )


def _estimated_usage(request: ChatRequest, sent: list[str]) -> TokenUsage:
    """What a stream that ended before the provider counted has spent, by estimate."""
    return TokenUsage(input_tokens(request) if sent else 0, estimate_tokens(len("".join(sent))))


def _done(
    settings: LlmSettings, qualified: str, usage: TokenUsage, finish_reason: str | None
) -> ChatDoneEvent:
    return ChatDoneEvent(
        model=qualified.partition(":")[2],
        finish_reason=finish_reason,
        usage=ChatUsage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_micros=price(settings, qualified, usage),
        ),
    )


def _cut_done(
    settings: LlmSettings, qualified: str, request: ChatRequest, sent: list[str]
) -> ChatDoneEvent:
    return _done(settings, qualified, _estimated_usage(request, sent), "quota")
