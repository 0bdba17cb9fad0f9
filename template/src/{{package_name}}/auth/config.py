"""Authentication settings (prefix `AUTH_`): flows, throttling and OAuth providers."""

from datetime import timedelta
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_REDIS_SCHEMES = frozenset({"redis", "rediss", "redis+unix", "redis+cluster", "redis+sentinel"})


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AUTH_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
        populate_by_name=True,
        # A value in a validation error could be a secret: name the setting, not its value.
        hide_input_in_errors=True,
    )

    # When true, password and magic-link logins wait until the email is verified.
    require_email_verification: bool = False
    verify_email_ttl: timedelta = timedelta(days=2)
    password_reset_ttl: timedelta = timedelta(hours=1)
    magic_link_ttl: timedelta = timedelta(minutes=15)
    # The pages mailed links open (`?token=...`): this app's own pages under PUBLIC_URL by
    # default, or full URLs of your front end's pages (which then POST the token to the API).
    verify_email_path: str = "/verify-email"
    password_reset_path: str = "/reset-password"  # noqa: S105  (a page, not a secret)
    magic_link_path: str = "/magic-link"
    # Where a browser lands after an OAuth login (a path under PUBLIC_URL or a full URL).
    oauth_redirect_path: str = "/"

    # Password guesses allowed per account within the window: each login (and each
    # change-password) attempt is counted before the password is checked, and a correct
    # password gives the account its attempts back.
    login_failures_per_email: int = Field(default=5, ge=1)
    # Login attempts, failed or not, allowed per client IP within the window.
    login_attempts_per_ip: int = Field(default=50, ge=1)
    login_failure_window: timedelta = timedelta(minutes=15)
    # Emails with a link (sign-up, verification, reset, magic link) allowed per address
    # and per client IP within the same window; more requests answer 429.
    mailed_links_per_email: int = Field(default=5, ge=1)
    mailed_links_per_ip: int = Field(default=50, ge=1)
    # Empty: counters in process memory. `redis://host:6379/0` shares them between processes.
    rate_limit_storage_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("RATE_LIMIT_STORAGE_URL", "AUTH_RATE_LIMIT_STORAGE_URL"),
    )

    @field_validator("rate_limit_storage_url")
    @classmethod
    def _a_redis_url(cls, value: str | None) -> str | None:
        # Checked here: the throttle opens its storage on first use, long after start-up.
        if value and urlsplit(value.removeprefix("async+")).scheme not in _REDIS_SCHEMES:
            raise ValueError("must be a Redis URL: redis://, rediss://, redis+unix://, ...")
        return value

    # Created (or promoted) as an admin when the app starts.
    first_admin_email: str | None = Field(
        default=None, validation_alias=AliasChoices("FIRST_ADMIN_EMAIL", "AUTH_FIRST_ADMIN_EMAIL")
    )

    # Each OAuth provider is enabled once its client id and secret are set.
    github_client_id: str | None = None
    github_client_secret: SecretStr | None = None
    google_client_id: str | None = None
    google_client_secret: SecretStr | None = None
    # Any OpenID Connect provider, by its discovery document
    # (https://issuer/.well-known/openid-configuration).
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_discovery_url: str | None = None
    oidc_scope: str = "openid email profile"
