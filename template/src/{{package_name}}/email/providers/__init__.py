"""Email providers by name; the settings pick one (a seam: one line per vendor)."""

from functools import lru_cache

from ..config import EmailProviderName, EmailSettings, get_email_settings
from .base import EmailProvider
from .console import ConsoleEmailProvider
from .resend import ResendEmailProvider
from .smtp import SmtpEmailProvider


def build_email_provider(settings: EmailSettings) -> EmailProvider:
    match settings.provider:
        case EmailProviderName.CONSOLE:
            return ConsoleEmailProvider()
        case EmailProviderName.RESEND:
            assert settings.resend_api_key is not None  # checked by EmailSettings
            return ResendEmailProvider(
                api_key=settings.resend_api_key.get_secret_value(),
                api_url=settings.resend_api_url,
            )
        case EmailProviderName.SMTP:
            assert settings.smtp_host is not None  # checked by EmailSettings
            password = settings.smtp_password
            return SmtpEmailProvider(
                host=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=password.get_secret_value() if password else None,
                security=settings.smtp_security,
                timeout=settings.smtp_timeout_seconds,
            )


@lru_cache
def get_email_provider() -> EmailProvider:
    return build_email_provider(get_email_settings())
