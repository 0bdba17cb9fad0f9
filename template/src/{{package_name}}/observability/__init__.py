"""Errors to Sentry, traces and metrics to an OpenTelemetry collector: each only when its
endpoint is set, and their packages are imported only then (they cost start-up time)."""

from ..core.config import Settings
from .config import ObservabilitySettings
from .sentry import start_sentry
from .tracing import start_tracing


def start_observability(settings: Settings, *, env_file: str | None = ".env") -> bool:
    """Sentry and OpenTelemetry for this process, each if configured; True when tracing."""
    config = ObservabilitySettings(_env_file=env_file)
    start_sentry(config, settings)
    return start_tracing(config, settings)
