"""The contract every provider (of email, of storage, of each optional feature) keeps.

A provider is built once, in the lifespan, whether or not it is configured; it says
which settings it still needs the same way, and a vendor's failure reaches the app as
one of two errors: the vendor is *unavailable* (down, timing out, rate limiting us:
503, try again) or it *rejected* what we sent (502: retrying the same request will
not help). Vendor SDKs are imported inside their adapter, on first use.
"""

import ssl
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from .errors import AppError, ServiceUnavailable


class Provider(Protocol):
    name: str

    def missing_settings(self) -> list[str]:
        """Environment variables to set before the provider can work; empty when ready."""
        ...

    async def aclose(self) -> None:
        """Release connections and clients (called once, at shutdown)."""
        ...


class ProviderUnavailable(ServiceUnavailable):
    """The vendor is down, timing out or rate limiting us; the same call may work later."""

    code = "provider_unavailable"
    default_message = "An external service is not available right now; try again later."


class ProviderRejected(AppError):
    """The vendor refused the request; sending it again will not help."""

    status_code = 502
    code = "provider_rejected"
    default_message = "An external service refused the request."


class NotConfigured(ServiceUnavailable):
    """A rendered integration runs without its credentials: 503 naming what to set."""

    code = "not_configured"

    def __init__(self, feature: str, missing: Sequence[str], *, alternative: str = "") -> None:
        hint = f" {alternative}" if alternative else ""
        super().__init__(
            f"{feature} is not configured: set {', '.join(missing)}.{hint}",
            details={"missing_settings": list(missing)},
        )


P = TypeVar("P", bound=Provider)


def require_configured(provider: P, feature: str, *, alternative: str = "") -> P:
    """``provider``, or `NotConfigured` (503) naming the settings it still needs."""
    if missing := provider.missing_settings():
        raise NotConfigured(feature, missing, alternative=alternative)
    return provider


def missing_settings(providers: Sequence[Any]) -> list[str]:
    """Every setting the given providers still need, each named once, in order."""
    found: list[str] = []
    for provider in providers:
        for setting in provider.missing_settings():
            if setting not in found:
                found.append(setting)
    return found


@lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """What every vendor's HTTP client verifies servers with: httpx's default (certifi's CA
    bundle, or SSL_CERT_FILE / SSL_CERT_DIR). Loading the bundle takes about 20 ms, so one
    context serves every client of the process instead of each loading its own."""
    import httpx

    return httpx.create_ssl_context()
