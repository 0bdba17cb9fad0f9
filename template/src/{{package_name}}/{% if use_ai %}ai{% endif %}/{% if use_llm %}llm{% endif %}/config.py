"""LLM settings (prefix `LLM_`)."""

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class TokenPrice(BaseModel):
    """Micro-units of currency per million tokens."""

    input: int = Field(ge=0)
    output: int = Field(ge=0)


# USD list prices, in micro-dollars per million tokens; LLM_PRICES adds or replaces entries.
DEFAULT_PRICES: dict[str, TokenPrice] = {
    "openai:gpt-4o-mini": TokenPrice(input=150_000, output=600_000),
    "openai:gpt-4o": TokenPrice(input=2_500_000, output=10_000_000),
    "openai:gpt-4.1-mini": TokenPrice(input=400_000, output=1_600_000),
    "anthropic:claude-3-5-haiku-latest": TokenPrice(input=800_000, output=4_000_000),
    "anthropic:claude-sonnet-4-5": TokenPrice(input=3_000_000, output=15_000_000),
}


class LlmSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LLM_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        hide_input_in_errors=True,
    )

    # The allow-list, as "provider:model"; the first one is the default.
    models: list[str] = Field(default_factory=lambda: ["openai:gpt-4o-mini"], min_length=1)
    openai_api_key: SecretStr | None = None
    # Any OpenAI-compatible server: OpenRouter, Groq, Together, Ollama, vLLM.
    openai_base_url: str = "https://api.openai.com/v1"
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str = "https://api.anthropic.com"
    anthropic_version: str = "2023-06-01"
    # Per-request limits.
    max_tokens: int = Field(default=1024, ge=1)
    max_input_chars: int = Field(default=32_000, ge=1)
    max_messages: int = Field(default=100, ge=1)
    timeout_seconds: float = Field(default=60.0, gt=0)
    connect_timeout_seconds: float = Field(default=5.0, gt=0)
    max_retries: int = Field(default=3, ge=0)
    retry_base_delay_seconds: float = Field(default=0.5, ge=0)
    # Unknown models cost nothing; keep the table in step with your providers.
    prices: dict[str, TokenPrice] = Field(default_factory=lambda: dict(DEFAULT_PRICES))

    @field_validator("prices", mode="after")
    @classmethod
    def _keep_defaults(cls, prices: dict[str, TokenPrice]) -> dict[str, TokenPrice]:
        return {**DEFAULT_PRICES, **prices}

    @field_validator("openai_api_key", "anthropic_api_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("models", mode="after")
    @classmethod
    def _provider_prefixed(cls, models: list[str]) -> list[str]:
        for model in models:
            provider, _, name = model.partition(":")
            if not provider or not name:
                raise ValueError(f"{model!r} must look like 'provider:model'")
        return models

    def missing_credentials(self) -> list[str]:
        """The settings to fill in before the listed models can be called."""
        keys = {"openai": self.openai_api_key, "anthropic": self.anthropic_api_key}
        providers = {model.partition(":")[0] for model in self.models}
        return sorted(
            f"LLM_{provider.upper()}_API_KEY"
            for provider in providers
            if provider in keys and keys[provider] is None
        )
