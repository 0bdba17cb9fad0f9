"""The engine and the session factory (`Database`); see `unit_of_work` for transactions."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext import asyncio as sqlalchemy_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import AsyncAdaptedQueuePool

from ..config import Settings


@dataclass
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    # Whether a read that needs no transaction of its own may run in autocommit before the
    # session's transaction starts (`auth.sessions.resolve_session`): on PostgreSQL one
    # round trip instead of three (BEGIN, the query, COMMIT). Not on SQLite, whose
    # transactions cost no round trip to a server and whose BEGIN is ours
    # (`_configure_sqlite`), nor for sessions inside a test's open transaction.
    autocommit_reads: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> "Database":
        engine = create_engine(
            settings.database_url,
            echo=settings.database_echo,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
        )
        return cls(
            engine=engine,
            sessionmaker=make_sessionmaker(engine),
            autocommit_reads=engine.dialect.name == "postgresql",
        )

    async def dispose(self) -> None:
        await self.engine.dispose()


def create_engine(
    url: str,
    *,
    echo: bool = False,
    immediate: bool = True,
    pool_size: int = 10,
    max_overflow: int = 0,
) -> AsyncEngine:
    """The engine; on SQLite, ``immediate=False`` lets a transaction that only reads run
    beside a writer (tests hold one open transaction for a whole test). ``pool_size`` and
    ``max_overflow`` size a server's connection pool (SQLite keeps its own)."""
    # Looked up on the module at each call: tracing (observability/tracing.py) wraps it
    # there, so engines made after tracing started are traced.
    create_async_engine = sqlalchemy_asyncio.create_async_engine
    if url.startswith("sqlite"):
        # The pool's rollback on return is ours (`_reset_sqlite`). With IMMEDIATE, one
        # transaction runs at a time whatever the pool holds: one connection makes the
        # others wait their turn in order, where several would poll SQLite's lock and
        # some would wait for seconds.
        # (SQLAlchemy before 2.1 gives file databases no pool at all unless asked.)
        single = (
            {"poolclass": AsyncAdaptedQueuePool, "pool_size": 1, "max_overflow": 0}
            if immediate
            else {}
        )
        engine = create_async_engine(url, echo=echo, pool_reset_on_return=None, **single)
        _configure_sqlite(engine, immediate=immediate)
        return engine
    pool = {"pool_size": pool_size, "max_overflow": max_overflow}
    if make_url(url).get_driver_name() == "asyncpg":
        engine = create_async_engine(url, echo=echo, **pool)
        _drop_closed_connections(engine)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True, **pool)


def make_sessionmaker(bind: Any, **kwargs: Any) -> async_sessionmaker[AsyncSession]:
    # Objects stay usable after commit: responses are built from them.
    return async_sessionmaker(bind, expire_on_commit=False, autoflush=False, **kwargs)


def _drop_closed_connections(engine: AsyncEngine) -> None:
    """Replace, when it is taken from the pool, a connection the server has closed.

    asyncpg marks a connection closed as soon as the server ends it (a restart, a
    failover, an idle timeout): checking that costs nothing, where SQLAlchemy's
    `pool_pre_ping` spends three round trips (BEGIN, a query, ROLLBACK) on every checkout
    (half of an authenticated request's). A connection that dies without a word is
    noticed by its first statement: that request answers 503 and SQLAlchemy drops the
    pool's older connections.
    """

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.driver_connection.is_closed():
            raise DisconnectionError("the server closed this pooled connection")


def _configure_sqlite(engine: AsyncEngine, *, immediate: bool) -> None:
    """Real BEGIN/SAVEPOINT semantics, enforced foreign keys and write-ahead logging on
    SQLite.

    The sqlite3 driver starts transactions lazily and breaks SAVEPOINT; taking
    over BEGIN ourselves is SQLAlchemy's documented recipe. IMMEDIATE takes the write
    lock up front: concurrent requests then wait their turn instead of failing with
    "database is locked" when two readers both try to write.

    WAL: a commit appends to ``<db>-wal`` and syncs that one file, where the default
    rollback journal syncs the journal and the database and deletes the journal (a write
    transaction took about twice as long), and a reader no longer holds up a writer.
    ``synchronous`` stays FULL, so a commit is on disk before its response. The mode is
    stored in the database file; SQLite folds the log back in and removes it when the
    last connection closes.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @event.listens_for(engine.sync_engine, "reset")
    def _reset_sqlite(dbapi_connection: Any, record: Any, state: Any) -> None:
        # The pool would roll back every connection it gets back, a trip to the
        # driver's thread even after a commit; only one still in a transaction needs it.
        if not state.terminate_only and record.driver_connection.in_transaction:
            dbapi_connection.rollback()
