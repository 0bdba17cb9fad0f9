"""Audio providers by name; the settings pick one (a seam: one line per vendor)."""

from functools import lru_cache

from ....core.errors import ServiceUnavailable
from ...http import RetryPolicy, build_client
from ..config import AudioProviderName, AudioSettings, get_audio_settings
from .base import AudioProvider
from .local import LocalAudioProvider
from .openai_compatible import OpenAICompatibleAudioProvider


def build_audio_provider(settings: AudioSettings) -> AudioProvider:
    """The configured provider; 503 naming the setting to fill in when there is none."""
    missing = settings.missing_credentials()
    if missing:
        raise ServiceUnavailable(
            f"The audio provider is not configured: set {', '.join(missing)}.",
            details={"setting": missing[0]},
        )
    match settings.provider:
        case AudioProviderName.LOCAL:
            return LocalAudioProvider()
        case AudioProviderName.OPENAI:
            assert settings.api_key is not None
            return OpenAICompatibleAudioProvider(
                build_client(
                    timeout=settings.timeout_seconds,
                    connect_timeout=settings.connect_timeout_seconds,
                ),
                base_url=settings.base_url,
                api_key=settings.api_key.get_secret_value(),
                retry=RetryPolicy(
                    max_retries=settings.max_retries,
                    base_delay=settings.retry_base_delay_seconds,
                ),
            )


@lru_cache  # a failure is not cached: setting the key later works without a restart
def get_audio_provider() -> AudioProvider:
    return build_audio_provider(get_audio_settings())
