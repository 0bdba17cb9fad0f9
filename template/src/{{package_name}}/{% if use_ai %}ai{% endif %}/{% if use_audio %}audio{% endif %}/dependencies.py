"""The audio settings and provider, and storage on demand, as dependencies."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from ...storage.backends import get_storage_backend
from ...storage.backends.base import StorageBackend
from .config import AudioSettings, get_audio_settings
from .providers import get_audio_provider
from .providers.base import AudioProvider

AudioSettingsDep = Annotated[AudioSettings, Depends(get_audio_settings)]
AudioProviderDep = Annotated[AudioProvider, Depends(get_audio_provider)]


def storage_on_demand(request: Request) -> Callable[[], StorageBackend]:
    """The storage backend, resolved only by a request that uses it: transcribing an
    upload works while storage is unconfigured. Honours dependency overrides."""
    factory: Callable[[], StorageBackend] = request.app.dependency_overrides.get(
        get_storage_backend, get_storage_backend
    )
    return factory


StorageOnDemand = Annotated[Callable[[], StorageBackend], Depends(storage_on_demand)]
