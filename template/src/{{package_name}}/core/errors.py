"""One error type for the application and one JSON envelope for every error.

Every error leaves the API as ``{"error": {"code", "message", "details"}}``,
whether it is ours, a validation error, an unknown route or an unexpected crash.
"""

import socket
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..observability.sentry import capture_exception

logger = structlog.get_logger(__name__)


class AppError(Exception):
    """Base of every error the API answers on purpose; carries its HTTP status."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_message: ClassVar[str] = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details
        self.headers = dict(headers or {})
        super().__init__(self.message)


class BadRequest(AppError):
    pass


class Unauthorized(AppError):
    status_code = 401
    code = "not_authenticated"
    default_message = "Authentication is required."

    def __init__(self, message: str | None = None, *, details: Any = None) -> None:
        super().__init__(message, details=details, headers={"WWW-Authenticate": "Bearer"})


class PaymentRequired(AppError):
    status_code = 402
    code = "payment_required"
    default_message = "Your plan does not include this."


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    default_message = "You are not allowed to do this."


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    default_message = "The resource does not exist."


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    default_message = "The resource already exists."


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"
    default_message = "The request body is too large."


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "unsupported_media_type"
    default_message = "This content type is not accepted."


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"
    default_message = "Too many requests; try again later."

    def __init__(
        self, message: str | None = None, *, retry_after: int, details: Any = None
    ) -> None:
        super().__init__(message, details=details, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"
    default_message = "The service is not available."


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": jsonable_encoder(details)}}
    return JSONResponse(body, status_code=status_code, headers=headers)


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    logger.info("request.rejected", code=exc.code, status=exc.status_code, reason=exc.message)
    return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    logger.info("request.invalid", errors=len(details))
    return error_response(422, "validation_error", "The request is invalid.", details)


# Stable codes where the phrase differs across Python versions.
_HTTP_CODES = {413: "payload_too_large", 422: "validation_error"}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = HTTPStatus(exc.status_code)
    code = _HTTP_CODES.get(exc.status_code) or status.phrase.lower().replace(" ", "_")
    message = exc.detail if isinstance(exc.detail, str) else status.phrase
    return error_response(exc.status_code, code, message, headers=exc.headers)


def report_crash(exc: BaseException) -> None:
    """Log an unexpected error with its traceback, and report it to Sentry when it is on."""
    logger.exception("request.crashed", exc_info=exc)
    capture_exception(exc)


def unexpected_error_response() -> JSONResponse:
    """The answer to a crash (it is logged with its traceback where it is caught)."""
    return error_response(500, "internal_error", "An unexpected error occurred.")


# Seconds a client should wait before trying again after an outage.
OUTAGE_RETRY_AFTER = 2


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` means a service we depend on is down or unreachable (not a bug)."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError | InterfaceError | SQLAlchemyTimeoutError):
        return True
    return isinstance(exc, ConnectionError | TimeoutError | socket.gaierror)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, IntegrityError):
        # A concurrent write got there first (a unique key, a row deleted meanwhile).
        logger.info("request.conflict", error=str(exc.orig))
        return error_response(409, "conflict", "The request conflicts with a concurrent change.")
    if is_outage(exc):
        return _outage(exc)
    report_crash(exc)
    return unexpected_error_response()


async def _connection_error(request: Request, exc: Exception) -> JSONResponse:
    if is_outage(exc):
        return _outage(exc)
    report_crash(exc)
    return unexpected_error_response()


def _outage(exc: BaseException) -> JSONResponse:
    # Hosts, ports and driver messages go to the log, never to the client.
    logger.error("request.dependency_unavailable", error=repr(exc))
    return error_response(
        503,
        "service_unavailable",
        "A service this request needs is not available right now; try again shortly.",
        headers={"Retry-After": str(OUTAGE_RETRY_AFTER)},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Everything but crashes; `RequestContextMiddleware` answers those (and keeps the
    connection open, which Starlette's own last-resort handler would not)."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(SQLAlchemyError, _database_error)
    app.add_exception_handler(OSError, _connection_error)
