"""Brute-force and flooding protection: password guesses per account, login attempts per
client IP, and emails with a link per address and per client IP.

Every attempt is *reserved* before it is evaluated: the counter is taken in one atomic
step (the `limits` library's moving window: a lock in process memory, a Lua script in
Redis) before the password is checked or the email queued, so a burst of concurrent
requests gets exactly as many tries as the limit, never one per request in flight. A
correct password gives the account its guesses back.

Counters live in process memory by default and in Redis when `RATE_LIMIT_STORAGE_URL` is
set, so several API processes share them; the two take the same code path. When that
Redis is down the throttle fails closed: the requests it guards answer 503 until it is
back, never unthrottled.
"""

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import structlog

from ..core.errors import ServiceUnavailable, TooManyRequests
from .config import AuthSettings

if TYPE_CHECKING:
    from limits import RateLimitItem
    from limits.aio.storage import Storage
    from limits.aio.strategies import MovingWindowRateLimiter

logger = structlog.get_logger(__name__)

T = TypeVar("T")


class ThrottleUnavailable(ServiceUnavailable):
    code = "throttle_unavailable"
    default_message = "This is unavailable for a moment; try again shortly."


def _storage(url: str | None) -> "Storage":
    from limits.aio.storage import MemoryStorage, Storage
    from limits.storage import storage_from_string

    if not url:

        class _MemoryStorage(MemoryStorage):
            async def clear(self, key: str) -> None:
                await super().clear(key)
                # Left empty rather than gone: limits' background expiry reads every key
                # it listed before its first await without checking the key is still
                # there, and a key cleared meanwhile kills it with a KeyError (in a task
                # nobody awaits).
                self.events[key] = []

        return _MemoryStorage()
    # limits names its asyncio backends `async+redis://...`; redis-py is its client.
    storage = storage_from_string(
        url if url.startswith("async+") else f"async+{url}",
        implementation="redispy",
        wrap_exceptions=True,
    )
    assert isinstance(storage, Storage)
    return storage


# A limit and the key it counts under: (limit, scope, value).
_Bucket = tuple["RateLimitItem", str, str | None]


@dataclass(frozen=True)
class _Counters:
    storage: "Storage"
    limiter: "MovingWindowRateLimiter"
    guesses: "RateLimitItem"
    logins_per_ip: "RateLimitItem"
    mails: "RateLimitItem"
    mails_per_ip: "RateLimitItem"
    storage_error: type[Exception]

    @classmethod
    def from_settings(cls, settings: AuthSettings) -> "_Counters":
        from limits import RateLimitItemPerSecond
        from limits.aio.strategies import MovingWindowRateLimiter
        from limits.errors import StorageError

        window = max(1, int(settings.login_failure_window.total_seconds()))
        storage = _storage(settings.rate_limit_storage_url)
        return cls(
            storage=storage,
            limiter=MovingWindowRateLimiter(storage),
            guesses=RateLimitItemPerSecond(settings.login_failures_per_email, window),
            logins_per_ip=RateLimitItemPerSecond(settings.login_attempts_per_ip, window),
            mails=RateLimitItemPerSecond(settings.mailed_links_per_email, window),
            mails_per_ip=RateLimitItemPerSecond(settings.mailed_links_per_ip, window),
            storage_error=StorageError,
        )


class AuthThrottle:
    def __init__(self, settings: AuthSettings) -> None:
        self.shared = bool(settings.rate_limit_storage_url)
        self._settings = settings

    @cached_property
    def _counters(self) -> _Counters:
        """Made on first use: `limits` (and redis-py behind it) is imported by the first
        request the throttle guards, not by every process that imports the app."""
        return _Counters.from_settings(self._settings)

    async def reserve_login(self, email: str, ip: str | None) -> None:
        """Count a login attempt for ``ip`` and a guess at ``email``'s password, before
        the password is checked; 429 (with Retry-After) once either is used up."""
        await self._reserve(
            "Too many login attempts; try again later.",
            (self._counters.logins_per_ip, "login-ip", ip),
            (self._counters.guesses, "password", email),
        )

    async def reserve_password_guess(self, email: str) -> None:
        """Count a guess at ``email``'s password (a change of password must give the
        current one): the same counter logins use, so the two share the account's tries."""
        await self._reserve(
            "Too many wrong passwords; try again later.",
            (self._counters.guesses, "password", email),
        )

    async def password_matched(self, email: str) -> None:
        """The right password: the account's guesses start again from zero."""
        counters = self._counters
        await self._call(counters.limiter.clear, counters.guesses, "password", email)

    async def reserve_mail(self, address: str, ip: str | None) -> None:
        """Count an email with a link to ``address``, asked for from ``ip``; 429 once
        either is used up, whether or not the address has an account."""
        await self._reserve(
            "Too many emails asked for; try again later.",
            (self._counters.mails_per_ip, "mail-ip", ip),
            (self._counters.mails, "mail", address),
        )

    async def _reserve(self, message: str, *buckets: _Bucket) -> None:
        # The client IP first: a client over its own limit uses up nothing of the
        # account's (or the address's).
        limiter = self._counters.limiter
        for item, scope, value in buckets:
            if value is None:
                continue
            if not await self._call(limiter.hit, item, scope, value):
                stats = await self._call(limiter.get_window_stats, item, scope, value)
                retry_after = max(1, math.ceil(stats.reset_time - time.time()))
                logger.warning("throttle.refused", scope=scope, retry_after=retry_after)
                raise TooManyRequests(message, retry_after=retry_after)

    async def healthy(self) -> bool:
        """Whether the counters' storage answers (always, for process memory)."""
        try:
            return bool(await self._counters.storage.check())
        except Exception:  # readiness reports it; it never raises
            return False

    async def aclose(self) -> None:
        if "_counters" not in self.__dict__:
            return  # never used: nothing was opened
        client = getattr(getattr(self._counters.storage, "bridge", None), "storage", None)
        if client is not None:
            await client.aclose()

    async def _call(self, operation: Callable[..., Awaitable[T]], *args: Any) -> T:
        try:
            return await operation(*args)
        except self._counters.storage_error as exc:
            # Fail closed: without its counters the throttle cannot tell a guesser apart.
            cause = getattr(exc, "storage_error", exc)  # what the storage raised
            logger.error("throttle.storage_failed", error=repr(cause))
            raise ThrottleUnavailable() from exc
