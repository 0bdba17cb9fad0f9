"""Usage reports."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel


class QuotaRead(BaseModel):
    quota: str
    limit: int | None
    used: int
    remaining: int | None


class UsageLine(BaseModel):
    day: date
    feature: str
    model: str
    calls: int
    input_tokens: int
    output_tokens: int
    audio_seconds: int
    characters: int
    cost_micros: int


class MyUsage(BaseModel):
    period_start: datetime
    resets_at: datetime
    quotas: list[QuotaRead]
    lines: list[UsageLine]


class Totals(BaseModel):
    calls: int
    tokens: int
    audio_seconds: int
    characters: int
    cost_micros: int


class UserTotals(Totals):
    user_id: uuid.UUID
    email: str


class AllUsage(BaseModel):
    period_start: datetime
    users: list[UserTotals]
    totals: Totals
