"""Sentry: unexpected errors of requests and jobs, with the request id as a tag.

Personal data stays out: no cookies, IP addresses, user details, request bodies or
local variables. A 503 (an outage, a missing setting) is an operating condition, not a
bug, and is not reported; log lines become breadcrumbs, not events.
"""

import logging
from typing import TYPE_CHECKING

import structlog

from ..core.config import Settings, package_version
from . import tracing
from .config import ObservabilitySettings

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint

_started = False

# Every 5xx but 503, for the FastAPI and Starlette integrations.
REPORTED_STATUS_CODES = {500, 501, 502, *range(504, 600)}


def start_sentry(config: ObservabilitySettings, settings: Settings) -> bool:
    """Report to ``SENTRY_DSN``, if set; True when reporting."""
    global _started
    if config.sentry_dsn is None:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.fastapi import FastApiIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.integrations.starlette import StarletteIntegration

    sentry_sdk.init(
        dsn=config.sentry_dsn.get_secret_value(),
        environment=config.sentry_environment or settings.environment.value,
        release=config.sentry_release or package_version(),
        # No personal data: neither `send_default_pii` (deprecated in favour of
        # `data_collection`) nor `data_collection` is set, which every 2.x SDK reads as
        # off; no request bodies (logins carry passwords), and no local variables of the
        # stack frames (an ASGI scope holds the Authorization header and the cookies).
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=config.sentry_traces_sample_rate,
        before_send=_tag,
        integrations=[
            StarletteIntegration(failed_request_status_codes=REPORTED_STATUS_CODES),
            FastApiIntegration(failed_request_status_codes=REPORTED_STATUS_CODES),
            # Errors are reported where they are caught (`capture_exception`); an error
            # log line (a database outage, say) must not become an event per request.
            LoggingIntegration(level=logging.INFO, event_level=None),
        ],
    )
    _started = True
    return True


def stop_sentry() -> None:
    """Send what is queued and stop reporting (tests: one test's client must not outlive it)."""
    global _started
    if _started:
        import sentry_sdk

        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)
        _started = False


def capture_exception(exc: BaseException) -> None:
    """Report ``exc`` if Sentry is on (called where a crash is caught and answered)."""
    if _started:
        import sentry_sdk

        sentry_sdk.capture_exception(exc)


def _tag(event: "Event", hint: "Hint") -> "Event":
    """The request id (of the request, or the one that enqueued the job) and the trace."""
    tags = event.setdefault("tags", {})
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if isinstance(request_id, str):
        tags["request_id"] = request_id
    tags.update(tracing.current_ids())
    return event
