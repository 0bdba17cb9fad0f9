"""`GET /ai/usage` (your own) and `GET /admin/ai/usage` (everyone's totals)."""

from collections import defaultdict

from fastapi import APIRouter

from ...auth.dependencies import AdminUser, CurrentUser
from ...core.db.types import utcnow
from ...core.db.unit_of_work import DbSession
from . import quotas
from . import repository as usage_repository
from . import service as usage_service
from .dependencies import LimitSourceDep
from .schemas import AllUsage, MyUsage, QuotaRead, Totals, UsageLine, UserTotals

router = APIRouter(tags=["ai"])


@router.get("/ai/usage")
async def my_usage(user: CurrentUser, session: DbSession, limit_source: LimitSourceDep) -> MyUsage:
    now = utcnow()
    start = quotas.period_start(now)
    limits = await limit_source(session, user.id)
    used = await usage_service.used_this_period(session, user.id, now=now)
    quota_lines = []
    for quota in quotas.QUOTAS:
        limit = limits.get(quota)
        spent = used.get(quota)
        remaining = None if limit is None else max(limit - spent, 0)
        quota_lines.append(QuotaRead(quota=quota, limit=limit, used=spent, remaining=remaining))

    lines: dict[tuple[str, str, str], UsageLine] = {}
    for record in await usage_repository.records_since(session, user.id, start):
        day = record.created_at.date()
        key = (day.isoformat(), record.feature, record.model)
        line = lines.get(key) or UsageLine(
            day=day,
            feature=record.feature,
            model=record.model,
            calls=0,
            input_tokens=0,
            output_tokens=0,
            audio_seconds=0,
            characters=0,
            cost_micros=0,
        )
        line.calls += 1
        line.input_tokens += record.input_tokens
        line.output_tokens += record.output_tokens
        line.audio_seconds += record.audio_seconds
        line.characters += record.characters
        line.cost_micros += record.cost_micros
        lines[key] = line
    return MyUsage(
        period_start=start,
        resets_at=quotas.period_end(now),
        quotas=quota_lines,
        lines=sorted(lines.values(), key=lambda line: (line.day, line.feature, line.model)),
    )


@router.get("/admin/ai/usage")
async def all_usage(admin: AdminUser, session: DbSession) -> AllUsage:
    start = quotas.period_start(utcnow())
    users = [
        UserTotals(
            user_id=user_id,
            email=email,
            calls=calls,
            tokens=tokens or 0,
            audio_seconds=seconds or 0,
            characters=characters or 0,
            cost_micros=cost or 0,
        )
        for user_id, email, calls, tokens, seconds, characters, cost in (
            await usage_repository.totals_by_user(session, start)
        )
    ]
    sums: defaultdict[str, int] = defaultdict(int)
    for line in users:
        for field in ("calls", "tokens", "audio_seconds", "characters", "cost_micros"):
            sums[field] += getattr(line, field)
    return AllUsage(period_start=start, users=users, totals=Totals(**sums))
