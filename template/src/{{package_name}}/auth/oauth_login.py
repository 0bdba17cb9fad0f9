"""Signing in through a provider: the user behind an OAuth / OIDC identity."""

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..analytics import track
from ..analytics.events import UserSignedUp
from ..core.db.types import utcnow
from ..core.errors import BadRequest, Forbidden
from ..users import repository as user_repository
from ..users.models import User, normalize_email
from . import repository
from .models import OAuthAccount
from .oauth import OAuthIdentity

logger = structlog.get_logger(__name__)


class OAuthEmailNotVerified(BadRequest):
    code = "oauth_email_not_verified"
    default_message = (
        "The provider did not confirm this email address, so it cannot sign you in. "
        "Verify it with the provider, or sign in another way."
    )


async def login_with_identity(session: AsyncSession, identity: OAuthIdentity) -> User:
    """The user behind a provider identity: linked before, linked now by a *verified*
    email, or created. An unverified email never links or creates anything."""
    try:
        user = await _linked_or_new_user(session, identity)
    except IntegrityError:
        # Two first logins of one account at once: the other one stored the link (or the
        # user) first, and a second look finds it.
        user = await _linked_or_new_user(session, identity)
    if not user.is_active:
        raise Forbidden("This account is deactivated.")
    return user


async def _linked_or_new_user(session: AsyncSession, identity: OAuthIdentity) -> User:
    linked = await repository.get_linked_user(session, identity.provider, identity.subject)
    if linked is not None:
        return linked
    if not identity.email or not identity.email_verified:
        logger.warning(
            "oauth.unverified_email", provider=identity.provider, has_email=bool(identity.email)
        )
        raise OAuthEmailNotVerified()
    created = False
    # A savepoint: losing a race rolls back only this attempt, not the request.
    async with session.begin_nested():
        user = await user_repository.get_by_email(session, identity.email)
        if user is None:
            created = True
            user = User(
                email=normalize_email(identity.email),
                name=identity.name[:100] if identity.name else None,
                password_hash=None,
                email_verified_at=utcnow(),
            )
            session.add(user)
            await session.flush()
            logger.info("oauth.user_created", provider=identity.provider, user_id=str(user.id))
        session.add(
            OAuthAccount(
                user_id=user.id,
                provider=identity.provider,
                subject=identity.subject,
                email=normalize_email(identity.email),
            )
        )
        user.email_verified_at = user.email_verified_at or utcnow()
    if created:
        track(session, UserSignedUp(user_id=user.id, method=identity.provider))
    return user
