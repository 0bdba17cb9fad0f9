"""What every storage backend offers, and the neutral results it returns."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol

from ...core.providers import Provider


@dataclass(frozen=True)
class UploadTicket:
    """How the client sends the bytes: ``method`` to ``url`` with these form fields or headers."""

    method: Literal["POST", "PUT"]
    url: str
    fields: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ObjectInfo:
    size: int
    content_type: str | None


@dataclass(frozen=True)
class ListedObject:
    key: str
    modified_at: datetime


class StorageBackend(Provider, Protocol):
    async def create_upload(
        self, key: str, *, content_type: str, size: int, expires_in: timedelta
    ) -> UploadTicket:
        """A ticket letting a client store exactly ``size`` bytes of ``content_type`` at ``key``."""

    async def stat(self, key: str) -> ObjectInfo | None:
        """The stored object's size and type, or None when nothing is stored at ``key``."""

    async def download_url(self, key: str, *, filename: str, expires_in: timedelta) -> str:
        """A short-lived URL that serves the object as an attachment named ``filename``."""

    async def read(self, key: str) -> bytes:
        """The object's bytes; raises FileNotFoundError when it does not exist."""

    async def write(self, key: str, data: bytes, *, content_type: str) -> None:
        """Store ``data`` at ``key``, replacing whatever was there."""

    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing object is not an error."""

    async def move(self, source: str, target: str) -> None:
        """Store the object at ``source`` under ``target`` instead (``source`` is gone)."""

    def list_objects(self, prefix: str) -> AsyncIterator[ListedObject]:
        """Every object whose key starts with ``prefix``, with when it was last written."""
        ...
