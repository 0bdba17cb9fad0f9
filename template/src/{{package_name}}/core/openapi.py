"""What the OpenAPI document says beyond what FastAPI infers: stable operation ids, every
error an operation can answer with (in the one envelope), event streams, and the security
schemes a dependency reads itself (`authenticates`).

Errors are declared where they are raised: a dependency or a route names its `AppError`
classes with ``@raises(...)`` (`core/errors.py`), and `document` collects them through
each operation's dependency tree. To those it adds what the app's handlers and middleware
answer for any request of the operation's shape: 422 and 400 for a body or parameters,
413 for a body, 403 (``csrf_failed``) and 409 (a lost race) for writes. Every error is
the shared ``ErrorResponse`` component; its ``code`` is the ``ErrorCode`` enum, and each
response's description lists the codes that status can carry there.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from http import HTTPStatus
from typing import Any, TypeVar, cast

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase
from pydantic import TypeAdapter

from .db.unit_of_work import get_session
from .errors import (
    DECLARED_ERRORS,
    AppError,
    ConcurrentChange,
    CsrfFailed,
    ErrorResponse,
    InternalError,
    MalformedBody,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
)
from .routing import included_routes

_SCHEMAS = "#/components/schemas/"
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Codes any request may meet, whatever its operation: an unknown path, a wrong method, a bug.
_ANYWHERE: tuple[type[AppError], ...] = (NotFound, MethodNotAllowed, InternalError)
# FastAPI's own 422 schemas, replaced by the envelope.
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")
# Where `streams` and `authenticates` keep their declarations, on the function.
_STREAMED_EVENTS = "__streams__"
_SECURITY_SCHEMES = "__security_schemes__"

Declaring = TypeVar("Declaring", bound=Callable[..., Any])


def operation_id(route: APIRoute) -> str:
    """``<tag>-<function name>``, e.g. ``auth-register`` or ``users-read-me``: stable, and
    a generated client turns it into ``auth.register()`` / ``users.readMe()``."""
    name = route.name.replace("_", "-")
    return f"{route.tags[0]}-{name}" if route.tags else name


def streams(event: type[Any]) -> Callable[[Declaring], Declaring]:
    """Declare that a route can answer with Server-Sent Events whose ``data`` is one
    ``event`` (a Pydantic model or a discriminated union of them) in JSON."""

    def declare(function: Declaring) -> Declaring:
        setattr(function, _STREAMED_EVENTS, event)
        return function

    return declare


def authenticates(*schemes: SecurityBase) -> Callable[[Declaring], Declaring]:
    """Declare that a dependency reads the caller's credentials by calling ``schemes``
    itself instead of depending on them: every operation that runs it documents them as
    alternatives, as FastAPI does for the schemes it solves. (FastAPI's work for each
    dependency it solves costs more than reading a header does.)"""

    def declare(function: Declaring) -> Declaring:
        setattr(function, _SECURITY_SCHEMES, schemes)
        return function

    return declare


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` (and `/openapi.json`) return the completed document."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app, build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    """Complete FastAPI's ``schema`` of ``app`` in place, and return it."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    codes = {error.code for error in _ANYWHERE}
    for route in _documented_routes(app):
        errors = route_errors(route)
        codes.update(error.code for error in errors)
        event = getattr(route.endpoint, _STREAMED_EVENTS, None)
        schemes = route_security(route)
        for method in route.methods or ():
            operation = schema["paths"][route.path_format][method.lower()]
            _document_security(schema, operation, schemes)
            responses = operation["responses"]
            responses.pop("422", None)  # FastAPI's own, with its own body
            if event is not None:
                _document_stream(responses, str(route.status_code or 200), event, components)
            for status, grouped in sorted(_by_status(errors).items()):
                responses[str(status)] = _error_response(status, grouped)
            operation["responses"] = dict(sorted(responses.items()))
    _add_error_schemas(components, codes)
    for name in _FASTAPI_VALIDATION:
        components.pop(name, None)
    return schema


def route_errors(route: APIRoute) -> list[type[AppError]]:
    """Every error ``route`` can answer with: declared by it or by one of its dependencies,
    and those its shape brings."""
    calls = list(_calls(route.dependant))
    found: list[type[AppError]] = [
        error for call in calls for error in getattr(call, DECLARED_ERRORS, ())
    ]
    if route.body_field is not None:
        found += [MalformedBody, PayloadTooLarge]
    if _has_parameters(route.dependant):
        found.append(ValidationFailed)
    if _WRITES.intersection(route.methods or ()):
        found.append(CsrfFailed)
        if get_session in calls:
            found.append(ConcurrentChange)
    return list(dict.fromkeys(found))


