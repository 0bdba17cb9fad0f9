"""Request and response bodies for files."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .models import FileStatus


class FileCreate(BaseModel):
    # The example shows in /docs, and gives API fuzzers an upload that is accepted.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"filename": "notes.txt", "content_type": "text/plain", "size": 12}]
        },
    )

    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=3, max_length=255)
    size: int = Field(ge=1)


class UploadInstructions(BaseModel):
    method: Literal["POST", "PUT"]
    url: str
    # POST: send these form fields, then the file as the last field named "file".
    fields: dict[str, str] | None = None
    # PUT: send these headers with the raw bytes as the body.
    headers: dict[str, str] | None = None


class FileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    status: FileStatus
    created_at: datetime
    completed_at: datetime | None


class FileUpload(BaseModel):
    id: uuid.UUID
    file: FileRead
    upload: UploadInstructions


class FileDownload(FileRead):
    download_url: str | None = None
    download_expires_at: datetime | None = None
