"""Monthly quota periods, the amounts a call spends, and the errors when one runs out."""

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ...core.errors import PaymentRequired, TooManyRequests

# Quota names; plans that set limits use the same keys.
TOKENS = "ai_tokens"
AUDIO_SECONDS = "ai_audio_seconds"
COST_MICROS = "ai_cost_micros"
QUOTAS = (TOKENS, AUDIO_SECONDS, COST_MICROS)

# A limit of None means unlimited.
Limits = Mapping[str, int | None]
# Where a user's monthly limits come from (`limits.py` picks one at start-up).
LimitSource = Callable[[AsyncSession, uuid.UUID], Awaitable[Limits]]


@dataclass(frozen=True)
class Amounts:
    """What a call spends (or may spend) against each quota."""

    tokens: int = 0
    audio_seconds: int = 0
    cost_micros: int = 0

    def get(self, quota: str) -> int:
        return int(getattr(self, _FIELDS[quota]))


_FIELDS = {TOKENS: "tokens", AUDIO_SECONDS: "audio_seconds", COST_MICROS: "cost_micros"}


def period_start(now: datetime) -> datetime:
    """The first instant of ``now``'s month, UTC."""
    now = now.astimezone(UTC)
    return datetime(now.year, now.month, 1, tzinfo=UTC)


def period_end(now: datetime) -> datetime:
    start = period_start(now)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


def check(
    limits: Limits, used: Amounts, held: Amounts, needed: Amounts, *, now: datetime
) -> dict[str, int | None]:
    """What is left of each quota the call ``needed`` after what was ``used`` and what
    calls in flight ``held``; raise when one of them is not included or used up.

    A quota the call does not touch (speech spends no tokens, a free model no money)
    never refuses it.

    Not included in the plan (limit 0) is 402; used up is 429 with Retry-After
    set to the start of the next period.
    """
    remaining: dict[str, int | None] = {}
    for quota in _FIELDS:
        limit = limits.get(quota)
        if limit is None or needed.get(quota) == 0:
            remaining[quota] = None
            continue
        details = {
            "quota": quota,
            "limit": limit,
            "used": used.get(quota),
            "held": held.get(quota),
            "resets_at": period_end(now).isoformat(),
        }
        if limit <= 0:
            raise PaymentRequired(f"Your plan includes no {quota} quota.", details=details)
        left = limit - used.get(quota) - held.get(quota)
        if left <= 0:
            resets_at = period_end(now)
            in_flight = f", {held.get(quota)} held by calls in progress" if held.get(quota) else ""
            raise TooManyRequests(
                f"Your monthly {quota} quota is used up ({used.get(quota)} of {limit}"
                f"{in_flight}); it resets on {resets_at:%Y-%m-%d %H:%M} UTC.",
                retry_after=max(1, int((resets_at - now).total_seconds())),
                details=details,
            )
        remaining[quota] = left
    return remaining


def grant(estimate: Amounts, remaining: Mapping[str, int | None]) -> Amounts:
    """The reservation for ``estimate``: never more than what is left of a quota."""

    def capped(quota: str) -> int:
        left = remaining.get(quota)
        wanted = estimate.get(quota)
        return wanted if left is None else min(wanted, left)

    return Amounts(capped(TOKENS), capped(AUDIO_SECONDS), capped(COST_MICROS))


def shortfall(granted: Amounts, wanted: Amounts) -> str | None:
    """The first quota of which less was granted than wanted, if any."""
    return next((quota for quota in _FIELDS if granted.get(quota) < wanted.get(quota)), None)


def not_enough_left(quota: str, *, left: int, wanted: int, now: datetime) -> TooManyRequests:
    """What to raise when some of a quota is left, but less than a call must spend."""
    resets_at = period_end(now)
    return TooManyRequests(
        f"Your monthly {quota} quota has {left} left; this needs {wanted}. "
        f"It resets on {resets_at:%Y-%m-%d %H:%M} UTC.",
        retry_after=max(1, int((resets_at - now).total_seconds())),
        details={
            "quota": quota,
            "left": left,
            "needed": wanted,
            "resets_at": resets_at.isoformat(),
        },
    )
