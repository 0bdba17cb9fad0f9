"""Objects as files under one root directory, uploaded and downloaded through signed URLs.

The app serves the URLs itself (`/api/v1/files/content/{key}`), so development and tests
need nothing else. A URL is an HMAC over the method, the key, its expiry and, for uploads,
the exact content type and size; changing any of them voids it.
"""

import hashlib
import hmac
import os
import re
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import anyio

from .base import ListedObject, ObjectInfo, UploadTicket

CONTENT_PATH = "/api/v1/files/content/"
_SEGMENT = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$")


class InvalidKey(ValueError):
    """The key could name something outside the storage root."""


class InvalidSignature(ValueError):
    """The URL was not signed by us, was altered, or has expired."""


class LocalStorageBackend:
    name = "local"

    def __init__(self, root: Path, *, secret: str, public_url: str) -> None:
        self.root = root
        self._secret = secret.encode()
        self._public_url = public_url.rstrip("/")

    # --- the StorageBackend protocol ---

    def missing_settings(self) -> list[str]:
        return []

    async def aclose(self) -> None:
        return None

    async def create_upload(
        self, key: str, *, content_type: str, size: int, expires_in: timedelta
    ) -> UploadTicket:
        self.path_for(key)
        expires = _expiry(expires_in)
        params = {"expires": str(expires), "content_type": content_type, "size": str(size)}
        signature = self._sign("PUT", key, params)
        url = self._url(key, {**params, "signature": signature})
        return UploadTicket(method="PUT", url=url, headers={"Content-Type": content_type})

    async def stat(self, key: str) -> ObjectInfo | None:
        path = self.path_for(key)
        try:
            result = await anyio.to_thread.run_sync(path.stat)
        except FileNotFoundError:
            return None
        return ObjectInfo(size=result.st_size, content_type=None)

    async def download_url(self, key: str, *, filename: str, expires_in: timedelta) -> str:
        self.path_for(key)
        params = {"expires": str(_expiry(expires_in)), "filename": filename}
        return self._url(key, {**params, "signature": self._sign("GET", key, params)})

    async def read(self, key: str) -> bytes:
        path = self.path_for(key)
        return await anyio.to_thread.run_sync(_read_nofollow, path)

    async def write(self, key: str, data: bytes, *, content_type: str) -> None:
        path = self.path_for(key)

        async def chunks() -> AsyncIterator[bytes]:
            yield data

        await self.write_stream(path, chunks(), limit=len(data))

    async def delete(self, key: str) -> None:
        path = self.path_for(key)
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))

    async def move(self, source: str, target: str) -> None:
        source_path, target_path = self.path_for(source), self.path_for(target)

        def rename() -> None:
            target_path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source_path, target_path)

        await anyio.to_thread.run_sync(rename)

    async def list_objects(self, prefix: str) -> AsyncIterator[ListedObject]:
        root = self.root.resolve()

        def walk() -> list[ListedObject]:
            found = []
            for path in root.rglob("*"):
                key = path.relative_to(root).as_posix()
                if path.name.startswith(".") or not key.startswith(prefix):
                    continue  # temporary ".part" files are the writer's own business
                if path.is_file() and not path.is_symlink():
                    modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                    found.append(ListedObject(key, modified))
            return found

        for listed in await anyio.to_thread.run_sync(walk):
            yield listed

    # --- what the signed URLs need ---

    def path_for(self, key: str) -> Path:
        """The file for ``key``, guaranteed to lie inside the root (no ``..``, no symlinks)."""
        segments = key.split("/")
        if not all(_SEGMENT.fullmatch(s) and s not in {".", ".."} for s in segments):
            raise InvalidKey(key)
        root = self.root.resolve()
        path = root.joinpath(*segments)
        # resolve() follows symlinks anywhere on the way: a link out of the root shows here.
        if not path.resolve().is_relative_to(root) or path.is_symlink():
            raise InvalidKey(key)
        return path

    def verify(self, method: str, key: str, params: dict[str, str], signature: str) -> None:
        """Raise InvalidSignature unless ``signature`` is ours for these values and unexpired."""
        expected = self._sign(method, key, params)
        if not hmac.compare_digest(expected, signature):
            raise InvalidSignature("the signature does not match")
        if not params.get("expires", "").isdigit() or int(params["expires"]) < time.time():
            raise InvalidSignature("the URL has expired")

    async def write_stream(self, path: Path, body: AsyncIterator[bytes], *, limit: int) -> int:
        """Write ``body`` to ``path`` atomically; raises OverflowError past ``limit`` bytes."""
        await anyio.to_thread.run_sync(lambda: path.parent.mkdir(parents=True, exist_ok=True))
        if not path.parent.resolve().is_relative_to(self.root.resolve()):
            raise InvalidKey(str(path))
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        written = 0
        try:
            descriptor = await anyio.to_thread.run_sync(_open_new, temporary)
            async with await anyio.open_file(descriptor, "wb") as file:
                async for chunk in body:
                    written += len(chunk)
                    if written > limit:
                        raise OverflowError(limit)
                    await file.write(chunk)
            await anyio.to_thread.run_sync(os.replace, temporary, path)
        finally:
            await anyio.to_thread.run_sync(lambda: temporary.unlink(missing_ok=True))
        return written

    def _sign(self, method: str, key: str, params: dict[str, str]) -> str:
        fields = [method, key, *(f"{name}={params[name]}" for name in sorted(params))]
        message = "\n".join(fields).encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def _url(self, key: str, params: dict[str, str]) -> str:
        return f"{self._public_url}{CONTENT_PATH}{quote(key)}?{urlencode(params)}"


def _expiry(expires_in: timedelta) -> int:
    return int(time.time() + expires_in.total_seconds())


def _open_new(path: Path) -> int:
    # O_EXCL | O_NOFOLLOW: never write through a link planted at the temporary name.
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o640)


def _read_nofollow(path: Path) -> bytes:
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(descriptor, "rb") as file:
        return file.read()
