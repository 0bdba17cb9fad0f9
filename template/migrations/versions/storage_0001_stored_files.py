"""Stored files: one row per uploaded or generated object.

Revision ID: storage_0001
Revises: core_0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "storage_0001"
down_revision: str | Sequence[str] | None = "core_0001"
branch_labels: str | Sequence[str] | None = ("storage",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "ready", name="filestatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_stored_file_owner_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_file")),
        sa.UniqueConstraint("key", name=op.f("uq_stored_file_key")),
    )
    op.create_index(op.f("ix_stored_file_owner_id"), "stored_file", ["owner_id"])
    op.create_index(op.f("ix_stored_file_status"), "stored_file", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_stored_file_status"), table_name="stored_file")
    op.drop_index(op.f("ix_stored_file_owner_id"), table_name="stored_file")
    op.drop_table("stored_file")
