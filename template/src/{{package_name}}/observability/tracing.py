"""OpenTelemetry: traces and metrics of requests, queries, outgoing HTTP calls and jobs,
exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.

Nothing of OpenTelemetry is imported until tracing starts. A job carries the trace
context of the request that enqueued it (`trace_context()`, stored on the job like its
request id), so its span continues that request's trace in whichever runner executes it;
log lines carry ``trace_id`` and ``span_id`` beside ``request_id``.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..core.config import Settings, package_version
from .config import ObservabilitySettings

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import MetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Tracer
    from structlog.types import EventDict, WrappedLogger

# Polled all day by load balancers: no spans for them (regexes, searched in the URL).
EXCLUDED_URLS = r"/health$,/health/ready$"


class Instrumentor(Protocol):
    """What OpenTelemetry's instrumentors do (their base class carries no types)."""

    def instrument(self, **kwargs: Any) -> Any: ...

    def uninstrument(self, **kwargs: Any) -> Any: ...


@dataclass
class _Tracing:
    tracer_provider: "TracerProvider"
    meter_provider: "MeterProvider"
    tracer: "Tracer"
    instrumented: list[Instrumentor] = field(default_factory=list)


# The providers are made once per process (OpenTelemetry's globals can be set only once);
# instrumentation is on while `_active` is set.
_providers: _Tracing | None = None
_active = False


def start_tracing(
    config: ObservabilitySettings,
    settings: Settings,
    *,
    exporter: "SpanExporter | None" = None,
    metric_reader: "MetricReader | None" = None,
) -> bool:
    """Trace this process if an OTLP endpoint is set (tests pass an in-memory ``exporter``
    and ``metric_reader`` instead); True when tracing. Instruments SQLAlchemy (engines
    created from now on) and httpx; the app and the task queue are instrumented where
    they are made."""
    global _providers, _active
    if _active:
        return True
    if exporter is None and not config.otel_exporter_otlp_endpoint:
        return False
    if _providers is None:
        _providers = _build_providers(config, settings, exporter, metric_reader)
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    _active = True
    # The instrumentation declares sqlalchemy<2.1 but works with it (checked on 2.1.9);
    # without skip_dep_check it would only log an error and trace nothing.
    instrument(SQLAlchemyInstrumentor(), skip_dep_check=True)
    instrument(HTTPXClientInstrumentor())
    return True


def stop_tracing() -> None:
    """Remove the instrumentation (tests: tracing one test must not trace the next)."""
    global _active
    if _providers is not None:
        for instrumentor in reversed(_providers.instrumented):
            instrumentor.uninstrument()
        _providers.instrumented.clear()
        _providers.tracer_provider.force_flush()
    _active = False


def is_active() -> bool:
    return _active


def instrument(instrumentor: Instrumentor, **kwargs: Any) -> None:
    """Turn ``instrumentor`` on with our providers (undone by `stop_tracing`)."""
    assert _providers is not None, "start_tracing() first"
    instrumentor.instrument(
        tracer_provider=_providers.tracer_provider,
        meter_provider=_providers.meter_provider,
        **kwargs,
    )
    _providers.instrumented.append(instrumentor)


def instrument_app(app: "FastAPI") -> None:
    """A server span and the request duration metric for every request of ``app``."""
    if not _active or _providers is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=_providers.tracer_provider,
        meter_provider=_providers.meter_provider,
        excluded_urls=EXCLUDED_URLS,
        # The ASGI send/receive spans say nothing a reader needs.
        exclude_spans=["receive", "send"],
    )


def trace_context() -> dict[str, str]:
    """The current trace as W3C headers (``traceparent``), for a job to carry; {} when off."""
    if not _active:
        return {}
    from opentelemetry.propagate import inject

    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier


@contextmanager
def job_span(name: str, carrier: Mapping[str, str] | None, **attributes: Any) -> Iterator[None]:
    """A span for one run of job ``name``: the child of the span already current (the task
    queue's own, when it is instrumented), else of the trace in ``carrier`` (the request
    that enqueued it)."""
    if not _active or _providers is None:
        yield
        return
    from opentelemetry import trace
    from opentelemetry.propagate import extract

    parent = None
    if not trace.get_current_span().get_span_context().is_valid:
        parent = extract(dict(carrier or {}))
    with _providers.tracer.start_as_current_span(
        f"job {name}",
        context=parent,
        kind=trace.SpanKind.CONSUMER,
        attributes={"job.name": name, **attributes},
    ):
        yield


def current_ids() -> dict[str, str]:
    """``trace_id`` and ``span_id`` of the current span, hex; {} when there is none."""
    if not _active:
        return {}
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {}
    return {
        "trace_id": format(context.trace_id, "032x"),
        "span_id": format(context.span_id, "016x"),
    }


def add_trace_ids(logger: "WrappedLogger", method: str, event: "EventDict") -> "EventDict":
    """structlog processor: the trace beside the request id on every line."""
    if _active:
        event.update(current_ids())
    return event


def _build_providers(
    config: ObservabilitySettings,
    settings: Settings,
    exporter: "SpanExporter | None",
    metric_reader: "MetricReader | None",
) -> _Tracing:
    from opentelemetry import metrics, trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    resource = Resource.create(
        {
            "service.name": config.otel_service_name,
            "service.version": package_version(),
            "deployment.environment.name": settings.environment.value,
        }
    )
    tracer_provider = TracerProvider(resource=resource)
    if exporter is not None:
        tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
        readers = [metric_reader] if metric_reader is not None else []
    else:
        span_exporter, reader = _otlp_exporters(config)
        tracer_provider.add_span_processor(BatchSpanProcessor(span_exporter))
        readers = [reader]
    meter_provider = MeterProvider(resource=resource, metric_readers=readers)
    # Other libraries using OpenTelemetry's global API report to ours too.
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    tracer = tracer_provider.get_tracer(__name__, package_version())
    return _Tracing(tracer_provider, meter_provider, tracer)


def _otlp_exporters(config: ObservabilitySettings) -> tuple["SpanExporter", "MetricReader"]:
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.util.re import parse_env_headers

    assert config.otel_exporter_otlp_endpoint is not None
    base = config.otel_exporter_otlp_endpoint.rstrip("/")
    raw_headers = config.otel_exporter_otlp_headers
    raw = raw_headers.get_secret_value() if raw_headers else ""
    # None: the exporters read OTEL_EXPORTER_OTLP_HEADERS from the environment themselves.
    headers = dict(parse_env_headers(raw)) if raw else None
    spans = OTLPSpanExporter(endpoint=f"{base}/v1/traces", headers=headers)
    metrics = OTLPMetricExporter(endpoint=f"{base}/v1/metrics", headers=headers)
    return spans, PeriodicExportingMetricReader(metrics)
