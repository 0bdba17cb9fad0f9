"""Audio settings (prefix `AUDIO_`)."""

from enum import StrEnum

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class AudioProviderName(StrEnum):
    OPENAI = "openai"
    # Answers without any network: for development and demos.
    LOCAL = "local"


# USD list prices in micro-dollars; AUDIO_*_PRICES add or replace entries.
DEFAULT_TRANSCRIPTION_PRICES = {  # per minute of audio
    "whisper-1": 6_000,
    "gpt-4o-transcribe": 6_000,
    "gpt-4o-mini-transcribe": 3_000,
}
DEFAULT_SPEECH_PRICES = {  # per million characters of text
    "tts-1": 15_000_000,
    "tts-1-hd": 30_000_000,
}


class AudioSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AUDIO_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        hide_input_in_errors=True,
    )

    provider: AudioProviderName = AudioProviderName.OPENAI
    api_key: SecretStr | None = None
    # Any OpenAI-compatible server (OpenAI, Groq, a local speaches or LocalAI).
    base_url: str = "https://api.openai.com/v1"
    transcription_model: str = "whisper-1"
    speech_model: str = "tts-1"
    voice: str = "alloy"
    voices: list[str] = Field(
        default_factory=lambda: ["alloy", "echo", "fable", "nova", "onyx", "shimmer"]
    )
    speech_formats: list[str] = Field(default_factory=lambda: ["mp3", "wav", "opus", "flac"])
    accepted_formats: list[str] = Field(
        default_factory=lambda: ["flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "ogg", "wav", "webm"]
    )
    # Uploads also obey MAX_REQUEST_BODY_BYTES; raise that too for large files.
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
    max_seconds: int = Field(default=3600, ge=1)
    max_speech_chars: int = Field(default=4096, ge=1)
    # Uploads larger than this are transcribed by a queued job (202 and an id to poll).
    queue_above_bytes: int = Field(default=4 * 1024 * 1024, ge=0)
    timeout_seconds: float = Field(default=120.0, gt=0)
    connect_timeout_seconds: float = Field(default=5.0, gt=0)
    max_retries: int = Field(default=3, ge=0)
    retry_base_delay_seconds: float = Field(default=0.5, ge=0)
    transcription_prices: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_TRANSCRIPTION_PRICES)
    )
    speech_prices: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_SPEECH_PRICES))

    @field_validator("api_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("transcription_prices", mode="after")
    @classmethod
    def _keep_transcription_defaults(cls, prices: dict[str, int]) -> dict[str, int]:
        return {**DEFAULT_TRANSCRIPTION_PRICES, **prices}

    @field_validator("speech_prices", mode="after")
    @classmethod
    def _keep_speech_defaults(cls, prices: dict[str, int]) -> dict[str, int]:
        return {**DEFAULT_SPEECH_PRICES, **prices}
