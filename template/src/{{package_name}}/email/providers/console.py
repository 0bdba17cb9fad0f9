"""Development provider: logs each message instead of sending it."""

import structlog

from .base import EmailMessage

logger = structlog.get_logger(__name__)


class ConsoleEmailProvider:
    name = "console"

    def missing_settings(self) -> list[str]:
        return []

    async def send(self, message: EmailMessage) -> str:
        message_id = f"console-{message.id}"
        logger.info(
            "email.console",
            message_id=message_id,
            to=message.to,
            subject=message.subject,
            text=message.text,
        )
        return message_id

    async def aclose(self) -> None:
        return None
