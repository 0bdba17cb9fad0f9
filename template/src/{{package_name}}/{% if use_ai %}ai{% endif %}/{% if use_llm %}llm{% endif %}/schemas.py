"""Chat requests and answers, and the events of a streamed answer."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from ...core.errors import ErrorBody


class Message(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str = Field(min_length=1)


class ChatIn(BaseModel):
    messages: list[Message] = Field(min_length=1)
    # "model" or "provider:model" from the allow-list; the first allowed one when absent.
    model: str | None = None
    stream: bool = False
    max_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)


class ChatUsage(BaseModel):
    input_tokens: int
    output_tokens: int
    cost_micros: int


class Answer(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatOut(BaseModel):
    model: str
    message: Answer
    finish_reason: str | None
    usage: ChatUsage


# A streamed answer (`stream: true`): Server-Sent Events named `delta`, then `done` (or
# `error`); each `data` is one of these in JSON, its `type` repeating the event's name.


class _Event(BaseModel):
    # `type` is always sent: the schema says so, and clients narrow on it.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class ChatDeltaEvent(_Event):
    type: Literal["delta"] = "delta"
    text: str


class ChatDoneEvent(_Event):
    type: Literal["done"] = "done"
    model: str
    # "quota" when the answer was cut at what the caller's quota allowed.
    finish_reason: str | None
    usage: ChatUsage


class ChatErrorEvent(_Event):
    """The provider failed after the answer had begun (before, the request fails with 503)."""

    type: Literal["error"] = "error"
    error: ErrorBody


class ChatStreamEvent(
    RootModel[
        Annotated[ChatDeltaEvent | ChatDoneEvent | ChatErrorEvent, Field(discriminator="type")]
    ]
):
    """One event of a streamed chat answer."""
