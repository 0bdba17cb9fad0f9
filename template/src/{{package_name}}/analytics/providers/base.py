"""The analytics sink interface, and the one extra error a sink may raise."""

from collections.abc import Sequence
from typing import Protocol

from ...core.providers import Provider, ProviderUnavailable
from ..events import AnalyticsEvent


class AnalyticsProvider(Provider, Protocol):
    async def send(self, events: Sequence[AnalyticsEvent]) -> None:
        """Deliver ``events`` (all of one type, at most a batch) in one call.

        Raise `ProviderUnavailable` (the sender keeps them and tries again later;
        `DeliveryPostponed` to say when) or `ProviderRejected` (they are dropped:
        sending them again would not help).
        """
        ...


class DeliveryPostponed(ProviderUnavailable):
    """The sink asked us to come back in ``retry_after`` seconds (429, or a 503 saying so)."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, round(retry_after)))})
        self.retry_after = retry_after
