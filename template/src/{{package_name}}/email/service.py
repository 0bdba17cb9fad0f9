"""`send_email()`: the one way features send mail."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..core.config import get_settings
from ..worker.queue import Job, enqueue
from .config import get_email_settings
from .providers.base import EmailMessage
from .rendering import render_email


def send_email(
    session: AsyncSession, *, to: str, subject: str, template: str, context: dict[str, Any]
) -> Job:
    """Render ``template`` now (a broken template fails the request, not a worker) and
    queue its delivery for after ``session`` commits."""
    settings = get_settings()
    email_settings = get_email_settings()
    full_context = {"app_name": settings.app_name, "public_url": settings.public_url, **context}
    html, text = render_email(template, full_context)
    message = EmailMessage(
        to=to,
        subject=subject,
        html=html,
        text=text,
        from_address=email_settings.from_address,
        reply_to=email_settings.reply_to,
        tags={"template": template},
    )
    return enqueue(session, "email.send", message=message.to_dict())
