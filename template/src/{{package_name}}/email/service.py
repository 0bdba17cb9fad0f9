"""`send_email()`: the one way features send mail."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..core.config import Settings
from ..worker.queue import Job, enqueue
from .rendering import render_email


def send_email(
    session: AsyncSession,
    settings: Settings,
    *,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any],
) -> Job:
    """Render ``template`` now (a broken template fails the request, not a worker) and
    queue its delivery for after ``session`` commits; the sender comes from the email
    settings at delivery."""
    full_context = {"app_name": settings.app_name, "public_url": settings.public_url, **context}
    html, text = render_email(template, full_context)
    message = {
        "to": to,
        "subject": subject,
        "html": html,
        "text": text,
        "tags": {"template": template},
        # Fixed now: every retry of the delivery reuses it as the idempotency key.
        "id": uuid.uuid4().hex,
    }
    return enqueue(session, "email.send", message=message)
