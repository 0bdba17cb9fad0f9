"""The provider interface and its neutral message type."""

import uuid
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
    # Ours, fixed when the message is queued: retries reuse it as the idempotency key.
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_dict(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "subject": self.subject,
            "html": self.html,
            "text": self.text,
            "from_address": self.from_address,
            "reply_to": self.reply_to,
            "tags": dict(self.tags),
            "id": self.id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(**data)


class EmailDeliveryError(Exception):
    """The provider refused or could not take the message; the worker retries."""


class EmailProvider(Protocol):
    async def send(self, message: EmailMessage) -> str:
        """Deliver ``message`` and return the provider's message id.

        Raise `EmailDeliveryError` on failure; the worker retries with backoff.
        """
