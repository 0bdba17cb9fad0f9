"""Pure ASGI middleware: a request id for every line, an access line, an `api_request`
analytics event and the security headers on every response, a body size limit, the
cross-site check for cookie-authenticated writes, and a middleware scoped to some paths."""

import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import structlog
from starlette.exceptions import HTTPException
from starlette.routing import replace_params
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..analytics.events import ApiRequest
from .config import Settings
from .errors import CsrfFailed, error_response, report_crash, unexpected_error_response

logger = structlog.get_logger("access")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


class RequestContextMiddleware:
    """Binds ``request_id`` (the caller's ``X-Request-ID`` if sane, else a new one) to
    every log line of the request, echoes it back with the ``response_headers`` every
    response carries (the security headers), writes one access line and records one
    `api_request` event (handed to the analytics buffer: no network call here).

    It also answers what nothing else handled: a crash is logged with its traceback and
    becomes the 500 envelope here, so the connection stays usable (an exception that
    reached the server would make it drop the connection).
    """

    def __init__(self, app: ASGIApp, response_headers: Iterable[tuple[str, str]] = ()) -> None:
        self.app = app
        # Encoded once: they are added to every response.
        self._headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in response_headers
        ]
        self._names = frozenset(name for name, _ in self._headers) | {b"x-request-id"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        # 32 random hex digits: the shape of `uuid4().hex`, at a fifth of its cost.
        request_id = (
            incoming if incoming and _VALID_REQUEST_ID.match(incoming) else secrets.token_hex(16)
        )
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status_code = 500
        own_headers = [*self._headers, (b"x-request-id", request_id.encode("latin-1"))]

        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status_code, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status_code = message["status"]
                # Ours replace any the app set (a route's Cache-Control included).
                kept = [
                    (name, value)
                    for name, value in message.get("headers", ())
                    if name.lower() not in self._names
                ]
                message["headers"] = kept + own_headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            if response_started:
                raise  # half a response is out: the server can only drop the connection
            report_crash(exc)
            await unexpected_error_response()(scope, receive, send_with_headers)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            logger.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status_code,
                duration_ms=duration_ms,
            )
            _record_api_request(scope, status_code, duration_ms)
            structlog.contextvars.clear_contextvars()


def _record_api_request(scope: Scope, status_code: int, duration_ms: float) -> None:
    services = getattr(scope["app"].state, "services", None) if "app" in scope else None
    if services is None or not services.analytics.enabled:
        return
    if scope["path"] in services.analytics_settings.ignored_paths:
        return
    # Bound by `CurrentUser` when the request was authenticated.
    user_id = structlog.contextvars.get_contextvars().get("user_id")
    services.analytics.record(
        [
            ApiRequest(
                user_id=uuid.UUID(user_id) if isinstance(user_id, str) else None,
                method=scope["method"],
                route=route_template(scope),
                status=status_code,
                duration_ms=duration_ms,
            )
        ]
    )


def route_template(scope: Scope) -> str | None:
    """The matched route's path template (``/api/v1/files/{file_id}``); None when no
    route matched. A route of an included router may know only its own part of the path
    (FastAPI 0.16x): the rest is what the request's path has in front of that part."""
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    if not isinstance(template, str):
        return None
    convertors = getattr(route, "param_convertors", {})
    try:
        rendered, _ = replace_params(template, convertors, dict(scope.get("path_params", {})))
    except (KeyError, TypeError, ValueError):
        return template
    path: str = scope["path"]
    return path.removesuffix(rendered) + template if path.endswith(rendered) else template


class OnlyUnder:
    """Runs the middleware ``wrap`` puts around the app for the paths under ``prefix``;
    every other request skips it."""

    def __init__(self, app: ASGIApp, *, prefix: str, wrap: Callable[[ASGIApp], ASGIApp]) -> None:
        self.app = app
        self.prefix = prefix
        self.wrapped = wrap(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            await self.wrapped(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class BodySizeLimitMiddleware:
    """Refuses bodies over ``max_bytes`` with 413, by header or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int, exempt_prefix: str | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Routes under this path enforce their own limit (e.g. signed uploads).
        self.exempt_prefix = exempt_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exempt = self.exempt_prefix and scope.get("path", "").startswith(self.exempt_prefix)
        if scope["type"] != "http" or exempt:
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # An HTTPException passes through FastAPI's body parsing untouched
                    # and reaches the error envelope.
                    raise HTTPException(413, self._message)
            return message

        await self.app(scope, limited_receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, "payload_too_large", self._message)
        await response(scope, receive, send)

    @property
    def _message(self) -> str:
        return f"The request body exceeds {self.max_bytes} bytes."


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased, as browsers send in ``Origin``."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower()


class CsrfOriginMiddleware:
    """Refuses state-changing requests that carry the session cookie but come from
    another origin (their ``Origin``, else ``Referer``, is not an allowed origin).

    Bearer clients are unaffected: a browser never attaches that header on its own.
    Requests with neither header are let through (non-browser clients); browsers send
    ``Origin`` on every cross-origin write, and ``SameSite=Lax`` stops most anyway.
    """

    def __init__(self, app: ASGIApp, allowed_origins: Iterable[str], cookie_name: str) -> None:
        self.app = app
        self.allowed = {origin_of(origin) for origin in allowed_origins}
        self.cookie_name = cookie_name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        if _header(scope, b"authorization") is None and self._has_session_cookie(scope):
            source = _header(scope, b"origin") or _header(scope, b"referer")
            if source is not None and origin_of(source) not in self.allowed:
                logger.warning("csrf.rejected", origin=origin_of(source), path=scope["path"])
                response = error_response(
                    CsrfFailed.status_code, CsrfFailed.code, CsrfFailed.default_message
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _has_session_cookie(self, scope: Scope) -> bool:
        raw = _header(scope, b"cookie")
        if not raw:
            return False
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(raw)
        except ValueError:
            return False
        return self.cookie_name in cookies


# Two years, as the HSTS preload list asks; only sent in production (always over https).
_HSTS_MAX_AGE = 63_072_000


def security_headers(settings: Settings) -> list[tuple[str, str]]:
    """The headers every response carries, errors included (`secure` builds them).

    An API answers JSON to programs, so nothing of it may be framed, sniffed or cached:
    ``no-store`` keeps session tokens and personal data out of browser and proxy caches.
    Only ``frame-ancestors`` is set in the content security policy, so the docs page
    (scripts from a CDN) keeps working where it is served. `secure` is imported here, once
    per app: processes that never serve HTTP (workers, commands) skip it.
    """
    from secure import (
        CacheControl,
        ContentSecurityPolicy,
        ReferrerPolicy,
        Secure,
        StrictTransportSecurity,
        XContentTypeOptions,
        XFrameOptions,
    )

    policy = Secure(
        xcto=XContentTypeOptions(),
        xfo=XFrameOptions().deny(),
        csp=ContentSecurityPolicy().frame_ancestors("'none'"),
        referrer=ReferrerPolicy().no_referrer(),
        cache=CacheControl().no_store(),
        hsts=(
            StrictTransportSecurity().max_age(_HSTS_MAX_AGE).include_subdomains()
            if settings.is_production
            else None
        ),
    )
    return list(policy.headers.items())


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
