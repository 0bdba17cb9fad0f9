"""Every feature's task module, imported so its tasks register (a seam: one line per feature)."""

from ..email import tasks as email_tasks

__all__ = ["email_tasks"]
