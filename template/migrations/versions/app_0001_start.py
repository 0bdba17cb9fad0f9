"""The start of your own migrations: `make db-migrate` adds revisions to branch `app`.

The branch depends on core only, never on an optional feature, so a feature can be
switched off with `copier update` without breaking your migrations.

Revision ID: app_0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

revision: str = "app_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("app",)
depends_on: str | Sequence[str] | None = ("core_0002", "storage_0001")


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
