"""The audio settings and provider, as dependencies."""

from typing import Annotated

from fastapi import Depends

from .config import AudioSettings, get_audio_settings
from .providers import get_audio_provider
from .providers.base import AudioProvider

AudioSettingsDep = Annotated[AudioSettings, Depends(get_audio_settings)]
AudioProviderDep = Annotated[AudioProvider, Depends(get_audio_provider)]
