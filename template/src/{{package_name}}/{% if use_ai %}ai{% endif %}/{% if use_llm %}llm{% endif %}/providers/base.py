"""The chat provider interface and its neutral request and result types."""

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ChatMessage:
    role: str  # system | user | assistant
    content: str


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: tuple[ChatMessage, ...]
    max_tokens: int
    temperature: float | None = None


@dataclass(frozen=True)
class TokenUsage:
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class ChatResult:
    text: str
    usage: TokenUsage
    finish_reason: str | None


@dataclass(frozen=True)
class ChatDelta:
    """A piece of the answer, in order."""

    text: str


@dataclass(frozen=True)
class ChatDone:
    """The end of a stream: what the provider counted."""

    usage: TokenUsage
    finish_reason: str | None


ChatEvent = ChatDelta | ChatDone


class ChatProvider(Protocol):
    name: str
    # Answers locally without any network: costs nothing against the quotas.
    free: bool

    async def complete(self, request: ChatRequest) -> ChatResult:
        """Answer ``request`` in one piece.

        Raise ``ProviderUnavailable`` when the provider fails after retries.
        """
        ...

    def stream(self, request: ChatRequest) -> AsyncGenerator[ChatEvent, None]:
        """Answer ``request`` as deltas followed by exactly one :class:`ChatDone`.

        Closing the iterator early (the caller went away) must close the
        connection to the provider, so it stops generating.
        """
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
