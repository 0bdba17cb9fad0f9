"""OAuth / OpenID Connect login through Authlib: GitHub, Google and any OIDC provider.

A provider is registered only when its client id and secret are set. Authlib keeps
`state` (and the OIDC `nonce`) server-side (`oauth_state.OAuthStateStore`), bound to the
browser by a marker in the signed `oauth_state` cookie, and checks both in the callback.
"""

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from ..core.errors import BadRequest
from .config import AuthSettings
from .oauth_state import OAuthStateStore

if TYPE_CHECKING:
    from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

GITHUB = "github"
GOOGLE = "google"
OIDC = "oidc"
GOOGLE_DISCOVERY_URL = "https://accounts.google.com/.well-known/openid-configuration"


class OAuthFailed(BadRequest):
    code = "oauth_failed"
    default_message = "The sign-in with the provider did not complete."


@dataclass(frozen=True)
class OAuthIdentity:
    provider: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None


class OAuthProviders:
    """The configured providers. Authlib, and the HTTP and JOSE stacks under it, are
    imported when a sign-in first needs them: most processes never start one."""

    def __init__(
        self, settings: AuthSettings, states: OAuthStateStore, **client_kwargs: Any
    ) -> None:
        self._settings = settings
        self._states = states
        self._client_kwargs = client_kwargs

    def client(self, provider: str) -> "StarletteOAuth2App | None":
        from authlib.integrations.starlette_client import StarletteOAuth2App

        client = self._registry.create_client(provider)
        return client if isinstance(client, StarletteOAuth2App) else None

    @cached_property
    def _registry(self) -> "OAuth":
        from authlib.integrations.starlette_client import OAuth

        settings, client_kwargs = self._settings, self._client_kwargs
        oauth = OAuth(cache=self._states)
        if settings.github_client_id and settings.github_client_secret:
            oauth.register(
                GITHUB,
                client_id=settings.github_client_id,
                client_secret=settings.github_client_secret.get_secret_value(),
                access_token_url="https://github.com/login/oauth/access_token",  # noqa: S106
                authorize_url="https://github.com/login/oauth/authorize",
                api_base_url="https://api.github.com/",
                client_kwargs={"scope": "read:user user:email", **client_kwargs},
            )
        if settings.google_client_id and settings.google_client_secret:
            oauth.register(
                GOOGLE,
                client_id=settings.google_client_id,
                client_secret=settings.google_client_secret.get_secret_value(),
                server_metadata_url=GOOGLE_DISCOVERY_URL,
                client_kwargs={"scope": "openid email profile", **client_kwargs},
            )
        if settings.oidc_client_id and settings.oidc_client_secret and settings.oidc_discovery_url:
            oauth.register(
                OIDC,
                client_id=settings.oidc_client_id,
                client_secret=settings.oidc_client_secret.get_secret_value(),
                server_metadata_url=settings.oidc_discovery_url,
                client_kwargs={"scope": settings.oidc_scope, **client_kwargs},
            )
        return oauth


def build_oauth(
    settings: AuthSettings, states: OAuthStateStore, **client_kwargs: Any
) -> OAuthProviders:
    """Every configured provider, keeping pending sign-ins in ``states``. ``client_kwargs``
    reach Authlib's HTTP client (tests pass a ``transport`` that answers in-process)."""
    return OAuthProviders(settings, states, **client_kwargs)


async def fetch_identity(client: "StarletteOAuth2App", request: Request) -> OAuthIdentity:
    """Exchange the callback's code (checking state and nonce) for who the user is."""
    token = await client.authorize_access_token(request)
    if client.name == GITHUB:
        return await _github_identity(client, token)
    claims = token.get("userinfo") or await client.userinfo(token=token)
    return OAuthIdentity(
        provider=client.name,
        subject=str(claims["sub"]),
        email=claims.get("email"),
        email_verified=claims.get("email_verified") is True,
        name=claims.get("name"),
    )


async def _github_identity(client: "StarletteOAuth2App", token: dict[str, Any]) -> OAuthIdentity:
    profile_response = await client.get("user", token=token)
    profile_response.raise_for_status()
    profile = profile_response.json()
    emails_response = await client.get("user/emails", token=token)
    emails_response.raise_for_status()
    emails = emails_response.json()
    listed = [e for e in emails if isinstance(e, dict)] if isinstance(emails, list) else []
    primary = next((e for e in listed if e.get("primary")), {})
    return OAuthIdentity(
        provider=GITHUB,
        subject=str(profile["id"]),
        email=primary.get("email"),
        email_verified=primary.get("verified") is True,
        name=profile.get("name") or profile.get("login"),
    )
