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
    log = logger.bind(message_id=email.id, template=email.tags.get("template"))
    try:
        provider_id = await get_email_provider().send(email)
    except Exception as exc:
        # Raised again so the worker retries; the id ties the attempts together.
        log.warning("email.failed", error=str(exc))
        raise
    log.info("email.sent", provider_message_id=provider_id)
