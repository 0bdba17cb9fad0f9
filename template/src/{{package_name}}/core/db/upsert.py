"""`INSERT ... ON CONFLICT`, which SQLAlchemy builds per database."""

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert


def insert_on_conflict(session: AsyncSession, table: Any) -> "PostgresInsert | SqliteInsert":
    """An INSERT into ``table`` with the ``on_conflict_*`` methods of the database the
    session runs on. Its dialect is imported here: a process never loads the other one
    (PostgreSQL's alone takes longer to import than most of the app)."""
    if session.get_bind().dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert

    return postgresql_insert(table)
