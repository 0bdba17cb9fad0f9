"""Argon2id password hashing, off the event loop."""

from functools import lru_cache

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..core.config import Settings


def build_hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings.password_hash_time_cost,
        memory_cost=settings.password_hash_memory_cost,
        parallelism=settings.password_hash_parallelism,
    )


@lru_cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("a password nobody has")


async def hash_password(hasher: PasswordHasher, password: str) -> str:
    return await anyio.to_thread.run_sync(hasher.hash, password)


async def verify_password(hasher: PasswordHasher, password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches. With no hash (unknown email, OAuth-only account)
    a dummy hash is verified anyway, so the answer takes as long either way."""
    target = password_hash or _dummy_hash(hasher)

    def verify() -> bool:
        try:
            return hasher.verify(target, password)
        except (VerificationError, InvalidHashError):
            return False

    matched = await anyio.to_thread.run_sync(verify)
    return matched and password_hash is not None


def needs_rehash(hasher: PasswordHasher, password_hash: str) -> bool:
    return hasher.check_needs_rehash(password_hash)
