"""The pages mailed links open: confirm an email, set a new password, sign in by link.

Plain server-rendered HTML, so the links in the emails work without any front end. A page
only *shows* a button: the one-time token is spent by the form's POST, never by the GET,
because mail scanners and link previews open links on their own. A team with a front end
points `AUTH_*_PATH` at its own pages (a full URL) and posts the token to the API instead.
"""

from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import parse_qs, urljoin

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from ..core.db.unit_of_work import DbSession
from ..core.dependencies import SettingsDep
from ..core.errors import AppError
from . import mailed_links, password_changes
from .dependencies import AuthSettingsDep, PasswordHasherDep, ThrottleDep
from .router import request_reset, sign_in
from .schemas import MIN_PASSWORD_LENGTH

if TYPE_CHECKING:
    from jinja2 import Environment

VERIFY_EMAIL_PAGE = "/verify-email"
RESET_PASSWORD_PAGE = "/reset-password"  # noqa: S105  (a page, not a secret)
MAGIC_LINK_PAGE = "/magic-link"

router = APIRouter(include_in_schema=False)

Token = Annotated[str, Query(max_length=128)]


@lru_cache
def _templates() -> "Environment":
    # Jinja is loaded by the first page served, not by every process importing the app.
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader(__package__ or __name__.rpartition(".")[0], "templates"),
        autoescape=select_autoescape(["html"]),
    )


def _page(settings: SettingsDep, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = (
        _templates()
        .get_template("link_page.html")
        .render(app_name=settings.app_name, min_password_length=MIN_PASSWORD_LENGTH, **context)
    )
    # The token rides in the URL: it must not leak through a Referer header or a cache.
    headers = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
    return HTMLResponse(html, status_code=status_code, headers=headers)


async def _form(request: Request) -> dict[str, str]:
    """The POSTed form; parsed by hand, since python-multipart is not a core dependency."""
    fields = parse_qs((await request.body()).decode(errors="replace"), max_num_fields=4)
    return {name: values[0] for name, values in fields.items()}


@router.get(VERIFY_EMAIL_PAGE)
async def verify_email_page(settings: SettingsDep, token: Token = "") -> HTMLResponse:
    return _page(
        settings,
        title="Confirm your email",
        message="Confirm that this address is yours.",
        button="Confirm my email",
        action=VERIFY_EMAIL_PAGE,
        token=token,
    )


@router.post(VERIFY_EMAIL_PAGE)
async def verify_email(request: Request, session: DbSession, settings: SettingsDep) -> Response:
    form = await _form(request)
    try:
        user = await mailed_links.verify_email(session, settings, form.get("token", ""))
    except AppError as exc:
        return _page(settings, 400, title="Confirm your email", error=exc.message)
    return _page(
        settings, title="Email confirmed", message=f"Thank you: {user.email} is confirmed."
    )


@router.get(RESET_PASSWORD_PAGE)
async def reset_password_page(settings: SettingsDep, token: Token = "") -> HTMLResponse:
    if not token:
        # The "this was not you?" link of the password-changed email: ask for a reset link.
        return _page(
            settings,
            title="Reset your password",
            message="We will email you a link to choose a new password.",
            button="Email me a link",
            action=RESET_PASSWORD_PAGE,
            ask_email=True,
        )
    return _page(
        settings,
        title="Choose a new password",
        button="Set my password",
        action=RESET_PASSWORD_PAGE,
        token=token,
        ask_password=True,
    )


@router.post(RESET_PASSWORD_PAGE)
async def reset_password(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    auth_settings: AuthSettingsDep,
    hasher: PasswordHasherDep,
    throttle: ThrottleDep,
) -> Response:
    form = await _form(request)
    if "email" in form:
        await request_reset(form["email"], request, session, throttle)
        return _page(
            settings,
            title="Check your email",
            message="If an account uses this address, a link to reset its password is on its way.",
        )
    token, password = form.get("token", ""), form.get("password", "")
    if not MIN_PASSWORD_LENGTH <= len(password) <= 128:
        return _page(
            settings,
            400,
            title="Choose a new password",
            error=f"The password needs {MIN_PASSWORD_LENGTH} to 128 characters.",
            button="Set my password",
            action=RESET_PASSWORD_PAGE,
            token=token,
            ask_password=True,
        )
    try:
        await password_changes.reset_password(
            session, settings, auth_settings, hasher, token=token, password=password
        )
    except AppError as exc:
        return _page(settings, 400, title="Choose a new password", error=exc.message)
    return _page(
        settings,
        title="Password changed",
        message="Your password is changed, and every session was signed out. Sign in with it.",
    )


@router.get(MAGIC_LINK_PAGE)
async def magic_link_page(settings: SettingsDep, token: Token = "") -> HTMLResponse:
    return _page(
        settings,
        title="Sign in",
        message="Continue to sign in to your account.",
        button="Sign me in",
        action=MAGIC_LINK_PAGE,
        token=token,
    )


@router.post(MAGIC_LINK_PAGE)
async def magic_link(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    auth_settings: AuthSettingsDep,
) -> Response:
    form = await _form(request)
    try:
        user = await mailed_links.consume_magic_link(session, form.get("token", ""))
    except AppError as exc:
        return _page(settings, 400, title="Sign in", error=exc.message)
    target = urljoin(settings.public_url.rstrip("/") + "/", auth_settings.oauth_redirect_path)
    response = RedirectResponse(target, status_code=303)
    await sign_in(request, response, session, settings, user, method="magic_link")
    return response
