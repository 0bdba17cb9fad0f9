"""Email providers by name; the settings pick one (a seam: one line per vendor)."""

from functools import lru_cache

from ..config import EmailProviderName, EmailSettings, get_email_settings
from .base import EmailProvider
from .console import ConsoleEmailProvider


def build_email_provider(settings: EmailSettings) -> EmailProvider:
    match settings.provider:
        case EmailProviderName.CONSOLE:
            return ConsoleEmailProvider()


@lru_cache
def get_email_provider() -> EmailProvider:
    return build_email_provider(get_email_settings())
