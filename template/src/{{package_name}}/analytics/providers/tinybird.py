"""Tinybird's Events API: ``POST {TINYBIRD_API_URL}/v0/events?name=<datasource>``.

The body is newline-delimited JSON, one event per line; each event type has a
datasource of its own, named like the event, whose columns are the event's fields
(`tinybird/datasources/`). The token needs the APPEND scope on those datasources.
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import structlog
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ...core.providers import ProviderRejected, ProviderUnavailable, tls_context
from ..events import AnalyticsEvent
from .base import DeliveryPostponed

if TYPE_CHECKING:
    import httpx

logger = structlog.get_logger(__name__)


class TinybirdSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TINYBIRD_",
        env_file=".env",
        extra="ignore",
        env_ignore_empty=True,
        hide_input_in_errors=True,
    )

    # A token with APPEND on the event datasources (`tb token ls` after `tb deploy`).
    token: SecretStr | None = None
    # Your workspace's region, e.g. https://api.us-east.tinybird.co
    api_url: str = "https://api.tinybird.co"


class TinybirdProvider:
    name = "tinybird"

    def __init__(self, settings: TinybirdSettings, *, timeout: float) -> None:
        # Imported here: a process that sends no analytics does not pay for httpx.
        import httpx

        self.token = settings.token.get_secret_value() if settings.token else None
        self.api_url = settings.api_url.rstrip("/")
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(timeout), verify=tls_context())

    def missing_settings(self) -> list[str]:
        return [] if self.token else ["TINYBIRD_TOKEN"]

    async def send(self, events: Sequence[AnalyticsEvent]) -> None:
        if not self.token:
            raise ProviderRejected("TINYBIRD_TOKEN is not set.")
        import httpx

        name = events[0].name
        body = "".join(json.dumps(row(event), separators=(",", ":")) + "\n" for event in events)
        try:
            response = await self.client.post(
                f"{self.api_url}/v0/events",
                params={"name": name},
                content=body,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/x-ndjson",
                },
            )
        except httpx.TimeoutException as exc:
            raise ProviderUnavailable("Tinybird did not answer in time.") from exc
        except httpx.TransportError as exc:
            raise ProviderUnavailable(f"Tinybird is unreachable: {exc!r}") from exc
        if response.status_code in (200, 202):
            _report_quarantine(name, response)
            return
        retry_after = _retry_after(response)
        problem = f"Tinybird answered {response.status_code} for {name}: {response.text[:300]}"
        if response.status_code == 429 or response.status_code >= 500:
            if retry_after is not None:
                raise DeliveryPostponed(problem, retry_after=retry_after)
            raise ProviderUnavailable(problem)
        # 400 (malformed), 403 (token), 404 (wrong region or datasource), 413, 422.
        raise ProviderRejected(problem)

    async def aclose(self) -> None:
        await self.client.aclose()


def row(event: AnalyticsEvent) -> dict[str, Any]:
    """The event as one NDJSON line: its fields, the timestamp as ClickHouse reads it."""
    data = event.model_dump(mode="json")
    data["timestamp"] = event.timestamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return data


def _report_quarantine(name: str, response: "httpx.Response") -> None:
    try:
        quarantined = int(response.json().get("quarantined_rows", 0))
    except (ValueError, AttributeError, TypeError):
        return
    if quarantined:
        # The rows are in the datasource's quarantine; sending them again would not help.
        logger.warning("analytics.rows_quarantined", datasource=name, rows=quarantined)


def _retry_after(response: "httpx.Response") -> float | None:
    """Seconds from ``Retry-After`` (seconds or an HTTP date), else ``X-RateLimit-Reset``."""
    value = response.headers.get("retry-after") or response.headers.get("x-ratelimit-reset")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
