"""The provider interface and its neutral message type."""

import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from ...core.providers import Provider


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


class EmailProvider(Provider, Protocol):
    async def send(self, message: EmailMessage) -> str:
        """Deliver ``message`` and return the provider's message id.

        Raise `ProviderUnavailable` (the worker retries with backoff) or
        `ProviderRejected` (retrying would not help).
        """
        ...
