"""A local provider for development: answers with the last user message, no network."""

from collections.abc import AsyncGenerator

from .base import ChatDelta, ChatDone, ChatEvent, ChatRequest, ChatResult, TokenUsage


def _answer(request: ChatRequest) -> str:
    last = next((m.content for m in reversed(request.messages) if m.role == "user"), "")
    words = f"You said: {last}".split(" ")
    return " ".join(words[: request.max_tokens])


def _usage(request: ChatRequest, answer: str) -> TokenUsage:
    prompt_words = sum(len(m.content.split()) for m in request.messages)
    return TokenUsage(prompt_words, len(answer.split()))


class EchoProvider:
    name = "echo"
    free = True

    async def complete(self, request: ChatRequest) -> ChatResult:
        answer = _answer(request)
        return ChatResult(answer, _usage(request, answer), "stop")

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatEvent, None]:
        answer = _answer(request)
        for index, word in enumerate(answer.split(" ")):
            yield ChatDelta(word if index == 0 else " " + word)
        yield ChatDone(_usage(request, answer), "stop")

    async def aclose(self) -> None:
        return None
