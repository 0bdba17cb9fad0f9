"""Where Authlib keeps a pending sign-in between the redirect and the callback.

Authlib's `OAuth(cache=...)` stores the state data (state, nonce, redirect URI) through
``get``/``set``/``delete``, and keeps only a marker in the browser's signed cookie, so a
callback must come from the browser that started the sign-in *and* find its state here.
A table rather than process memory: every API process sees the same states. Reading a
state deletes it, in one statement: a replayed callback finds nothing.
"""

from datetime import timedelta

from ..core.db.session import Database
from ..core.db.types import utcnow
from . import repository

# How long a sign-in may take between the redirect and the callback (the marker cookie
# lives as long).
PENDING_SIGN_IN_TTL = timedelta(minutes=10)
# Where the OAuth routes are served (auth/router.py), the only ones using the cookie.
SIGN_IN_PATHS = "/api/v1/auth/oauth/"


class OAuthStateStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> str | None:
        """The value under ``key``, taken: the next ``get`` finds nothing."""
        # A transaction of its own, committed at once: no request's unit of work is open
        # yet when Authlib asks, and the state must be gone before the code is exchanged.
        async with self._db.sessionmaker.begin() as session:
            return await repository.take_oauth_state(session, key, now=utcnow())

    async def set(self, key: str, value: str, expires_in: int | None = None) -> None:
        # Authlib's own default (an hour) is longer than the marker cookie lives.
        expires_at = utcnow() + PENDING_SIGN_IN_TTL
        async with self._db.sessionmaker.begin() as session:
            await repository.put_oauth_state(session, key, value, expires_at=expires_at)

    async def delete(self, key: str) -> None:
        async with self._db.sessionmaker.begin() as session:
            await repository.delete_oauth_state(session, key)
