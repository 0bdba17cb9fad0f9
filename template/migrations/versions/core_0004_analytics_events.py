"""Analytics: the append-only table of product events (ANALYTICS_PROVIDER=database).

Revision ID: core_0004
Revises: core_0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0004"
down_revision: str | Sequence[str] | None = "core_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_event")),
    )
    op.create_index(
        "ix_analytics_event_name_occurred_at", "analytics_event", ["name", "occurred_at"]
    )
    op.create_index(op.f("ix_analytics_event_user_id"), "analytics_event", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_analytics_event_user_id"), table_name="analytics_event")
    op.drop_index("ix_analytics_event_name_occurred_at", table_name="analytics_event")
    op.drop_table("analytics_event")
