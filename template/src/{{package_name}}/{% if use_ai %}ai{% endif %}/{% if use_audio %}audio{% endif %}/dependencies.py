"""The audio settings and provider, and storage on demand, as dependencies."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends

from ...core.errors import raises
from ...core.providers import (
    NotConfigured,
    ProviderRejected,
    ProviderUnavailable,
    require_configured,
)
from ...services import ServicesDep
from ...storage.backends.base import StorageBackend
from ...storage.dependencies import configured_storage
from .config import AudioSettings
from .providers.base import AudioProvider

# Named in every "not configured" answer: it needs no key and no network.
LOCAL_HINT = "For development, AUDIO_PROVIDER=local answers without any network."


async def get_audio_settings(services: ServicesDep) -> AudioSettings:
    return services.audio_settings


@raises(NotConfigured, ProviderUnavailable, ProviderRejected)
async def get_audio_provider(services: ServicesDep) -> AudioProvider:
    """The provider, or 503 naming the settings it still needs; its calls fail as the
    provider contract says (503 unavailable, 502 rejected)."""
    return require_configured(services.audio, "The audio provider", alternative=LOCAL_HINT)


# What resolving and using the storage backend can raise (see `get_storage_backend`).
@raises(NotConfigured, ProviderUnavailable, ProviderRejected)
async def storage_on_demand(services: ServicesDep) -> Callable[[], StorageBackend]:
    """The storage backend, resolved only by a request that uses it: transcribing an
    upload works while storage is unconfigured."""
    return lambda: configured_storage(services)


AudioSettingsDep = Annotated[AudioSettings, Depends(get_audio_settings)]
AudioProviderDep = Annotated[AudioProvider, Depends(get_audio_provider)]
StorageOnDemand = Annotated[Callable[[], StorageBackend], Depends(storage_on_demand)]
