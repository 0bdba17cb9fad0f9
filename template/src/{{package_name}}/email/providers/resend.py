"""Resend (https://resend.com) through its official SDK.

The SDK is configured through module globals (`resend.api_key`, `resend.api_url`) and
sends with a blocking HTTP client, so each send sets them under a lock, in a worker
thread, and nothing is configured at import time.
"""

import threading
from typing import Any

import anyio
import resend
from resend.exceptions import ResendError

from .base import EmailDeliveryError, EmailMessage

_SDK_GLOBALS = threading.Lock()


class ResendEmailProvider:
    def __init__(self, *, api_key: str, api_url: str) -> None:
        self.api_key = api_key
        self.api_url = api_url.rstrip("/")

    async def send(self, message: EmailMessage) -> str:
        return await anyio.to_thread.run_sync(self._send, message)

    def _send(self, message: EmailMessage) -> str:
        params: dict[str, Any] = {
            "from": message.from_address,
            "to": [message.to],
            "subject": message.subject,
            "html": message.html,
            "text": message.text,
            "tags": [{"name": k, "value": v} for k, v in sorted(message.tags.items())],
        }
        if message.reply_to:
            params["reply_to"] = message.reply_to
        with _SDK_GLOBALS:
            resend.api_key = self.api_key
            resend.api_url = self.api_url
            try:
                sent = resend.Emails.send(
                    params,  # type: ignore[arg-type]
                    options={"idempotency_key": message.id},
                )
            except ResendError as exc:
                raise EmailDeliveryError(
                    f"Resend refused message {message.id}: {exc.code} {exc.message}"
                ) from exc
        return str(sent["id"])
