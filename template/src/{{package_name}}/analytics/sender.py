"""`EventSender`: buffers events and sends them in batches from a background task.

The request path only appends to a bounded buffer (`record`). A task on the same event
loop takes a batch when it is full or the flush interval passed, groups it by event
type and hands each group to the provider. A sink that is down, slow or rate limiting
keeps its events in the buffer and is retried with backoff (as long as its Retry-After
asks); once the buffer is full, new events are dropped and counted. At shutdown,
`aclose` gives what is left a bounded time to leave.
"""

import asyncio
import contextlib
import contextvars
import random
from collections import deque
from collections.abc import Sequence

import structlog

from ..core.providers import ProviderRejected, ProviderUnavailable
from .config import AnalyticsSettings
from .events import AnalyticsEvent
from .providers.base import AnalyticsProvider, DeliveryPostponed
from .providers.none import NoAnalyticsProvider

logger = structlog.get_logger(__name__)


class EventSender:
    """The analytics pipeline of one process: its provider, buffer and sending task."""

    def __init__(self, provider: AnalyticsProvider, settings: AnalyticsSettings) -> None:
        self.provider = provider
        self.name = provider.name
        self.settings = settings
        # With no sink, nothing is buffered and no task runs.
        self.enabled = not isinstance(provider, NoAnalyticsProvider)
        # Events dropped because the buffer was full, since the process started.
        self.dropped = 0
        self._dropped_unreported = 0
        self._buffer: deque[AnalyticsEvent] = deque()
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._wakeup = asyncio.Event()
        self._sending = asyncio.Lock()
        self._failures = 0
        # loop.time() of the scheduled retry, before which no delivery is attempted (a
        # backoff or a Retry-After); None when none is scheduled.
        self._retry_at: float | None = None

    def missing_settings(self) -> list[str]:
        return self.provider.missing_settings()

    @property
    def pending(self) -> int:
        """Events buffered and not yet delivered."""
        return len(self._buffer)

    def record(self, events: Sequence[AnalyticsEvent]) -> None:
        """Buffer ``events`` for delivery; never blocks, never raises."""
        if not self.enabled or self._closed or not events:
            return
        for event in events:
            if len(self._buffer) >= self.settings.buffer_size:
                self._drop()
            else:
                self._buffer.append(event)
        self._ensure_task()
        if len(self._buffer) >= self.settings.batch_size:
            self._wakeup.set()

    async def flush(self) -> None:
        """Try once, now, to deliver what is buffered (unless a retry is not due yet);
        what fails stays buffered for the background task."""
        if not self.enabled or not self._buffer:
            return
        self._ensure_task()
        await self._deliver_buffered()

    async def aclose(self) -> None:
        """Stop the task, then give the buffer ``shutdown_timeout_seconds`` to leave."""
        if self._closed:
            return
        self._closed = True
        task, self._task = self._task, None
        try:
            async with asyncio.timeout(self.settings.shutdown_timeout_seconds):
                if task is not None and task.get_loop() is _running_loop():
                    # A delivery in progress finishes first: it may have reached the sink
                    # already, and sending it again would count it twice.
                    async with self._sending:
                        task.cancel()
                while self.enabled and self._buffer:
                    if (backoff := self._backoff_left()) > 0:
                        await asyncio.sleep(backoff)
                    await self._deliver_buffered()
        except TimeoutError:
            pass
        finally:
            if task is not None and not task.done() and task.get_loop() is _running_loop():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._buffer:
            logger.warning("analytics.lost_at_shutdown", events=len(self._buffer))
            self._buffer.clear()
        await self.provider.aclose()

    def _ensure_task(self) -> None:
        loop = _running_loop()
        if loop is None:
            return  # no event loop here: the next flush (or aclose) sends them
        if self._task is None or self._task.done() or self._loop is not loop:
            self._loop = loop
            # Fresh primitives: a worker process may run us on more than one loop.
            self._wakeup, self._sending = asyncio.Event(), asyncio.Lock()
            # A context of its own: the request that happened to start it must not lend
            # the task its request id (log lines) or its trace (the sink's HTTP spans).
            self._task = loop.create_task(
                self._run(), name="analytics-sender", context=contextvars.Context()
            )

    async def _run(self) -> None:
        while True:
            if self._retry_at is None:
                interval_passed = await self._wait(self.settings.flush_interval_seconds)
                if self._retry_at is None:  # else: a flush failed meanwhile, retry that
                    await self._deliver_buffered(full_batches_only=not interval_passed)
            elif (backoff := self._backoff_left()) > 0:
                await self._wait(backoff)  # woken early (a full batch): wait on
            else:
                await self._deliver_buffered()

    async def _wait(self, seconds: float) -> bool:
        """Until a batch is full or a retry was scheduled, or ``seconds`` passed; True
        when they passed."""
        try:
            async with asyncio.timeout(seconds):
                await self._wakeup.wait()
        except TimeoutError:
            return True
        finally:
            # Cleared once awake, never before waiting: a batch filled before this task
            # first ran must still wake it.
            self._wakeup.clear()
        return False

    async def _deliver_buffered(self, *, full_batches_only: bool = False) -> None:
        """Send the buffered batches (only full ones, if so asked); on a failure keep the
        rest and schedule a retry."""
        size = self.settings.batch_size
        async with self._sending:
            if self._backoff_left() > 0:
                return  # a delivery failed while this one waited its turn
            self._retry_at = None  # due now; a failure schedules the next one
            while self._buffer and not (full_batches_only and len(self._buffer) < size):
                batch = [self._buffer.popleft() for _ in range(min(size, len(self._buffer)))]
                if not await self._deliver(batch):
                    return

    async def _deliver(self, batch: list[AnalyticsEvent]) -> bool:
        """Hand ``batch`` to the provider, one call per event type; False when the sink
        is unavailable (what was not delivered is back at the front of the buffer)."""
        by_type: dict[str, list[AnalyticsEvent]] = {}
        for event in batch:
            by_type.setdefault(event.name, []).append(event)
        groups = list(by_type.values())
        for index, group in enumerate(groups):
            try:
                async with asyncio.timeout(self.settings.timeout_seconds):
                    await self.provider.send(group)
            except (ProviderUnavailable, TimeoutError) as exc:
                self._requeue([event for rest in groups[index:] for event in rest])
                self._schedule_retry(exc)
                return False
            except ProviderRejected as exc:
                logger.warning(
                    "analytics.batch_rejected",
                    analytics_event=group[0].name,
                    events=len(group),
                    reason=exc.message,
                )
            except Exception as exc:
                # A bug, not an outage: retrying the same events would fail the same way.
                logger.exception(
                    "analytics.batch_failed", analytics_event=group[0].name, exc_info=exc
                )
            except BaseException:
                # Cancelled mid-send (shutdown): nothing is lost, aclose sends it.
                self._requeue([event for rest in groups[index:] for event in rest])
                raise
            else:
                self._delivered()
        return True

    def _requeue(self, events: list[AnalyticsEvent]) -> None:
        self._buffer.extendleft(reversed(events))

    def _schedule_retry(self, exc: BaseException) -> None:
        self._failures += 1
        if isinstance(exc, DeliveryPostponed):
            delay = exc.retry_after
        else:
            backoff = self.settings.retry_base_delay_seconds * 2 ** (self._failures - 1)
            delay = min(backoff, self.settings.retry_max_delay_seconds)
            delay *= random.uniform(0.5, 1.5)  # noqa: S311 (jitter, not security)
        self._retry_at = self._now() + delay
        self._wakeup.set()  # the task now waits for the retry instead of the interval
        reason = exc.message if isinstance(exc, ProviderUnavailable) else "timed out"
        logger.warning(
            "analytics.delivery_failed",
            provider=self.name,
            buffered=len(self._buffer),
            retry_in=round(delay, 3),
            reason=reason,
        )

    def _delivered(self) -> None:
        self._failures = 0
        if self._dropped_unreported:
            logger.warning("analytics.events_dropped", events=self._dropped_unreported)
            self._dropped_unreported = 0

    def _drop(self) -> None:
        self.dropped += 1
        self._dropped_unreported += 1
        if self._dropped_unreported == 1:
            logger.warning(
                "analytics.buffer_full",
                buffer_size=self.settings.buffer_size,
                dropped_total=self.dropped,
            )

    def _backoff_left(self) -> float:
        """Seconds until the scheduled retry; zero or less when it is due or none is."""
        return 0.0 if self._retry_at is None else self._retry_at - self._now()

    def _now(self) -> float:
        loop = _running_loop()
        return loop.time() if loop is not None else 0.0


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
