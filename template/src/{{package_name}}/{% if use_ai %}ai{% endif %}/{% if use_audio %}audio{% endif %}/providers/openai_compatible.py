"""OpenAI-compatible `/audio/transcriptions` (multipart in) and `/audio/speech` (bytes out),
over plain httpx like the chat providers."""

from typing import Any

import httpx

from ....core.providers import ProviderUnavailable
from ...http import RetryPolicy, send_with_retries
from .base import Segment, Speech, Transcript

CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "opus": "audio/ogg",
    "flac": "audio/flac",
    "aac": "audio/aac",
    "pcm": "audio/L16",
}


class OpenAICompatibleAudioProvider:
    name = "openai"
    free = False

    def __init__(
        self, client: httpx.AsyncClient, *, base_url: str, api_key: str | None, retry: RetryPolicy
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.headers = {"Authorization": f"Bearer {api_key}"}
        self.retry = retry

    def missing_settings(self) -> list[str]:
        return [] if self.api_key else ["AUDIO_API_KEY"]

    async def transcribe(
        self,
        audio: bytes,
        *,
        filename: str,
        content_type: str,
        model: str,
        language: str | None = None,
    ) -> Transcript:
        fields = {"model": model, "response_format": "verbose_json"}
        if language:
            fields["language"] = language
        request = self.client.build_request(
            "POST",
            f"{self.base_url}/audio/transcriptions",
            data=fields,
            files={"file": (filename, audio, content_type)},
            headers=self.headers,
        )
        response = await send_with_retries(
            self.client, request, policy=self.retry, provider=self.name
        )
        try:
            data: dict[str, Any] = response.json()
            return Transcript(
                text=data["text"],
                language=data.get("language"),
                duration_seconds=float(data["duration"]) if "duration" in data else None,
                segments=[
                    Segment(float(s["start"]), float(s["end"]), s["text"])
                    for s in data.get("segments") or []
                ],
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ProviderUnavailable("The openai provider sent an unreadable answer.") from exc

    async def synthesize(self, text: str, *, model: str, voice: str, audio_format: str) -> Speech:
        request = self.client.build_request(
            "POST",
            f"{self.base_url}/audio/speech",
            json={"model": model, "input": text, "voice": voice, "response_format": audio_format},
            headers=self.headers,
        )
        response = await send_with_retries(
            self.client, request, policy=self.retry, provider=self.name
        )
        sent = response.headers.get("content-type", "")
        # Our answer is documented as audio/*: a vendor's generic type gives way to the format's.
        content_type = (
            sent
            if sent.startswith("audio/")
            else CONTENT_TYPES.get(audio_format, f"audio/{audio_format}")
        )
        return Speech(audio=response.content, content_type=content_type)

    async def aclose(self) -> None:
        await self.client.aclose()
