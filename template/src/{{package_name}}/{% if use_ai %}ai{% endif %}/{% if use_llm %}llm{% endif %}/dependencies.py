"""The LLM settings and the provider registry, as dependencies tests can override."""

from typing import Annotated

from fastapi import Depends

from .config import LlmSettings, get_llm_settings
from .providers import ChatProviders, get_chat_providers

LlmSettingsDep = Annotated[LlmSettings, Depends(get_llm_settings)]
ChatProvidersDep = Annotated[ChatProviders, Depends(get_chat_providers)]
