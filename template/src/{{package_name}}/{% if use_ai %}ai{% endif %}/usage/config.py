"""Usage and quota settings (prefix `AI_`)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class UsageSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AI_", env_file=".env", extra="ignore", env_parse_none_str="unlimited"
    )

    # Monthly allowance per user; None ("unlimited") means no limit, 0 means not included.
    monthly_tokens: int | None = Field(default=1_000_000, ge=0)
    monthly_audio_seconds: int | None = Field(default=3_600, ge=0)
    monthly_cost_micros: int | None = Field(default=5_000_000, ge=0)
    # A reservation a crashed process never settled stops counting after this long.
    reservation_ttl_seconds: int = Field(default=900, ge=10)


@lru_cache
def get_usage_settings() -> UsageSettings:
    return UsageSettings()
