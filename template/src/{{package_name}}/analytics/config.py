"""Analytics settings (prefix `ANALYTICS_`); Tinybird's credentials live with its adapter."""

from enum import StrEnum

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AnalyticsProviderName(StrEnum):
    NONE = "none"
    CONSOLE = "console"
    DATABASE = "database"
    TINYBIRD = "tinybird"


class AnalyticsSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ANALYTICS_",
        env_file=".env",
        extra="ignore",
        env_ignore_empty=True,
        hide_input_in_errors=True,
    )

    # none: events are not even buffered; console: one log line per event; database: the
    # append-only `analytics_event` table; tinybird: Tinybird's Events API.
    provider: AnalyticsProviderName = AnalyticsProviderName.NONE
    # A batch leaves when it holds this many events, or after the interval, whichever is first.
    batch_size: int = Field(default=500, ge=1, le=10_000)
    flush_interval_seconds: float = Field(default=5.0, gt=0)
    # Events waiting while the sink is down; past this, new events are dropped (and counted).
    buffer_size: int = Field(default=10_000, ge=1)
    # One delivery attempt may take this long; a sink that hangs is then retried later.
    timeout_seconds: float = Field(default=10.0, gt=0)
    # Retries of a failed batch back off from this many seconds, doubling, up to the maximum
    # (or wait as long as the sink's Retry-After says).
    retry_base_delay_seconds: float = Field(default=1.0, gt=0)
    retry_max_delay_seconds: float = Field(default=60.0, gt=0)
    # At shutdown, what is buffered gets this long to leave.
    shutdown_timeout_seconds: float = Field(default=10.0, gt=0)
    # No `api_request` event for these paths (load balancers poll them all day).
    ignored_paths: list[str] = Field(default_factory=lambda: ["/health", "/health/ready"])
