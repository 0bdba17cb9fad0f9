"""structlog for our lines and the standard library's, with the request id (and, when
tracing, the trace id) on every line."""

import logging
import sys

import structlog
from structlog.types import Processor

from ..observability.tracing import add_trace_ids
from .config import Settings


def configure_logging(settings: Settings) -> None:
    """Route structlog and stdlib logging (uvicorn, sqlalchemy) through one renderer."""
    json_lines = settings.log_json if settings.log_json is not None else settings.is_production
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        add_trace_ids,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if json_lines
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info if json_lines else _keep,
            renderer,
        ],
    )
    handler = _StructlogHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    # Replace only our own handler: a second create_app() must not log twice,
    # and handlers others installed (pytest's caplog) stay.
    root.handlers[:] = [h for h in root.handlers if not isinstance(h, _StructlogHandler)]
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    _skip_unused_record_fields()
    # Our middleware writes one access line per request, with the request id.
    logging.getLogger("uvicorn.access").disabled = True
    # The readiness probe asks Alembic for the applied revision on every call.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True


def _skip_unused_record_fields() -> None:
    """No line we write names its source file, thread or process: don't look them up for
    every record (the logging HOWTO's "Optimization" section; about a third of the cost
    of an access line)."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


class _StructlogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    pass


def _keep(
    logger: structlog.types.WrappedLogger, name: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    return event
