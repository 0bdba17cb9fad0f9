"""The LLM settings and the provider registry, as dependencies."""

from typing import Annotated

from fastapi import Depends

from ...services import ServicesDep
from .config import LlmSettings
from .providers import ChatProviders


async def get_llm_settings(services: ServicesDep) -> LlmSettings:
    return services.llm_settings


async def get_chat_providers(services: ServicesDep) -> ChatProviders:
    return services.chat


LlmSettingsDep = Annotated[LlmSettings, Depends(get_llm_settings)]
ChatProvidersDep = Annotated[ChatProviders, Depends(get_chat_providers)]
