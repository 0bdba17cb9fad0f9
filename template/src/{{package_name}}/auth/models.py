"""Sessions, one-time tokens, linked provider accounts and pending OAuth sign-ins.

The client holds a random token; we keep only its digest."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db.base import Base, IdMixin
from ..core.db.types import utcnow
from ..users.models import User


class UserSession(IdMixin, Base):
    __tablename__ = "user_session"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    user_agent: Mapped[str | None] = mapped_column(String(255))
    ip_address: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User] = relationship(lazy="raise")

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    PASSWORD_RESET = "password_reset"  # noqa: S105  (a purpose, not a secret)
    MAGIC_LINK = "magic_link"


class OneTimeToken(IdMixin, Base):
    """A token mailed to the user: single-use, expiring, scoped to one purpose."""

    __tablename__ = "one_time_token"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[TokenPurpose] = mapped_column(
        Enum(
            TokenPurpose,
            native_enum=False,
            length=20,
            values_callable=lambda e: [p.value for p in e],
        )
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The address the token was mailed to: proof of owning *that* address only.
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and self.expires_at > now


class OAuthAccount(IdMixin, Base):
    """A provider identity (GitHub, Google, OIDC) linked to a user."""

    __tablename__ = "oauth_account"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(50))
    # The provider's stable user id (`sub`), never the email, which can change hands.
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OAuthState(Base):
    """What Authlib keeps between the redirect to a provider and its callback (the state,
    the OIDC nonce, the redirect URI), keyed by the state: server-side, so a callback can
    be used once and only before it expires."""

    __tablename__ = "oauth_state"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(index=True)
