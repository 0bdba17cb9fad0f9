"""Opaque tokens: random to the client, a SHA-256 digest in the database."""

import hashlib
import hmac
import secrets


def new_token() -> str:
    """A random, URL-safe token with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The digest we store and look up; a stolen table does not yield usable tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(token: str, token_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), token_hash)
