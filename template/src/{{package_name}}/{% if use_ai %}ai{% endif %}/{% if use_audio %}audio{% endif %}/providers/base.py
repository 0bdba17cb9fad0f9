"""The audio provider interface and its neutral result types."""

from dataclasses import dataclass, field
from typing import Protocol

from ....core.providers import Provider


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str | None = None
    duration_seconds: float | None = None
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class Speech:
    audio: bytes
    content_type: str


class AudioProvider(Provider, Protocol):
    # Answers locally without any network: costs nothing against the quotas.
    free: bool

    async def transcribe(
        self,
        audio: bytes,
        *,
        filename: str,
        content_type: str,
        model: str,
        language: str | None = None,
    ) -> Transcript:
        """The text spoken in ``audio`` (with segments and language when known).

        Raise ``ProviderUnavailable`` when the provider fails after retries, or
        ``ProviderRejected`` when it refuses the request.
        """
        ...

    async def synthesize(self, text: str, *, model: str, voice: str, audio_format: str) -> Speech:
        """``text`` read aloud, encoded as ``audio_format``."""
        ...
