"""One log line per event: see what would be sent, in development."""

from collections.abc import Sequence

import structlog

from ..events import AnalyticsEvent

logger = structlog.get_logger(__name__)


class ConsoleAnalyticsProvider:
    name = "console"

    def missing_settings(self) -> list[str]:
        return []

    async def send(self, events: Sequence[AnalyticsEvent]) -> None:
        for event in events:
            logger.info(
                "analytics.console",
                analytics_event=event.name,
                **event.model_dump(mode="json"),
            )

    async def aclose(self) -> None:
        return None
