"""Every model module, imported so `metadata` is complete (a seam: one line per feature)."""

from ...auth import models as auth_models
from ...storage import models as storage_models
from ...users import models as user_models
from .base import Base

metadata = Base.metadata

__all__ = ["auth_models", "metadata", "storage_models", "user_models"]
