"""Faults for real: services that go away, commits that fail.

`TcpProxy` sits in front of a service and the app is pointed at it. While the proxy is
down, new connections are refused and open ones are cut, exactly what the app sees when
the database or Redis goes away; when it is up again, it forwards as before.
`commits_refused` makes PostgreSQL refuse a commit. `TcpProxy.sent` counts what clients
sent: each round trip to PostgreSQL is one write (a client waits for the answer before it
sends again), so its increase over a request is that request's round trips.
`TcpProxy.connections` counts the connections opened through it.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine


class TcpProxy:
    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.sent = 0  # chunks forwarded from clients to the service
        self.connections = 0  # connections clients opened through it

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Refuse new connections and cut the open ones."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    @asynccontextmanager
    async def down(self) -> AsyncIterator[None]:
        """The service is unreachable inside the block, and back after it."""
        await self.stop()
        try:
            yield
        finally:
            await self.start()

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, upstream_writer))
        await asyncio.gather(
            _pipe(reader, upstream_writer, self._count_sent),
            _pipe(upstream_reader, writer),
            return_exceptions=True,
        )
        self._writers.difference_update((writer, upstream_writer))

    def _count_sent(self) -> None:
        self.sent += 1


async def _pipe(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    on_chunk: Callable[[], None] | None = None,
) -> None:
    try:
        while data := await reader.read(65536):
            if on_chunk is not None:
                on_chunk()
            writer.write(data)
            await writer.drain()
    finally:
        with suppress(OSError, RuntimeError):
            writer.close()


@asynccontextmanager
async def proxy_to(host: str, port: int) -> AsyncIterator[TcpProxy]:
    proxy = TcpProxy(host, port)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()


@asynccontextmanager
async def database_behind_proxy(database_url: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    """A proxy in front of the database of ``database_url``, and the URL that goes
    through it."""
    url = make_url(database_url)
    async with proxy_to(url.host or "127.0.0.1", url.port or 5432) as proxy:
        proxied = url.set(host="127.0.0.1", port=proxy.port)
        yield proxy, proxied.render_as_string(hide_password=False)


@asynccontextmanager
async def commits_refused(
    engine: AsyncEngine, table: str, when: str = "true"
) -> AsyncIterator[None]:
    """Inside the block, every transaction that wrote a row of ``table`` for which ``when``
    (SQL over ``NEW``) holds fails at COMMIT, after all its statements succeeded: a
    deferred constraint trigger, so PostgreSQL only."""
    async with engine.begin() as connection:
        await connection.exec_driver_sql(
            f"""
            CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF {when} THEN
                    RAISE EXCEPTION 'refused at commit';
                END IF;
                RETURN NEW;
            END $$
            """
        )
        await connection.exec_driver_sql(
            f"""
            CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT OR UPDATE ON {table}
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()
            """
        )
    try:
        yield
    finally:
        async with engine.begin() as connection:
            await connection.exec_driver_sql(f"DROP TRIGGER refuse_at_commit ON {table}")
            await connection.exec_driver_sql("DROP FUNCTION refuse_at_commit()")
