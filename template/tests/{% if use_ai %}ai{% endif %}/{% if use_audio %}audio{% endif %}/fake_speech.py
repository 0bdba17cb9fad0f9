"""A fake OpenAI audio API: `/audio/transcriptions` (multipart in), `/audio/speech` (bytes out)."""

from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

MP3_BYTES = b"ID3\x04\x00fake-mp3-frames"


@dataclass
class FakeSpeech:
    duration: float = 61.5
    fail_with: list[int] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/audio/transcriptions", self._transcriptions, methods=["POST"]),
                Route("/v1/audio/speech", self._speech, methods=["POST"]),
            ]
        )

    def _failure(self) -> Response | None:
        if self.fail_with:
            status = self.fail_with.pop(0)
            return JSONResponse({"error": {"message": "scripted failure"}}, status_code=status)
        return None

    async def _transcriptions(self, request: Request) -> Response:
        async with request.form() as form:
            upload = form["file"]
            assert isinstance(upload, UploadFile)
            self.requests.append(
                {
                    "path": request.url.path,
                    "headers": dict(request.headers),
                    "fields": {k: v for k, v in form.items() if isinstance(v, str)},
                    "file": (upload.filename, upload.content_type, await upload.read()),
                }
            )
        failure = self._failure()
        if failure:
            return failure
        return JSONResponse(
            {
                "task": "transcribe",
                "language": "english",
                "duration": self.duration,
                "text": "Hello there. General Kenobi.",
                "segments": [
                    {"id": 0, "seek": 0, "start": 0.0, "end": 1.5, "text": "Hello there."},
                    {"id": 1, "seek": 0, "start": 1.5, "end": 3.0, "text": " General Kenobi."},
                ],
            }
        )

    async def _speech(self, request: Request) -> Response:
        self.requests.append(
            {
                "path": request.url.path,
                "headers": dict(request.headers),
                "json": await request.json(),
            }
        )
        failure = self._failure()
        if failure:
            return failure
        return Response(MP3_BYTES, media_type="audio/mpeg")
