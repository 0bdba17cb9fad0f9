"""Analytics sinks by name; the settings pick one (a seam: one line per vendor)."""

from ...core.db.session import Database
from ..config import AnalyticsProviderName, AnalyticsSettings
from .base import AnalyticsProvider
from .console import ConsoleAnalyticsProvider
from .database import DatabaseAnalyticsProvider
from .none import NoAnalyticsProvider
from .tinybird import TinybirdProvider, TinybirdSettings


def build_analytics_provider(
    settings: AnalyticsSettings, db: Database, *, env_file: str | None = ".env"
) -> AnalyticsProvider:
    match settings.provider:
        case AnalyticsProviderName.NONE:
            return NoAnalyticsProvider()
        case AnalyticsProviderName.CONSOLE:
            return ConsoleAnalyticsProvider()
        case AnalyticsProviderName.DATABASE:
            return DatabaseAnalyticsProvider(db)
        case AnalyticsProviderName.TINYBIRD:
            return TinybirdProvider(
                TinybirdSettings(_env_file=env_file), timeout=settings.timeout_seconds
            )
