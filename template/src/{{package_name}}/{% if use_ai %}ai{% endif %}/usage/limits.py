"""Where a user's monthly limits come from: the AI settings."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from .config import UsageSettings
from .quotas import AUDIO_SECONDS, COST_MICROS, TOKENS, Limits


async def monthly_limits(
    session: AsyncSession, user_id: uuid.UUID, settings: UsageSettings
) -> Limits:
    return {
        TOKENS: settings.monthly_tokens,
        AUDIO_SECONDS: settings.monthly_audio_seconds,
        COST_MICROS: settings.monthly_cost_micros,
    }
