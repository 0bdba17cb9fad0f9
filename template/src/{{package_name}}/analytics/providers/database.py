"""The append-only `analytics_event` table: analytics you can query with SQL, locally."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from ...core.db.session import Database
from ...core.db.upsert import insert_on_conflict
from ...core.errors import is_outage
from ...core.providers import ProviderRejected, ProviderUnavailable
from ..events import AnalyticsEvent
from ..models import AnalyticsEventRecord


class DatabaseAnalyticsProvider:
    name = "database"

    def __init__(self, db: Database) -> None:
        self.db = db

    def missing_settings(self) -> list[str]:
        return []

    async def send(self, events: Sequence[AnalyticsEvent]) -> None:
        rows: list[dict[str, Any]] = [
            {
                "id": event.event_id,
                "name": event.name,
                "occurred_at": event.timestamp,
                "user_id": event.user_id,
                "request_id": event.request_id,
                "properties": event.properties(),
            }
            for event in events
        ]
        try:
            async with self.db.sessionmaker() as session:
                # A batch sent again (its first commit's answer was lost) adds nothing twice.
                statement = (
                    insert_on_conflict(session, AnalyticsEventRecord)
                    .values(rows)
                    .on_conflict_do_nothing()
                )
                await session.execute(statement)
                await session.commit()
        except (SQLAlchemyError, OSError) as exc:
            if is_outage(exc):
                raise ProviderUnavailable("The database is not reachable.") from exc
            raise ProviderRejected(f"The database refused the events: {exc!r}") from exc

    async def aclose(self) -> None:
        return None
