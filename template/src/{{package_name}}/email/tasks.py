"""Delivery of queued emails."""

from typing import Any

import structlog

from ..core.providers import require_configured
from ..services import Services
from ..worker.registry import task
from .providers.base import EmailMessage

logger = structlog.get_logger(__name__)


@task("email.send")
async def send_email_task(services: Services, *, message: dict[str, Any]) -> None:
    sender = services.email_settings
    email = EmailMessage(
        **{"from_address": sender.from_address, "reply_to": sender.reply_to, **message}
    )
    log = logger.bind(message_id=email.id, template=email.tags.get("template"))
    try:
        provider = require_configured(services.email, "Email")
        provider_id = await provider.send(email)
    except Exception as exc:
        # Raised again so the worker retries; the id ties the attempts together.
        log.warning("email.failed", error=str(exc))
        raise
    log.info("email.sent", provider_message_id=provider_id)
