"""Chat providers by name; the allowed models pick them (a seam: one line per vendor).

A vendor's adapter, and the HTTP stack under it, is imported in the branch that builds
it: a process loads only the providers it has keys for.
"""

from collections.abc import Mapping
from enum import StrEnum

from ....core.errors import BadRequest, ServiceUnavailable
from ....core.providers import NotConfigured
from ..config import LlmSettings
from .base import ChatProvider
from .echo import EchoProvider


class ChatProviderName(StrEnum):
    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    ECHO = "echo"


# Named in every "not configured" answer: it needs no key and no network.
ECHO_HINT = 'For development, add "echo:echo" to LLM_MODELS: it answers locally.'


class ChatProviders:
    """The configured providers and the model allow-list that routes to them."""

    name = "llm"

    def __init__(self, settings: LlmSettings, providers: Mapping[str, ChatProvider]) -> None:
        self.settings = settings
        self.providers = dict(providers)

    def missing_settings(self) -> list[str]:
        """The API keys of the providers the allowed models need."""
        return self.settings.missing_credentials()

    def resolve(self, requested: str | None) -> tuple[ChatProvider, str, str]:
        """(provider, model name, "provider:model") for ``requested``, or the default.

        ``requested`` may name the model alone or with its provider. A model
        outside the allow-list is 400; an allowed one whose provider has no
        credentials is 503 naming the setting to fill in.
        """
        allowed = self.settings.models
        qualified = allowed[0] if requested is None else requested
        if qualified not in allowed:
            matches = [m for m in allowed if m.partition(":")[2] == qualified]
            if len(matches) != 1:
                raise BadRequest(
                    f"The model {requested!r} is not allowed.",
                    details={"allowed_models": allowed},
                )
            qualified = matches[0]
        provider_name, _, model = qualified.partition(":")
        provider = self.providers.get(provider_name)
        if provider is None:
            if provider_name not in set(ChatProviderName):
                raise ServiceUnavailable(f"No chat provider is called {provider_name!r}.")
            setting = f"LLM_{provider_name.upper()}_API_KEY"
            raise NotConfigured(f"The {provider_name} provider", [setting], alternative=ECHO_HINT)
        return provider, model, qualified

    async def aclose(self) -> None:
        for provider in self.providers.values():
            await provider.aclose()


def build_chat_providers(settings: LlmSettings) -> ChatProviders:
    providers: dict[str, ChatProvider] = {ChatProviderName.ECHO: EchoProvider()}
    if settings.openai_api_key is None and settings.anthropic_api_key is None:
        return ChatProviders(settings, providers)

    from ...http import RetryPolicy, build_client
    from .anthropic import AnthropicProvider
    from .openai_compatible import OpenAICompatibleProvider

    retry = RetryPolicy(
        max_retries=settings.max_retries, base_delay=settings.retry_base_delay_seconds
    )
    timeouts = {
        "timeout": settings.timeout_seconds,
        "connect_timeout": settings.connect_timeout_seconds,
    }
    if settings.openai_api_key is not None:
        providers[ChatProviderName.OPENAI] = OpenAICompatibleProvider(
            build_client(**timeouts),
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key.get_secret_value(),
            retry=retry,
        )
    if settings.anthropic_api_key is not None:
        providers[ChatProviderName.ANTHROPIC] = AnthropicProvider(
            build_client(**timeouts),
            base_url=settings.anthropic_base_url,
            api_key=settings.anthropic_api_key.get_secret_value(),
            version=settings.anthropic_version,
            retry=retry,
        )
    return ChatProviders(settings, providers)
