"""The LLM settings and the provider registry, as dependencies."""

from typing import Annotated

from fastapi import Depends

from ...core.errors import BadRequest, ServiceUnavailable, raises
from ...core.providers import NotConfigured, ProviderRejected, ProviderUnavailable
from ...services import ServicesDep
from .config import LlmSettings
from .providers import ChatProviders


async def get_llm_settings(services: ServicesDep) -> LlmSettings:
    return services.llm_settings


# Resolving a model (400 outside the allow-list, 503 without its provider's key) and
# calling its provider (the provider contract: 503 unavailable, 502 rejected).
@raises(BadRequest, NotConfigured, ServiceUnavailable, ProviderUnavailable, ProviderRejected)
async def get_chat_providers(services: ServicesDep) -> ChatProviders:
    return services.chat


LlmSettingsDep = Annotated[LlmSettings, Depends(get_llm_settings)]
ChatProvidersDep = Annotated[ChatProviders, Depends(get_chat_providers)]
