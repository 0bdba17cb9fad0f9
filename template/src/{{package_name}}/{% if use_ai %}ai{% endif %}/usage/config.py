"""Usage ledger settings (prefix `AI_`)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class UsageSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AI_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        hide_input_in_errors=True,
    )

    # A reservation a crashed process never settled stops counting after this long.
    reservation_ttl_seconds: int = Field(default=900, ge=10)
