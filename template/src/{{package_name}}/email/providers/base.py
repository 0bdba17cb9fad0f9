"""The provider interface and its neutral message type."""

from dataclasses import dataclass, field
from typing import Any, Protocol, Self


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    html: str
    text: str
    from_address: str
    reply_to: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "subject": self.subject,
            "html": self.html,
            "text": self.text,
            "from_address": self.from_address,
            "reply_to": self.reply_to,
            "tags": dict(self.tags),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(**data)


class EmailProvider(Protocol):
    async def send(self, message: EmailMessage) -> str:
        """Deliver ``message`` and return the provider's message id.

        Raise on failure; the worker retries with backoff.
        """
