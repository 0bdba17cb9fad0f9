"""The storage backend and settings, as dependencies (override them in tests)."""

from typing import Annotated

from fastapi import Depends

from .backends import get_storage_backend
from .backends.base import StorageBackend
from .config import StorageSettings, get_storage_settings

StorageBackendDep = Annotated[StorageBackend, Depends(get_storage_backend)]
StorageSettingsDep = Annotated[StorageSettings, Depends(get_storage_settings)]