def route_security(route: APIRoute) -> list[SecurityBase]:
    """The schemes `authenticates` declared on ``route``'s dependencies."""
    found = [
        scheme
        for call in _calls(route.dependant)
        for scheme in getattr(call, _SECURITY_SCHEMES, ())
    ]
    return list(dict.fromkeys(found))


def _document_security(
    schema: dict[str, Any], operation: dict[str, Any], schemes: Sequence[SecurityBase]
) -> None:
    """What FastAPI writes for the security dependencies it solves."""
    if not schemes:
        return
    definitions = schema["components"].setdefault("securitySchemes", {})
    requirements: list[dict[str, list[str]]] = operation.setdefault("security", [])
    for scheme in schemes:
        definitions[scheme.scheme_name] = jsonable_encoder(
            scheme.model, by_alias=True, exclude_none=True
        )
        if {scheme.scheme_name: []} not in requirements:
            requirements.append({scheme.scheme_name: []})


def _documented_routes(app: FastAPI) -> Iterator[APIRoute]:
    for route in included_routes(app.routes):
        original = getattr(route, "original_route", route)
        if isinstance(original, APIRoute) and getattr(route, "include_in_schema", False):
            yield cast(APIRoute, route)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    if dependant.call is not None:
        yield dependant.call
    for dependency in dependant.dependencies:
        yield from _calls(dependency)


def _has_parameters(dependant: Dependant) -> bool:
    own = (
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
    )
    return bool(own) or any(_has_parameters(d) for d in dependant.dependencies)


def _by_status(errors: Sequence[type[AppError]]) -> dict[int, list[type[AppError]]]:
    grouped: defaultdict[int, list[type[AppError]]] = defaultdict(list)
    for error in errors:
        grouped[error.status_code].append(error)
    return grouped


def _error_response(status: int, errors: list[type[AppError]]) -> dict[str, Any]:
    # One entry per code: an error that keeps its parent's code shares the first one's.
    by_code: dict[str, type[AppError]] = {}
    for error in errors:
        by_code.setdefault(error.code, error)
    codes = "\n".join(f"- `{code}`: {error.default_message}" for code, error in by_code.items())
    response: dict[str, Any] = {
        "description": f"{HTTPStatus(status).phrase}. Codes:\n\n{codes}",
        "content": {
            "application/json": {
                "schema": {"$ref": f"{_SCHEMAS}ErrorResponse"},
                "examples": {
                    code: {
                        "summary": error.default_message,
                        "value": {
                            "error": {
                                "code": code,
                                "message": error.default_message,
                                "details": None,
                            }
                        },
                    }
                    for code, error in by_code.items()
                },
            }
        },
    }
    headers = {
        name: {
            "description": description,
            "schema": {"type": "string"},
            # Required only when every error of this status sends it.
            "required": all(name in error.documented_headers for error in errors),
        }
        for error in errors
        for name, description in error.documented_headers.items()
    }
    if headers:
        response["headers"] = headers
    return response


def _document_stream(
    responses: dict[str, Any], status: str, event: type[Any], components: dict[str, Any]
) -> None:
    """Each event as sent (the way OpenAPI 3.2's ``itemSchema`` reads, and schemathesis
    reads ``schema`` before 3.2): its name, and its ``data``, one ``event`` in JSON."""
    name = event.__name__
    _add_schema(components, name, event)
    names = sorted(components[name].get("discriminator", {}).get("mapping", {}))
    success = responses.setdefault(status, {"description": "Successful Response"})
    success.setdefault("content", {})["text/event-stream"] = {
        "schema": {
            "type": "object",
            "properties": {
                "event": {"type": "string", **({"enum": names} if names else {})},
                "data": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": {"$ref": f"{_SCHEMAS}{name}"},
                },
            },
            "required": ["event", "data"],
        },
    }
    success["description"] += (
        f"; or, when the request asks to stream, Server-Sent Events whose `data` is one "
        f"`{name}` in JSON (its `type` is the event's name)."
    )


def _add_error_schemas(components: dict[str, Any], codes: set[str]) -> None:
    _add_schema(components, "ErrorResponse", ErrorResponse)
    components["ErrorCode"] = {
        "type": "string",
        "enum": sorted(codes),
        "title": "ErrorCode",
        "description": "Every error code this API answers with.",
    }
    code = components["ErrorBody"]["properties"]["code"]
    components["ErrorBody"]["properties"]["code"] = {
        "$ref": f"{_SCHEMAS}ErrorCode",
        "description": code["description"],
    }


def _add_schema(components: dict[str, Any], name: str, model: type[Any]) -> None:
    """``model``'s JSON schema as component ``name``, with the models it refers to."""
    schema = TypeAdapter(model).json_schema(ref_template=_SCHEMAS + "{model}", mode="serialization")
    for referenced, definition in schema.pop("$defs", {}).items():
        components.setdefault(referenced, definition)
    components[name] = schema
