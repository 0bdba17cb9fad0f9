"""Every feature's task module, imported so its tasks register (a seam: one line per feature)."""

from ..auth import tasks as auth_tasks
from ..email import tasks as email_tasks
from ..storage import tasks as storage_tasks

__all__ = ["auth_tasks", "email_tasks", "storage_tasks"]
