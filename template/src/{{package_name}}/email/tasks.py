"""Delivery of queued emails."""

from typing import Any

import structlog

from ..worker.registry import TaskContext, task
from .providers import get_email_provider
from .providers.base import EmailMessage

logger = structlog.get_logger(__name__)


@task("email.send")
async def send_email_task(ctx: TaskContext, *, message: dict[str, Any]) -> None:
    email = EmailMessage.from_dict(message)
    message_id = await get_email_provider().send(email)
    logger.info("email.sent", message_id=message_id, template=email.tags.get("template"))
