"""Product analytics: typed events (`events.py`) recorded with `track(session, event)`,
sent after the transaction commits, in batches, by a background sender (`sender.py`) to
the sink the settings choose (none, console, the database, or Tinybird)."""

from .tracking import track

__all__ = ["track"]
