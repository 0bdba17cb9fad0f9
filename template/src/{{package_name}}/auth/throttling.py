"""Brute-force protection: failed logins counted per email and per client IP, and a cap
on the links mailed to one address.

Counters live in process memory by default and in Redis when
`RATE_LIMIT_STORAGE_URL` is set, so several API processes share them. When that Redis is
down the throttle fails closed: logins answer 503 until it is back, never unthrottled.
"""

import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import structlog
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string

from ..core.errors import ServiceUnavailable, TooManyRequests
from .config import AuthSettings

logger = structlog.get_logger(__name__)

T = TypeVar("T")


class ThrottleUnavailable(ServiceUnavailable):
    code = "throttle_unavailable"
    default_message = "Signing in is unavailable for a moment; try again shortly."


def _storage(url: str | None) -> Storage:
    if not url:
        return MemoryStorage()
    # limits names its asyncio backends `async+redis://...`; redis-py is its client.
    storage = storage_from_string(
        url if url.startswith("async+") else f"async+{url}",
        implementation="redispy",
        wrap_exceptions=True,
    )
    assert isinstance(storage, Storage)
    return storage


class LoginThrottle:
    def __init__(self, settings: AuthSettings) -> None:
        window = max(1, int(settings.login_failure_window.total_seconds()))
        self.shared = bool(settings.rate_limit_storage_url)
        self._storage = _storage(settings.rate_limit_storage_url)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._per_email: RateLimitItem = RateLimitItemPerSecond(
            settings.login_failures_per_email, window
        )
        self._per_ip: RateLimitItem = RateLimitItemPerSecond(settings.login_failures_per_ip, window)
        self._mails: RateLimitItem = RateLimitItemPerSecond(settings.mailed_links_per_email, window)

    def _keys(self, email: str, ip: str | None) -> list[tuple[RateLimitItem, str, str]]:
        keys = [(self._per_email, "login-email", email)]
        if ip:
            keys.append((self._per_ip, "login-ip", ip))
        return keys

    async def check(self, email: str, ip: str | None) -> None:
        """Raise 429 (with Retry-After) while either counter is exhausted."""
        for item, scope, value in self._keys(email, ip):
            if not await self._call(self._limiter.test, item, scope, value):
                stats = await self._call(self._limiter.get_window_stats, item, scope, value)
                retry_after = max(1, math.ceil(stats.reset_time - time.time()))
                logger.warning("login.throttled", scope=scope, retry_after=retry_after)
                raise TooManyRequests(
                    "Too many failed logins; try again later.", retry_after=retry_after
                )

    async def record_failure(self, email: str, ip: str | None) -> None:
        for item, scope, value in self._keys(email, ip):
            await self._call(self._limiter.hit, item, scope, value)

    async def record_success(self, email: str) -> None:
        await self._call(self._limiter.clear, self._per_email, "login-email", email)

    async def allow_mail(self, email: str) -> bool:
        """Count one mailed link to ``email``; False once the cap is reached."""
        allowed = await self._call(self._limiter.hit, self._mails, "mail", email)
        if not allowed:
            logger.warning("mail.throttled")
        return allowed

    async def healthy(self) -> bool:
        """Whether the counters' storage answers (always, for process memory)."""
        try:
            return bool(await self._storage.check())
        except Exception:  # readiness reports it; it never raises
            return False

    async def aclose(self) -> None:
        client = getattr(getattr(self._storage, "bridge", None), "storage", None)
        if client is not None:
            await client.aclose()

    async def _call(self, operation: Callable[..., Awaitable[T]], *args: Any) -> T:
        try:
            return await operation(*args)
        except StorageError as exc:
            # Fail closed: without its counters the throttle cannot tell a guesser apart.
            logger.error("throttle.storage_failed", error=repr(exc.storage_error))
            raise ThrottleUnavailable() from exc
