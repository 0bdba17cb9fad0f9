"""Chat requests and answers."""

from typing import Literal

from pydantic import BaseModel, Field


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
