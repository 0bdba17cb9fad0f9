"""Calling model providers over HTTP: timeouts, retries with backoff, one error type.

Every provider adapter sends its requests through :func:`send_with_retries`, so a
429 or a 5xx from any vendor is retried the same way and a provider that stays
down becomes one 503 for our caller instead of a crash.
"""

import random
from collections.abc import AsyncGenerator
from dataclasses import dataclass

import anyio
import httpx
import structlog

from ..core.providers import ProviderRejected, ProviderUnavailable, tls_context

logger = structlog.get_logger(__name__)

# Plus every 5xx (529 is a common "overloaded").
RETRYABLE_STATUS = frozenset({408, 409, 429})
# A provider asking us to wait longer than this is treated as down.
MAX_RETRY_AFTER_SECONDS = 30.0


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        retry_after = _retry_after(response) if response is not None else None
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER_SECONDS)
        backoff = min(self.base_delay * 2.0 ** (attempt - 1), self.max_delay)
        return backoff * random.uniform(0.5, 1.0)  # noqa: S311 (jitter, not security)


def build_client(*, timeout: float, connect_timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=connect_timeout), verify=tls_context()
    )


async def send_with_retries(
    client: httpx.AsyncClient,
    request: httpx.Request,
    *,
    policy: RetryPolicy,
    provider: str,
    stream: bool = False,
) -> httpx.Response:
    """Send ``request``; retry 429/5xx answers and transport errors with backoff.

    Returns a successful (2xx) response — still open when ``stream`` is true, so
    the caller must close it — or raises `ProviderUnavailable` (down, after retries)
    or `ProviderRejected` (a 4xx other than 408/409/429, which no retry will change).
    """
    log = logger.bind(provider=provider, url=str(request.url))
    for attempt in range(1, policy.max_retries + 2):
        last = attempt > policy.max_retries
        try:
            response = await client.send(request, stream=stream)
        except httpx.TimeoutException as exc:
            if last:
                raise ProviderUnavailable(f"The {provider} provider timed out.") from exc
            log.warning("ai.provider.retry", attempt=attempt, error="timeout")
            await anyio.sleep(policy.delay(attempt, None))
            continue
        except httpx.TransportError as exc:
            if last:
                raise ProviderUnavailable(f"The {provider} provider is unreachable.") from exc
            log.warning("ai.provider.retry", attempt=attempt, error=repr(exc))
            await anyio.sleep(policy.delay(attempt, None))
            continue
        if response.is_success:
            return response
        await response.aread()
        await response.aclose()
        if response.status_code not in RETRYABLE_STATUS and response.status_code < 500:
            log.warning("ai.provider.rejected", status=response.status_code, body=response.text)
            raise ProviderRejected(
                f"The {provider} provider rejected the request ({response.status_code}).",
                details={"provider_status": response.status_code},
            )
        if last:
            raise ProviderUnavailable(
                f"The {provider} provider kept failing ({response.status_code}).",
                details={"provider_status": response.status_code},
            )
        log.warning("ai.provider.retry", attempt=attempt, status=response.status_code)
        await anyio.sleep(policy.delay(attempt, response))
    raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


async def iter_sse(response: httpx.Response) -> AsyncGenerator[tuple[str, str], None]:
    """(event, data) pairs of a Server-Sent Events body; ``event`` is "" when unnamed."""
    event = ""
    data: list[str] = []
    async for line in response.aiter_lines():
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        yield event, "\n".join(data)
