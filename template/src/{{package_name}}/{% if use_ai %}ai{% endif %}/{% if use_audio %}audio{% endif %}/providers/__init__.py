"""Audio providers by name; the settings pick one (a seam: one line per vendor).

A vendor's adapter, and the HTTP stack under it, is imported in the branch that builds
it: a process loads only the provider it is configured with.
"""

from ..config import AudioProviderName, AudioSettings
from .base import AudioProvider
from .local import LocalAudioProvider


def build_audio_provider(settings: AudioSettings) -> AudioProvider:
    """The chosen provider, configured or not (it names its missing settings)."""
    match settings.provider:
        case AudioProviderName.LOCAL:
            return LocalAudioProvider()
        case AudioProviderName.OPENAI:
            from ...http import RetryPolicy, build_client
            from .openai_compatible import OpenAICompatibleAudioProvider

            return OpenAICompatibleAudioProvider(
                build_client(
                    timeout=settings.timeout_seconds,
                    connect_timeout=settings.connect_timeout_seconds,
                ),
                base_url=settings.base_url,
                api_key=settings.api_key.get_secret_value() if settings.api_key else None,
                retry=RetryPolicy(
                    max_retries=settings.max_retries,
                    base_delay=settings.retry_base_delay_seconds,
                ),
            )
