"""Resend (https://resend.com) through its official SDK.

The SDK is configured through module globals (`resend.api_key`, `resend.api_url`) and
sends with a blocking HTTP client, so each send sets them under a lock, in a worker
thread, and nothing is configured at import time.
"""

import threading
from typing import Any

import anyio

from ...core.providers import ProviderRejected, ProviderUnavailable
from .base import EmailMessage

_SDK_GLOBALS = threading.Lock()
# Worth another attempt: rate limits, Resend's own failures, and the SDK's transport
# errors (which it reports as code 500).
_RETRYABLE = frozenset({429, 500, 502, 503, 504})


class ResendEmailProvider:
    name = "resend"

    def __init__(self, *, api_key: str | None, api_url: str) -> None:
        self.api_key = api_key
        self.api_url = api_url.rstrip("/")

    def missing_settings(self) -> list[str]:
        return [] if self.api_key else ["EMAIL_RESEND_API_KEY"]

    async def send(self, message: EmailMessage) -> str:
        return await anyio.to_thread.run_sync(self._send, message)

    async def aclose(self) -> None:
        return None

    def _send(self, message: EmailMessage) -> str:
        # Imported on first use: the SDK (and the HTTP stack under it) costs start-up time
        # in every process, and most never send mail.
        import resend
        from resend.exceptions import ResendError

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
                failure = ProviderUnavailable if _code(exc) in _RETRYABLE else ProviderRejected
                raise failure(
                    f"Resend did not take message {message.id}: {exc.code} {exc.message}"
                ) from exc
        return str(sent["id"])


def _code(exc: Exception) -> int:
    try:
        return int(getattr(exc, "code", 0))
    except (TypeError, ValueError):
        return 0
