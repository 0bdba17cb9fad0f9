"""Any SMTP server (STARTTLS, implicit TLS or plain; with or without login) via aiosmtplib."""

import ssl
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, parseaddr

import aiosmtplib

from ...core.providers import ProviderRejected, ProviderUnavailable
from ..config import SmtpSecurity
from .base import EmailMessage


def build_mime(message: EmailMessage) -> MimeMessage:
    """A multipart/alternative message: the text part first, the HTML part preferred."""
    mime = MimeMessage()
    mime["From"] = message.from_address
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(usegmt=True)
    domain = parseaddr(message.from_address)[1].rpartition("@")[2] or "localhost"
    # Our id, so a retried delivery carries the same Message-ID.
    mime["Message-ID"] = f"<{message.id}@{domain}>"
    if message.reply_to:
        mime["Reply-To"] = message.reply_to
    for name, value in sorted(message.tags.items()):
        mime[f"X-Tag-{name.title()}"] = value
    mime.set_content(message.text)
    mime.add_alternative(message.html, subtype="html")
    return mime


class SmtpEmailProvider:
    name = "smtp"

    def __init__(
        self,
        *,
        host: str | None,
        port: int,
        username: str | None,
        password: str | None,
        security: SmtpSecurity,
        timeout: float,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        """``tls_context`` defaults to the system's trust store with full verification."""
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.security = security
        self.timeout = timeout
        self.tls_context = tls_context

    def missing_settings(self) -> list[str]:
        return [] if self.host else ["EMAIL_SMTP_HOST"]

    async def aclose(self) -> None:
        return None

    async def send(self, message: EmailMessage) -> str:
        mime = build_mime(message)
        try:
            await aiosmtplib.send(
                mime,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.security is SmtpSecurity.SSL,
                start_tls=self.security is SmtpSecurity.STARTTLS,
                timeout=self.timeout,
                tls_context=self.tls_context,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise ProviderRejected(f"SMTP refused message {message.id}: {exc}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx is the server's final word; 4xx means "not now".
            failure = ProviderRejected if exc.code >= 500 else ProviderUnavailable
            raise failure(f"SMTP did not take message {message.id}: {exc}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:  # OSError covers TLS failures
            raise ProviderUnavailable(f"SMTP did not take message {message.id}: {exc}") from exc
        return str(mime["Message-ID"])
