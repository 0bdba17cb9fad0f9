"""Email providers by name; the settings pick one (a seam: one line per vendor).

A vendor's adapter, and its SDK, is imported in the branch that builds it: a process
loads only the provider it is configured with.
"""

from ..config import EmailProviderName, EmailSettings
from .base import EmailProvider
from .console import ConsoleEmailProvider


def build_email_provider(settings: EmailSettings) -> EmailProvider:
    match settings.provider:
        case EmailProviderName.CONSOLE:
            return ConsoleEmailProvider()
        case EmailProviderName.RESEND:
            from .resend import ResendEmailProvider

            api_key = settings.resend_api_key
            return ResendEmailProvider(
                api_key=api_key.get_secret_value() if api_key else None,
                api_url=settings.resend_api_url,
            )
        case EmailProviderName.SMTP:
            from .smtp import SmtpEmailProvider

            password = settings.smtp_password
            return SmtpEmailProvider(
                host=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=password.get_secret_value() if password else None,
                security=settings.smtp_security,
                timeout=settings.smtp_timeout_seconds,
            )
