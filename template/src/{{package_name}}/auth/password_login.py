"""Signing in with an email and a password."""

from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.db.unit_of_work import release_connection
from ..core.errors import Forbidden, Unauthorized
from ..users import repository as user_repository
from ..users.models import User
from . import passwords
from .config import AuthSettings


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    default_message = "The email or password is incorrect."


class EmailNotVerified(Forbidden):
    code = "email_not_verified"
    default_message = "Confirm your email address first; we sent you a link."


async def authenticate(
    session: AsyncSession,
    hasher: PasswordHasher,
    auth_settings: AuthSettings,
    *,
    email: str,
    password: str,
) -> User:
    """The active user with this email and password; `InvalidCredentials` otherwise, after
    one password hash either way (the time taken says nothing about the account)."""
    user = await user_repository.get_by_email(session, email)
    # The connection goes back to the pool for the (deliberately slow) hash.
    await release_connection(session)
    matched = await passwords.verify_password(
        hasher, user.password_hash if user else None, password
    )
    if user is None or not matched or not user.is_active:
        raise InvalidCredentials()
    assert user.password_hash is not None
    # Checked only once the password matched: the answer reveals nothing to a guesser.
    if auth_settings.require_email_verification and user.email_verified_at is None:
        raise EmailNotVerified()
    if passwords.needs_rehash(hasher, user.password_hash):
        user.password_hash = await passwords.hash_password(hasher, password)
    return user
