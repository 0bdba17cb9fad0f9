"""One error type for the application and one JSON envelope for every error.

Every error leaves the API as ``{"error": {"code", "message", "details"}}``,
whether it is ours, a validation error, an unknown route or an unexpected crash.

A dependency or a route names the errors it can raise with ``@raises(...)``; the OpenAPI
document lists them for every operation that uses it (`core/openapi.py`).
"""

import socket
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any, ClassVar, TypeVar

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
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
from .routing import included_routes

logger = structlog.get_logger(__name__)


class AppError(Exception):
    """Base of every error the API answers on purpose; carries its HTTP status."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_message: ClassVar[str] = "The request could not be processed."
    # Headers every answer of this error carries, and what they say (for the OpenAPI document).
    documented_headers: ClassVar[Mapping[str, str]] = {}

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
    documented_headers: ClassVar[Mapping[str, str]] = {
        "WWW-Authenticate": "The scheme to authenticate with: `Bearer`."
    }

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
    documented_headers: ClassVar[Mapping[str, str]] = {
        "Retry-After": "Seconds to wait before trying again."
    }

    def __init__(
        self, message: str | None = None, *, retry_after: int, details: Any = None
    ) -> None:
        super().__init__(message, details=details, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"
    default_message = "The service is not available."


# Answered by the app's handlers and middleware rather than raised by a route; named here
# so the OpenAPI document can list them with the rest.
class MalformedBody(BadRequest):
    # FastAPI's words, for a body that is not UTF-8 or a form that is broken.
    default_message = "There was an error parsing the body"


class ValidationFailed(AppError):
    status_code = 422
    code = "validation_error"
    default_message = "The request is invalid."


class CsrfFailed(Forbidden):
    code = "csrf_failed"
    default_message = "Cross-site requests with the session cookie are refused."


class MethodNotAllowed(AppError):
    status_code = 405
    code = "method_not_allowed"
    default_message = "Method Not Allowed"


class ConcurrentChange(Conflict):
    default_message = "The request conflicts with a concurrent change."


class ServiceOutage(ServiceUnavailable):
    default_message = "A service this request needs is not available right now; try again shortly."
    documented_headers: ClassVar[Mapping[str, str]] = {
        "Retry-After": "Seconds to wait before trying again."
    }


class InternalError(AppError):
    status_code = 500
    code = "internal_error"
    default_message = "An unexpected error occurred."


class ErrorBody(BaseModel):
    code: str = Field(description="Stable and machine-readable: branch on it, not on the message.")
    message: str = Field(description="For people; its wording may change.")
    details: Any = Field(description="More about the error, in a shape its code defines (or null).")


class ErrorResponse(BaseModel):
    """Every error the API answers with, whatever its status."""

    error: ErrorBody


Declaring = TypeVar("Declaring", bound=Callable[..., Any])
# Where `raises` keeps its declarations, on the dependency or route function itself.
DECLARED_ERRORS = "__raises__"


def raises(*errors: type[AppError]) -> Callable[[Declaring], Declaring]:
    """Declare the errors a dependency or a route can raise: every operation that runs it
    documents them (`core/openapi.py` collects them through the dependency tree)."""

    def declare(function: Declaring) -> Declaring:
        declared: tuple[type[AppError], ...] = getattr(function, DECLARED_ERRORS, ())
        setattr(function, DECLARED_ERRORS, (*declared, *errors))
        return function

    return declare


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
    return error_response(
        ValidationFailed.status_code,
        ValidationFailed.code,
        ValidationFailed.default_message,
        details,
    )


# Stable codes where the phrase differs across Python versions.
_HTTP_CODES = {413: PayloadTooLarge.code, 422: ValidationFailed.code}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = HTTPStatus(exc.status_code)
    code = _HTTP_CODES.get(exc.status_code) or status.phrase.lower().replace(" ", "_")
    message = exc.detail if isinstance(exc.detail, str) else status.phrase
    headers = exc.headers
    if exc.status_code == MethodNotAllowed.status_code:
        headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(request))}
    return error_response(exc.status_code, code, message, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method the path answers to: Starlette's ``Allow`` names only those of the
    first route matching the path, and a path has a route per method."""
    path = request.url.path
    allowed: set[str] = set()
    for route in included_routes(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path) and route.methods:
            allowed.update(route.methods)
    return sorted(allowed)


def report_crash(exc: BaseException) -> None:
    """Log an unexpected error with its traceback, and report it to Sentry when it is on."""
    logger.exception("request.crashed", exc_info=exc)
    capture_exception(exc)


def unexpected_error_response() -> JSONResponse:
    """The answer to a crash (it is logged with its traceback where it is caught)."""
    return error_response(500, InternalError.code, InternalError.default_message)


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
        return error_response(409, ConcurrentChange.code, ConcurrentChange.default_message)
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
        ServiceOutage.code,
        ServiceOutage.default_message,
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
