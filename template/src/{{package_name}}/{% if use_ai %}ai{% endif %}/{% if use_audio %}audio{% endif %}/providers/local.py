"""A local provider for development: no network, no model, predictable answers."""

import io
import wave

from .base import Segment, Speech, Transcript


class LocalAudioProvider:
    """Transcribes every file to a note about its size; speaks a short silence as WAV."""

    name = "local"
    free = True

    def missing_settings(self) -> list[str]:
        return []

    async def transcribe(
        self,
        audio: bytes,
        *,
        filename: str,
        content_type: str,
        model: str,
        language: str | None = None,
    ) -> Transcript:
        text = f"(local provider: {len(audio)} bytes of {filename})"
        return Transcript(
            text=text,
            language=language or "en",
            duration_seconds=1.0,
            segments=[Segment(0.0, 1.0, text)],
        )

    async def synthesize(self, text: str, *, model: str, voice: str, audio_format: str) -> Speech:
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(8000)
            out.writeframes(b"\x00\x00" * 800)  # a tenth of a second
        return Speech(audio=buffer.getvalue(), content_type="audio/wav")

    async def aclose(self) -> None:
        return None
