"""No analytics (the default): events are not even buffered."""

from collections.abc import Sequence

from ..events import AnalyticsEvent


class NoAnalyticsProvider:
    name = "none"

    def missing_settings(self) -> list[str]:
        return []

    async def send(self, events: Sequence[AnalyticsEvent]) -> None:
        return None

    async def aclose(self) -> None:
        return None
